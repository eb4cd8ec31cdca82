import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { testCertificates } from "../../tests/support/webhook_server.ts";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { createServiceResolver } from "./resolver.ts";
import type { AggregationOptions } from "./setup.ts";

const APISERVICES = "/apis/apiregistration.k8s.io/v1/apiservices";

async function aggregation(): Promise<AggregationOptions> {
  const pair = await testCertificates();
  return {
    resolver: createServiceResolver({ sources: ["static"] }),
    proxyClient: { certPem: pair.certPem, keyPem: pair.keyPem },
    authentication: {
      clientCaPem: "client CA",
      requestHeaderCaPem: "front-proxy CA",
      allowedNames: ["front-proxy-client"],
    },
    checkIntervalMs: 200,
  };
}

async function eventually(what: string, f: () => Promise<boolean>) {
  const until = Date.now() + 10_000;
  while (!(await f())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.stable.example.com" },
  spec: {
    group: "stable.example.com",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget" },
    versions: [{
      name: "v1",
      served: true,
      storage: true,
      schema: { openAPIV3Schema: { type: "object" } },
    }],
  },
};

Deno.test("local APIServices follow the served kinds of each cluster", async () => {
  const s = await startTestServer({ aggregation: await aggregation() });
  try {
    const rbac = await s.request(
      "GET",
      `${APISERVICES}/v1.rbac.authorization.k8s.io`,
    );
    assert.equal(rbac.status, 200);
    const body = rbac.body as {
      metadata: { labels: Record<string, string> };
      spec: { groupPriorityMinimum: number; service?: unknown };
      status: {
        conditions: { type: string; status: string; reason: string }[];
      };
    };
    assert.equal(
      body.metadata.labels["kube-aggregator.kubernetes.io/automanaged"],
      "onstart",
    );
    assert.equal(body.spec.groupPriorityMinimum, 17000);
    assert.equal(body.spec.service, undefined);
    assert.deepEqual(
      body.status.conditions.map((c) => [c.type, c.status, c.reason]),
      [["Available", "True", "Local"]],
    );
    const cm = await s.request(
      "GET",
      "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication",
    );
    assert.equal(
      (cm.body as { data: Record<string, string> })
        .data["requestheader-client-ca-file"],
      "front-proxy CA",
    );

    assert.equal(
      (await s.request(
        "POST",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        { body: CRD },
      )).status,
      201,
    );
    await eventually(
      "v1.stable.example.com appears",
      async () =>
        (await s.request("GET", `${APISERVICES}/v1.stable.example.com`))
          .status === 200,
    );
    const local = await s.request(
      "GET",
      `${APISERVICES}/v1.stable.example.com`,
    );
    assert.equal(
      (local.body as { metadata: { labels: Record<string, string> } }).metadata
        .labels["kube-aggregator.kubernetes.io/automanaged"],
      "true",
    );
    // Another cluster has its own local APIServices, not root's CRD group.
    const other = await s.request("GET", `/clusters/other${APISERVICES}`);
    assert.equal(other.status, 200);
    const names = (other.body as { items: { metadata: { name: string } }[] })
      .items.map((i) => i.metadata.name);
    assert.ok(names.includes("v1.rbac.authorization.k8s.io"));
    assert.ok(!names.includes("v1.stable.example.com"));

    await s.request(
      "DELETE",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.stable.example.com",
    );
    await eventually(
      "v1.stable.example.com goes",
      async () =>
        (await s.request("GET", `${APISERVICES}/v1.stable.example.com`))
          .status === 404,
    );
  } finally {
    await s.close();
  }
});

Deno.test("a remote APIService nobody serves: ServiceNotFound, 503 at once, only in its cluster", async () => {
  const s = await startTestServer({ aggregation: await aggregation() });
  try {
    const created = await s.request("POST", APISERVICES, {
      body: {
        apiVersion: "apiregistration.k8s.io/v1",
        kind: "APIService",
        metadata: { name: "v1alpha1.wardle.example.com" },
        spec: {
          group: "wardle.example.com",
          version: "v1alpha1",
          groupPriorityMinimum: 1000,
          versionPriority: 15,
          service: { namespace: "wardle", name: "api" },
        },
      },
    });
    assert.equal(created.status, 201);
    await eventually("ServiceNotFound", async () => {
      const r = await s.request(
        "GET",
        `${APISERVICES}/v1alpha1.wardle.example.com`,
      );
      const c = (r.body as { status?: { conditions?: { reason: string }[] } })
        .status?.conditions?.[0];
      return c?.reason === "ServiceNotFound";
    });
    const res = await s.request(
      "GET",
      "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders",
    );
    assert.equal(res.status, 503);
    assert.match(
      (res.body as { message: string }).message,
      /APIService v1alpha1\.wardle\.example\.com is not available: service\/api in "wardle" is not present/,
    );
    const group = await s.request("GET", "/apis/wardle.example.com");
    assert.equal(group.status, 200);
    assert.equal((group.body as { kind: string }).kind, "APIGroup");
    const elsewhere = await s.request(
      "GET",
      "/clusters/other/apis/wardle.example.com/v1alpha1/namespaces/default/flunders",
    );
    assert.equal(elsewhere.status, 404);
    const otherGroups = await s.request("GET", "/clusters/other/apis");
    assert.ok(!JSON.stringify(otherGroups.body).includes("wardle.example.com"));
  } finally {
    await s.close();
  }
});

Deno.test("an APIService whose service is removed is no longer delegated", async () => {
  // Only delegated APIServices are kept by the aggregator: one that loses
  // its service must leave proxying and discovery at once.
  const s = await startTestServer({ aggregation: await aggregation() });
  try {
    const name = "v1alpha1.wardle.example.com";
    const created = await s.request("POST", APISERVICES, {
      body: {
        apiVersion: "apiregistration.k8s.io/v1",
        kind: "APIService",
        metadata: { name },
        spec: {
          group: "wardle.example.com",
          version: "v1alpha1",
          groupPriorityMinimum: 1000,
          versionPriority: 15,
          service: { namespace: "wardle", name: "api" },
        },
      },
    });
    assert.equal(created.status, 201);
    const flunders =
      "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
    await eventually(
      "delegated",
      async () => (await s.request("GET", flunders)).status === 503,
    );
    const patched = await s.request("PATCH", `${APISERVICES}/${name}`, {
      text: JSON.stringify({ spec: { service: null } }),
      headers: { "content-type": "application/merge-patch+json" },
    });
    assert.equal(patched.status, 200);
    await eventually(
      "not delegated",
      async () => (await s.request("GET", flunders)).status === 404,
    );
    const groups = await s.request("GET", "/apis");
    assert.ok(!JSON.stringify(groups.body).includes("wardle.example.com"));
  } finally {
    await s.close();
  }
});

Deno.test("a restart leaves the local APIServices of CRDs and virtual clusters alone (no delete and re-create)", async () => {
  const storage = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const names = ["v1.stable.example.com", "v1alpha1.tenancy.hyperplane.dev"];
  const uids = async (s: Awaited<ReturnType<typeof startTestServer>>) => {
    const out: string[] = [];
    for (const name of names) {
      const r = await s.request("GET", `${APISERVICES}/${name}`);
      assert.equal(r.status, 200, name);
      out.push((r.body as { metadata: { uid: string } }).metadata.uid);
    }
    return out;
  };
  try {
    const first = await startTestServer({
      storage,
      aggregation: await aggregation(),
    });
    let before: string[];
    try {
      const crd = await first.request(
        "POST",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        { body: CRD },
      );
      assert.equal(crd.status, 201);
      await eventually(
        "v1.stable.example.com appears",
        async () =>
          (await first.request("GET", `${APISERVICES}/${names[0]}`))
            .status === 200,
      );
      before = await uids(first);
    } finally {
      await first.close();
    }
    const again = await startTestServer({
      storage,
      aggregation: await aggregation(),
    });
    try {
      assert.deepEqual(await uids(again), before);
    } finally {
      await again.close();
    }
  } finally {
    await storage.close();
  }
});
