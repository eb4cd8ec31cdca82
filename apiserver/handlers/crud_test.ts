import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

Deno.test("configmaps can be created, read, updated and deleted", async (t) => {
  const s = await startTestServer();
  try {
    const base = "/api/v1/namespaces/default/configmaps";
    let rv = "";
    let uid = "";
    await t.step("create returns 201 with system fields set", async () => {
      const r = await s.request("POST", base, {
        body: configMap("a", { k: "v" }),
      });
      assert.equal(r.status, 201);
      assert.equal(r.body.kind, "ConfigMap");
      assert.equal(r.body.apiVersion, "v1");
      assert.equal(r.body.metadata.namespace, "default");
      assert.match(r.body.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(
        r.body.metadata.creationTimestamp,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
      assert.match(r.body.metadata.resourceVersion, /^\d+$/);
      assert.equal(r.body.metadata.generation, undefined);
      rv = r.body.metadata.resourceVersion;
      uid = r.body.metadata.uid;
    });
    await t.step("get returns the stored object", async () => {
      const r = await s.request("GET", `${base}/a`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.data, { k: "v" });
      assert.equal(r.body.metadata.resourceVersion, rv);
    });
    await t.step(
      "a second create of the same name is 409 AlreadyExists",
      async () => {
        const r = await s.request("POST", base, { body: configMap("a") });
        assert.equal(r.status, 409);
        assert.equal(r.body.reason, "AlreadyExists");
        assert.equal(r.body.message, 'configmaps "a" already exists');
        assert.deepEqual(r.body.details, { name: "a", kind: "configmaps" });
      },
    );
    await t.step(
      "update with the current resourceVersion succeeds",
      async () => {
        const body = configMap("a", { k: "v2" }, {
          metadata: { resourceVersion: rv },
        });
        const r = await s.request("PUT", `${base}/a`, { body });
        assert.equal(r.status, 200);
        assert.notEqual(r.body.metadata.resourceVersion, rv);
        assert.equal(r.body.metadata.uid, uid);
      },
    );
    await t.step(
      "update with a stale resourceVersion is 409 Conflict",
      async () => {
        const body = configMap("a", { k: "v3" }, {
          metadata: { resourceVersion: rv },
        });
        const r = await s.request("PUT", `${base}/a`, { body });
        assert.equal(r.status, 409);
        assert.equal(r.body.reason, "Conflict");
        assert.equal(
          r.body.message,
          'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
        );
      },
    );
    await t.step(
      "update without resourceVersion is unconditional; a no-op keeps the RV",
      async () => {
        const r1 = await s.request("PUT", `${base}/a`, {
          body: configMap("a", { k: "v4" }),
        });
        assert.equal(r1.status, 200);
        const r2 = await s.request("PUT", `${base}/a`, {
          body: configMap("a", { k: "v4" }),
        });
        assert.equal(
          r2.body.metadata.resourceVersion,
          r1.body.metadata.resourceVersion,
        );
      },
    );
    await t.step("update of a missing configmap is 404", async () => {
      const r = await s.request("PUT", `${base}/nope`, {
        body: configMap("nope"),
      });
      assert.equal(r.status, 404);
      assert.equal(r.body.message, 'configmaps "nope" not found');
    });
    await t.step(
      "delete returns a Success Status and the object is gone",
      async () => {
        const r = await s.request("DELETE", `${base}/a`);
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "Status");
        assert.equal(r.body.status, "Success");
        assert.equal(r.body.details.name, "a");
        assert.equal(r.body.details.uid, uid);
        const g = await s.request("GET", `${base}/a`);
        assert.equal(g.status, 404);
        assert.equal(g.body.reason, "NotFound");
        assert.equal(g.body.code, 404);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("a PUT whose body names another UID is a UID precondition Conflict", async () => {
  const s = await startTestServer();
  try {
    const base = "/api/v1/namespaces/default/configmaps";
    const first = await s.request("POST", base, { body: configMap("re") });
    assert.equal(first.status, 201);
    const stale = first.body;
    assert.equal((await s.request("DELETE", `${base}/re`)).status, 200);
    const again = await s.request("POST", base, { body: configMap("re") });
    assert.equal(again.status, 201);
    // The stale body's resourceVersion could even match; the UID decides.
    stale.metadata.resourceVersion = again.body.metadata.resourceVersion;
    const r = await s.request("PUT", `${base}/re`, { body: stale });
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, "Conflict");
    assert.equal(
      r.body.message,
      `Operation cannot be fulfilled on configmaps "re": Precondition failed: UID in precondition: ${stale.metadata.uid}, UID in object meta: ${again.body.metadata.uid}`,
    );
    // The current UID, or none, updates as before.
    const ok = { ...again.body, data: { k: "v" } };
    assert.equal(
      (await s.request("PUT", `${base}/re`, { body: ok })).status,
      200,
    );
    delete ok.metadata.uid;
    delete ok.metadata.resourceVersion;
    assert.equal(
      (await s.request("PUT", `${base}/re`, { body: ok })).status,
      200,
    );
  } finally {
    await s.close();
  }
});
