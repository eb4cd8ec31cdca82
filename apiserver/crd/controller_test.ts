// The CRD controller inside the API server: CRDs become served kinds per
// cluster, get their status, and take their objects with them on delete.
import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import { createApiServer } from "../server.ts";
import {
  ADMIN,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const NAME = "crontabs.stable.example.com";
const V1 = "/apis/stable.example.com/v1";

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Cond {
  type: string;
  status: string;
  reason: string;
}

function condition(crd: { status?: { conditions?: Cond[] } }) {
  return (type: string) => crd.status?.conditions?.find((c) => c.type === type);
}

async function established(srv: TestServer, prefix = "", name = NAME) {
  return await eventually("Established", async () => {
    const r = await srv.request("GET", `${prefix}${CRDS}/${name}`);
    const c = condition(r.body)("Established");
    return c?.status === "True" ? r.body : undefined;
  });
}

function cronTab(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "stable.example.com/v1",
    kind: "CronTab",
    metadata: { name },
    spec: { cronSpec: "* * * * */5", image: "img", ...spec },
  };
}

Deno.test("the CRD controller serves, names and cleans up CRDs", async (t) => {
  const srv = await startTestServer();
  try {
    await t.step("a new CRD is established and served", async () => {
      const res = await srv.request("POST", CRDS, { body: cronTabCrd() });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const crd = await established(srv);
      const names = condition(crd)("NamesAccepted")!;
      assert.equal(names.reason, "NoConflicts");
      assert.equal(crd.status.acceptedNames.kind, "CronTab");
      const created = await srv.request(
        "POST",
        `${V1}/namespaces/default/crontabs`,
        { body: cronTab("a") },
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.apiVersion, "stable.example.com/v1");
      assert.equal(created.body.spec.replicas, 1);
    });

    await t.step("every served version reads the same object", async () => {
      const res = await srv.request(
        "GET",
        "/apis/stable.example.com/v1beta1/namespaces/default/crontabs/a",
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.apiVersion, "stable.example.com/v1beta1");
    });

    await t.step("discovery lists the kind, v1 preferred", async () => {
      const group = await srv.request("GET", "/apis/stable.example.com");
      assert.equal(group.status, 200);
      assert.equal(group.body.preferredVersion.version, "v1");
      const list = await srv.request("GET", V1);
      const names = list.body.resources.map((r: { name: string }) => r.name);
      assert.deepEqual(names, [
        "crontabs",
        "crontabs/status",
        "crontabs/scale",
      ]);
      const scale = list.body.resources[2];
      assert.equal(scale.group, "autoscaling");
      assert.equal(scale.kind, "Scale");
    });

    await t.step("the scale subresource speaks Scale", async () => {
      const path = `${V1}/namespaces/default/crontabs/a/scale`;
      const got = await srv.request("GET", path);
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.equal(got.body.kind, "Scale");
      assert.equal(got.body.spec.replicas, 1);
      const patched = await srv.request("PATCH", path, {
        text: JSON.stringify({ spec: { replicas: 3 } }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.kind, "Scale");
      assert.equal(patched.body.spec.replicas, 3);
      const obj = await srv.request(
        "GET",
        `${V1}/namespaces/default/crontabs/a`,
      );
      assert.equal(obj.body.spec.replicas, 3);
    });

    await t.step("a conflicting CRD is reported, not served", async () => {
      const other = cronTabCrd();
      other.metadata.name = "crontabz.stable.example.com";
      other.spec.names = {
        plural: "crontabz",
        singular: "crontabz",
        kind: "CronTab",
        listKind: "CronTabzList",
      };
      const res = await srv.request("POST", CRDS, { body: other });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const crd = await eventually("NamesAccepted=False", async () => {
        const r = await srv.request("GET", `${CRDS}/${other.metadata.name}`);
        const c = condition(r.body)("NamesAccepted");
        return c?.status === "False" ? r.body : undefined;
      });
      assert.equal(condition(crd)("NamesAccepted")!.reason, "KindConflict");
      const list = await srv.request("GET", `${V1}/crontabz`);
      assert.equal(list.status, 404);
      await srv.request("DELETE", `${CRDS}/${other.metadata.name}`);
    });

    await t.step("CRDs are per cluster", async () => {
      const res = await srv.request("GET", `/clusters/other${V1}/crontabs`);
      assert.equal(res.status, 404);
    });

    await t.step("deleting the CRD removes its objects and it", async () => {
      const fin = cronTab("held");
      (fin.metadata as Record<string, unknown>).finalizers = ["example/hold"];
      const r = await srv.request("POST", `${V1}/namespaces/default/crontabs`, {
        body: fin,
      });
      assert.equal(r.status, 201);
      await srv.request("POST", "/api/v1/namespaces", {
        body: { metadata: { name: "other" } },
      });
      await srv.request("POST", `${V1}/namespaces/other/crontabs`, {
        body: cronTab("b"),
      });
      const del = await srv.request("DELETE", `${CRDS}/${NAME}`);
      assert.equal(del.status, 200);
      const held = await eventually("held marked", async () => {
        const g = await srv.request(
          "GET",
          `${V1}/namespaces/default/crontabs/held`,
        );
        return g.body.metadata?.deletionTimestamp ? g.body : undefined;
      });
      const refused = await srv.request(
        "POST",
        `${V1}/namespaces/default/crontabs`,
        { body: cronTab("late") },
      );
      assert.equal(refused.status, 405);
      held.metadata.finalizers = [];
      const put = await srv.request(
        "PUT",
        `${V1}/namespaces/default/crontabs/held`,
        { body: held },
      );
      assert.equal(put.status, 200, JSON.stringify(put.body));
      await eventually("CRD gone", async () => {
        const g = await srv.request("GET", `${CRDS}/${NAME}`);
        return g.status === 404 ? true : undefined;
      });
      const gone = await srv.request("GET", `${V1}/crontabs`);
      assert.equal(gone.status, 404);
    });

    await t.step("recreating the CRD starts empty", async () => {
      await srv.request("POST", CRDS, { body: cronTabCrd() });
      await established(srv);
      const list = await srv.request("GET", `${V1}/crontabs`);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.items, []);
    });
  } finally {
    await srv.close();
  }
});

Deno.test("aggregated discovery changes its ETag with the CRDs", async () => {
  const srv = await startTestServer();
  try {
    const accept =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    const before = await srv.request("GET", "/apis", { headers: { accept } });
    const etag = before.headers.get("etag")!;
    assert.ok(etag);
    const same = await srv.raw("GET", "/apis", {
      headers: { accept, "if-none-match": etag },
    });
    assert.equal(same.status, 304);
    await srv.request("POST", CRDS, { body: cronTabCrd() });
    await established(srv);
    const after = await srv.request("GET", "/apis", { headers: { accept } });
    assert.notEqual(after.headers.get("etag"), etag);
    const groups = after.body.items.map((g: { metadata: { name: string } }) =>
      g.metadata.name
    );
    assert.ok(groups.includes("stable.example.com"));
  } finally {
    await srv.close();
  }
});

Deno.test("a restarted server serves its custom resources at once", async () => {
  const srv = await startTestServer();
  try {
    await srv.request("POST", CRDS, { body: cronTabCrd() });
    await established(srv);
    const created = await srv.request(
      "POST",
      `${V1}/namespaces/default/crontabs`,
      { body: cronTab("kept") },
    );
    assert.equal(created.status, 201);
    await srv.api.close();
    const again = await createApiServer({
      storage: srv.storage,
      logger: silentLogger,
    });
    try {
      const res = await again.handler(
        new Request(`http://x${V1}/namespaces/default/crontabs/kept`),
        { user: ADMIN },
      );
      assert.equal(res.status, 200);
      assert.equal((await res.json()).metadata.name, "kept");
    } finally {
      await again.close();
    }
  } finally {
    await srv.storage.close();
  }
});

Deno.test("a CRD left marked for deletion without finalizers is deleted", async () => {
  // The state a replica leaves when another replica's status write makes
  // its final delete fail: no finalizer, a deletionTimestamp, still stored.
  const srv = await startTestServer();
  try {
    await srv.request("POST", CRDS, { body: cronTabCrd() });
    await established(srv);
    await srv.api.close();
    const store = srv.storage.storeFor({
      group: "apiextensions.k8s.io",
      resource: "customresourcedefinitions",
    });
    const key =
      `/registry/apiextensions.k8s.io/customresourcedefinitions/clusters/root/${NAME}`;
    await store.guaranteedUpdate(key, {
      tryUpdate: (cur) => {
        const next = structuredClone(cur!);
        next.metadata.deletionTimestamp = new Date().toISOString();
        delete next.metadata.finalizers;
        return next;
      },
    });
    const again = await createApiServer({
      storage: srv.storage,
      logger: silentLogger,
    });
    try {
      await eventually("the CRD gone", async () => {
        const res = await again.handler(
          new Request(`http://x${CRDS}/${NAME}`),
          { user: ADMIN },
        );
        await res.body?.cancel();
        return res.status === 404 ? true : undefined;
      });
    } finally {
      await again.close();
    }
  } finally {
    await srv.storage.close();
  }
});

Deno.test("two API servers on one store both clean up a deleted CRD", async () => {
  const srv = await startTestServer();
  const other = await createApiServer({
    storage: srv.storage,
    logger: silentLogger,
  });
  try {
    for (let round = 0; round < 5; round++) {
      const made = await srv.request("POST", CRDS, { body: cronTabCrd() });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      await established(srv);
      await srv.request("POST", `${V1}/namespaces/default/crontabs`, {
        body: cronTab(`r${round}`),
      });
      const del = await srv.request("DELETE", `${CRDS}/${NAME}`);
      assert.equal(del.status, 200, JSON.stringify(del.body));
      await eventually(`the CRD gone (round ${round})`, async () => {
        const r = await srv.request("GET", `${CRDS}/${NAME}`);
        return r.status === 404 ? true : undefined;
      });
    }
  } finally {
    await other.close();
    await srv.close();
  }
});
