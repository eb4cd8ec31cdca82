import assert from "node:assert/strict";
import { withoutCreateDetails } from "../tests/support/same_create.ts";
import { objectKey } from "../storage/mod.ts";
import type { KubeObject } from "../storage/mod.ts";
import {
  startTestServer,
  type TestServer,
} from "../tests/support/apiserver_harness.ts";
import { lineReader } from "../tests/support/watch_lines.ts";
import type { NamespaceSeed } from "./namespace_seeds.ts";

const VC = "/apis/tenancy.hyperplane.dev/v1alpha1/virtualclusters";
const SYSTEM = ["default", "kube-node-lease", "kube-public", "kube-system"];

const configMapSeed: NamespaceSeed = {
  resource: { group: "", version: "v1", resource: "configmaps" },
  manager: "test-controller",
  desired: (namespace) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "seeded",
      namespace,
      annotations: { "example.com/why": "every namespace has one" },
    },
    data: { "ca.crt": "-----BEGIN CERTIFICATE-----\n…" },
  }),
};

const serviceAccountSeed: NamespaceSeed = {
  resource: { group: "", version: "v1", resource: "serviceaccounts" },
  manager: "test-controller",
  desired: (namespace) => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default", namespace },
  }),
};

async function until<T>(what: string, f: () => Promise<T | undefined>) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function createReady(s: TestServer, name: string) {
  const c = await s.request("POST", VC, {
    body: {
      apiVersion: "tenancy.hyperplane.dev/v1alpha1",
      kind: "VirtualCluster",
      metadata: { name },
      spec: {},
    },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  await until(`${name} Ready`, async () => {
    const r = await s.request("GET", `${VC}/${name}`);
    return r.body?.status?.phase === "Ready" ? true : undefined;
  });
}

Deno.test("a new cluster's system namespaces start with the seeds, stored as the seed manager's create would store them", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    s.api.seedNamespaces([configMapSeed, serviceAccountSeed]);
    // The same bodies created through the API by the same manager.
    const viaApi: Record<string, KubeObject> = {};
    for (
      const [plural, seed] of [["configmaps", configMapSeed], [
        "serviceaccounts",
        serviceAccountSeed,
      ]] as const
    ) {
      const r = await s.request(
        "POST",
        `/api/v1/namespaces/default/${plural}?fieldManager=test-controller`,
        { body: seed.desired("default") },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      viaApi[plural] = r.body;
    }
    // Watchers see the seeds as any create (across clusters, as the
    // controllers' informers watch).
    const watch = lineReader(
      await s.raw(
        "GET",
        "/clusters/*/api/v1/configmaps?watch=1&fieldSelector=metadata.name%3Dseeded",
      ),
    );
    await createReady(s, "team-a");
    const watched = new Set<string>();
    try {
      while (watched.size < SYSTEM.length) {
        const ev = await watch.next();
        assert.ok(ev, "the watch ended early");
        if (ev.type !== "ADDED") continue;
        const cluster = ev.object.metadata.annotations
          ?.["hyperplane.dev/cluster"];
        if (cluster === "team-a") watched.add(ev.object.metadata.namespace);
      }
    } finally {
      await watch.cancel();
    }
    assert.deepEqual([...watched].sort(), SYSTEM);
    for (const plural of ["configmaps", "serviceaccounts"]) {
      const name = plural === "configmaps" ? "seeded" : "default";
      const uids = new Set<string>();
      for (const ns of SYSTEM) {
        const got = await s.request(
          "GET",
          `/clusters/team-a/api/v1/namespaces/${ns}/${plural}/${name}`,
        );
        assert.equal(got.status, 200, `${plural} in ${ns}`);
        assert.equal(got.body.metadata.namespace, ns);
        assert.deepEqual(
          withoutCreateDetails(got.body),
          withoutCreateDetails(viaApi[plural]),
        );
        // Key order too: the stored text is the create handler's.
        assert.deepEqual(
          Object.keys(got.body.metadata),
          Object.keys(viaApi[plural].metadata),
        );
        uids.add(got.body.metadata.uid);
      }
      assert.equal(uids.size, SYSTEM.length, "each copy has its own uid");
    }
    // Root was bootstrapped before the seeds were given: nothing added.
    const rootSa = await s.request(
      "GET",
      "/api/v1/namespaces/kube-system/serviceaccounts/default",
    );
    assert.equal(rootSa.status, 404);
  } finally {
    await s.close();
  }
});

Deno.test("a bootstrap stopped between a seed and its namespace converges (the seed is kept, the namespace created)", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    s.api.seedNamespaces([configMapSeed]);
    // As left by a bootstrap stopped after writing the seed of `default`.
    const store = s.storage.storeFor({ resource: "configmaps" });
    const key = objectKey({
      resource: "configmaps",
      cluster: "team-b",
      namespace: "default",
      name: "seeded",
    });
    const left = await store.create(key, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "seeded",
        namespace: "default",
        uid: "left-over",
        creationTimestamp: "2026-01-01T00:00:00Z",
      },
      data: { "ca.crt": "old" },
    });
    await createReady(s, "team-b");
    const ns = await s.request("GET", "/clusters/team-b/api/v1/namespaces");
    assert.deepEqual(
      ns.body.items.map((n: KubeObject) => n.metadata.name).sort(),
      SYSTEM,
    );
    const kept = await s.request(
      "GET",
      "/clusters/team-b/api/v1/namespaces/default/configmaps/seeded",
    );
    assert.equal(kept.body.metadata.uid, "left-over");
    assert.equal(
      kept.body.metadata.resourceVersion,
      left.metadata.resourceVersion,
    );
    const other = await s.request(
      "GET",
      "/clusters/team-b/api/v1/namespaces/kube-system/configmaps/seeded",
    );
    assert.equal(other.status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("a seed of a resource the server does not serve is left to its controller", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    s.api.seedNamespaces([{
      ...configMapSeed,
      resource: { group: "example.com", version: "v1", resource: "widgets" },
    }]);
    await createReady(s, "team-c");
    const cms = await s.request(
      "GET",
      "/clusters/team-c/api/v1/namespaces/default/configmaps",
    );
    assert.equal(cms.status, 200);
    assert.ok(
      !cms.body.items.some((c: KubeObject) => c.metadata.name === "seeded"),
    );
  } finally {
    await s.close();
  }
});
