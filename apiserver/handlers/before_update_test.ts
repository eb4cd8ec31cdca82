import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";

Deno.test("an update keeps the stored server-owned metadata, as upstream's BeforeUpdate", async (t) => {
  const s = await startTestServer();
  try {
    const created = await s.request("POST", base, { body: configMap("m1") });
    assert.equal(created.status, 201);
    const stored = created.body;
    const ts: string = stored.metadata.creationTimestamp;

    await t.step(
      "creationTimestamp echoed as +00:00 (Python client) is accepted",
      async () => {
        const body = structuredClone(stored);
        body.metadata.creationTimestamp = ts.replace("Z", "+00:00");
        body.data = { a: "2" };
        const r = await s.request("PUT", `${base}/m1`, { body });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.metadata.creationTimestamp, ts);
        assert.equal(r.body.data.a, "2");
      },
    );
    await t.step(
      "a changed creationTimestamp or generation is ignored",
      async () => {
        const cur = (await s.request("GET", `${base}/m1`)).body;
        cur.metadata.creationTimestamp = "2001-01-01T00:00:00Z";
        cur.metadata.generation = 42;
        const r = await s.request("PUT", `${base}/m1`, { body: cur });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.metadata.creationTimestamp, ts);
        assert.equal(r.body.metadata.generation, undefined);
      },
    );
    await t.step("a uid left out is kept; another uid is refused", async () => {
      const cur = (await s.request("GET", `${base}/m1`)).body;
      delete cur.metadata.uid;
      const ok = await s.request("PUT", `${base}/m1`, { body: cur });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.metadata.uid, stored.metadata.uid);
      ok.body.metadata.uid = "00000000-0000-0000-0000-000000000000";
      // As upstream, the body's UID is a storage precondition (409), checked
      // before the update's validation.
      const bad = await s.request("PUT", `${base}/m1`, { body: ok.body });
      assert.equal(bad.status, 409);
      assert.match(
        bad.body.message,
        /Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: /,
      );
    });
    await t.step("deletionTimestamp cannot be set by an update", async () => {
      const cur = (await s.request("GET", `${base}/m1`)).body;
      cur.metadata.deletionTimestamp = ts;
      const r = await s.request("PUT", `${base}/m1`, { body: cur });
      assert.equal(r.status, 422);
      assert.match(
        r.body.message,
        /metadata\.deletionTimestamp: Invalid value: .*field is immutable/,
      );
    });
    await t.step(
      "deletion fields of an object being deleted are kept",
      async () => {
        const cur = (await s.request("GET", `${base}/m1`)).body;
        cur.metadata.finalizers = ["example.com/hold"];
        assert.equal(
          (await s.request("PUT", `${base}/m1`, { body: cur })).status,
          200,
        );
        assert.equal((await s.request("DELETE", `${base}/m1`)).status, 200);
        const deleting = (await s.request("GET", `${base}/m1`)).body;
        assert.ok(deleting.metadata.deletionTimestamp);
        const echo = structuredClone(deleting);
        delete echo.metadata.deletionTimestamp;
        delete echo.metadata.deletionGracePeriodSeconds;
        echo.metadata.labels = { x: "y" };
        const r = await s.request("PUT", `${base}/m1`, { body: echo });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(
          r.body.metadata.deletionTimestamp,
          deleting.metadata.deletionTimestamp,
        );
        assert.equal(r.body.metadata.deletionGracePeriodSeconds, 0);
        r.body.metadata.finalizers = [];
        assert.equal(
          (await s.request("PUT", `${base}/m1`, { body: r.body })).status,
          200,
        );
      },
    );
  } finally {
    await s.close();
  }
});
