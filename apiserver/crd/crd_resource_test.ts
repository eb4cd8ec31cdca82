import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import { CRD_CLEANUP_FINALIZER } from "./types.ts";

const BASE = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

Deno.test("the CRD kind is served with its own rules", async (t) => {
  // Without the CRD controller: the strategy alone, no status updates.
  const srv = await startTestServer({ crdController: false });
  try {
    await t.step(
      "create defaults names and records the storage version",
      async () => {
        const crd = cronTabCrd();
        delete crd.spec.names!.listKind;
        const res = await srv.request("POST", BASE, {
          body: { ...crd, status: { storedVersions: ["bogus"] } },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.spec.names.listKind, "CronTabList");
        assert.deepEqual(res.body.status, { storedVersions: ["v1"] });
        assert.equal(res.body.metadata.generation, 1);
      },
    );

    await t.step("an invalid CRD gets 422 with causes", async () => {
      const crd = cronTabCrd();
      crd.metadata.name = "wrong.stable.example.com";
      crd.spec.versions![0].storage = true;
      const res = await srv.request("POST", BASE, { body: crd });
      assert.equal(res.status, 422);
      assert.deepEqual(
        res.body.details.causes.map((c: { field: string }) => c.field),
        ["metadata.name", "spec.versions"],
      );
    });

    await t.step(
      "changing the storage version appends to storedVersions",
      async () => {
        const cur = await srv.request(
          "GET",
          `${BASE}/crontabs.stable.example.com`,
        );
        cur.body.spec.versions[0].storage = true;
        cur.body.spec.versions[1].storage = false;
        const res = await srv.request(
          "PUT",
          `${BASE}/crontabs.stable.example.com`,
          { body: cur.body },
        );
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body.status.storedVersions, ["v1", "v1beta1"]);
        assert.equal(res.body.metadata.generation, 2);
      },
    );

    await t.step(
      "delete only marks the CRD for the cleanup controller",
      async () => {
        const res = await srv.request(
          "DELETE",
          `${BASE}/crontabs.stable.example.com`,
        );
        assert.ok(res.status === 200 || res.status === 202, String(res.status));
        const cur = await srv.request(
          "GET",
          `${BASE}/crontabs.stable.example.com`,
        );
        assert.equal(cur.status, 200);
        assert.ok(cur.body.metadata.deletionTimestamp);
        assert.deepEqual(cur.body.metadata.finalizers, [CRD_CLEANUP_FINALIZER]);
        const term = cur.body.status.conditions.find((c: { type: string }) =>
          c.type === "Terminating"
        );
        assert.equal(term.reason, "InstanceDeletionPending");
      },
    );

    await t.step("removing the finalizer deletes it", async () => {
      const cur = await srv.request(
        "GET",
        `${BASE}/crontabs.stable.example.com`,
      );
      cur.body.metadata.finalizers = [];
      const res = await srv.request(
        "PUT",
        `${BASE}/crontabs.stable.example.com`,
        { body: cur.body },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const gone = await srv.request(
        "GET",
        `${BASE}/crontabs.stable.example.com`,
      );
      assert.equal(gone.status, 404);
    });
  } finally {
    await srv.close();
  }
});
