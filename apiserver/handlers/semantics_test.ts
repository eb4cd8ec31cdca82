import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";

Deno.test("object semantics", async (t) => {
  const s = await startTestServer();
  try {
    await t.step("generateName appends 5 random characters", async () => {
      const r = await s.request("POST", base, {
        body: { metadata: { generateName: "gen-" } },
      });
      assert.equal(r.status, 201);
      assert.match(r.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    });
    await t.step("name or generateName is required", async () => {
      const r = await s.request("POST", base, { body: { metadata: {} } });
      assert.equal(r.status, 422);
      assert.equal(r.body.details.causes[0].reason, "FieldValueRequired");
      assert.equal(
        r.body.details.causes[0].message,
        "Required value: name or generateName is required",
      );
    });
    await t.step("labels and annotations are validated", async () => {
      const r = await s.request("POST", base, {
        body: configMap("l", {}, {
          metadata: { labels: { "bad key!": "v", ok: "-bad-" } },
        }),
      });
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.body.details.causes.map((c: { field: string }) => c.field),
        ["metadata.labels", "metadata.labels[ok]"],
      );
      const big = await s.request("POST", base, {
        body: configMap("a", {}, {
          metadata: { annotations: { a: "x".repeat(256 * 1024) } },
        }),
      });
      assert.equal(big.status, 422);
      assert.equal(big.body.details.causes[0].reason, "FieldValueTooLong");
    });
    await t.step("the namespace in the body must match the URL", async () => {
      const r = await s.request("POST", base, {
        body: configMap("x", {}, { metadata: { namespace: "kube-system" } }),
      });
      assert.equal(r.status, 400);
      assert.equal(
        r.body.message,
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    });
    await t.step("dryRun=All validates and stores nothing", async () => {
      const r = await s.request("POST", `${base}?dryRun=All`, {
        body: configMap("dry"),
      });
      assert.equal(r.status, 201);
      assert.equal(r.body.metadata.name, "dry");
      assert.equal((await s.request("GET", `${base}/dry`)).status, 404);
      const bad = await s.request("POST", `${base}?dryRun=Some`, {
        body: configMap("dry"),
      });
      assert.equal(bad.status, 422);
      await s.request("POST", base, { body: configMap("keep", { a: "1" }) });
      const u = await s.request("PUT", `${base}/keep?dryRun=All`, {
        body: configMap("keep", { a: "2" }),
      });
      assert.equal(u.status, 200);
      assert.deepEqual(u.body.data, { a: "2" });
      assert.deepEqual((await s.request("GET", `${base}/keep`)).body.data, {
        a: "1",
      });
      const d = await s.request("DELETE", `${base}/keep?dryRun=All`);
      assert.equal(d.status, 200);
      assert.equal((await s.request("GET", `${base}/keep`)).status, 200);
    });
    await t.step(
      "finalizers hold a deletion until the last one is removed",
      async () => {
        await s.request("POST", base, {
          body: configMap("fin", {}, {
            metadata: { finalizers: ["example.com/hold"] },
          }),
        });
        const d = await s.request("DELETE", `${base}/fin`);
        assert.equal(d.status, 200);
        assert.equal(d.body.kind, "ConfigMap");
        assert.ok(d.body.metadata.deletionTimestamp);
        assert.equal(d.body.metadata.deletionGracePeriodSeconds, 0);
        const cur = (await s.request("GET", `${base}/fin`)).body;
        const add = await s.request("PUT", `${base}/fin`, {
          body: {
            ...cur,
            metadata: {
              ...cur.metadata,
              finalizers: ["example.com/hold", "example.com/more"],
            },
          },
        });
        assert.equal(add.status, 422);
        const u = await s.request("PUT", `${base}/fin`, {
          body: { ...cur, metadata: { ...cur.metadata, finalizers: [] } },
        });
        assert.equal(u.status, 200);
        assert.equal((await s.request("GET", `${base}/fin`)).status, 404);
      },
    );
    await t.step("delete preconditions are checked", async () => {
      const c = await s.request("POST", base, { body: configMap("pre") });
      const wrong = await s.request("DELETE", `${base}/pre`, {
        body: {
          kind: "DeleteOptions",
          apiVersion: "v1",
          preconditions: { uid: "nope" },
        },
      });
      assert.equal(wrong.status, 409);
      assert.equal(
        wrong.body.message,
        `Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: nope, UID in object meta: ${c.body.metadata.uid}`,
      );
      assert.deepEqual(wrong.body.details, { name: "pre", kind: "configmaps" });
      const stale = await s.request("DELETE", `${base}/pre`, {
        body: { preconditions: { resourceVersion: "1" } },
      });
      assert.equal(stale.status, 409);
      assert.equal(
        stale.body.message,
        `Operation cannot be fulfilled on configmaps "pre": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${c.body.metadata.resourceVersion}`,
      );
      const badPolicy = await s.request(
        "DELETE",
        `${base}/pre?propagationPolicy=Sideways`,
      );
      assert.equal(badPolicy.status, 422);
      const ok = await s.request("DELETE", `${base}/pre`, {
        body: {
          preconditions: {
            uid: c.body.metadata.uid,
            resourceVersion: c.body.metadata.resourceVersion,
          },
          propagationPolicy: "Background",
        },
      });
      assert.equal(ok.status, 200);
    });
    await t.step(
      "deletecollection deletes what the selector matches",
      async () => {
        for (const n of ["dc1", "dc2", "dc3"]) {
          await s.request("POST", base, {
            body: configMap(n, {}, {
              metadata: { labels: { dc: n === "dc3" ? "no" : "yes" } },
            }),
          });
        }
        const r = await s.request("DELETE", `${base}?labelSelector=dc%3Dyes`);
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "ConfigMapList");
        assert.deepEqual(
          r.body.items.map((i: { metadata: { name: string } }) =>
            i.metadata.name
          ),
          ["dc1", "dc2"],
        );
        assert.equal((await s.request("GET", `${base}/dc1`)).status, 404);
        assert.equal((await s.request("GET", `${base}/dc3`)).status, 200);
      },
    );
    await t.step("system fields cannot be changed by an update", async () => {
      const c = await s.request("GET", `${base}/dc3`);
      const r = await s.request("PUT", `${base}/dc3`, {
        body: { ...c.body, metadata: { ...c.body.metadata, uid: "other" } },
      });
      // The body's UID is a precondition (upstream: 409 before validation).
      assert.equal(r.status, 409);
      assert.match(r.body.message, /UID in precondition: other,/);
      const n = await s.request("PUT", `${base}/dc3`, {
        body: { ...c.body, metadata: { ...c.body.metadata, name: "zz" } },
      });
      assert.equal(n.status, 400);
    });
    await t.step(
      "valid managedFields sent on an unchanged object replace the stored ones",
      async () => {
        const c = await s.request("POST", base, {
          body: configMap("mf", { a: "1" }),
        });
        const mf = [{
          manager: "other",
          operation: "Update",
          apiVersion: "v1",
          time: "2024-01-01T00:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: { "f:data": { "f:a": {} } },
        }];
        const r = await s.request("PUT", `${base}/mf`, {
          body: {
            ...c.body,
            metadata: { ...c.body.metadata, managedFields: mf },
          },
        });
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.metadata.managedFields, mf);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("patch", async (t) => {
  const s = await startTestServer();
  try {
    await s.request("POST", base, { body: configMap("p", { a: "1", b: "2" }) });
    await t.step("merge patch sets and removes keys", async () => {
      const r = await s.request("PATCH", `${base}/p`, {
        text: JSON.stringify({ data: { a: "9", b: null } }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.data, { a: "9" });
    });
    await t.step("JSON patch applies operations", async () => {
      const r = await s.request("PATCH", `${base}/p`, {
        text: JSON.stringify([{ op: "add", path: "/data/c", value: "3" }, {
          op: "test",
          path: "/data/a",
          value: "9",
        }]),
        headers: { "content-type": "application/json-patch+json" },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.data, { a: "9", c: "3" });
    });
    await t.step(
      "a failed test operation is 422 and changes nothing",
      async () => {
        const r = await s.request("PATCH", `${base}/p`, {
          text: JSON.stringify([{ op: "test", path: "/data/a", value: "0" }, {
            op: "remove",
            path: "/data/a",
          }]),
          headers: { "content-type": "application/json-patch+json" },
        });
        assert.equal(r.status, 422);
        assert.equal(r.body.reason, "Invalid");
        // Upstream's generic 422: no causes, so kubectl prints the message.
        assert.equal(
          r.body.message,
          "the server rejected our request due to an error in our request",
        );
        assert.deepEqual(r.body.details, {});
        assert.deepEqual((await s.request("GET", `${base}/p`)).body.data, {
          a: "9",
          c: "3",
        });
      },
    );
    await t.step("a patch with a stale resourceVersion is 409", async () => {
      const r = await s.request("PATCH", `${base}/p`, {
        text: JSON.stringify({
          metadata: { resourceVersion: "1" },
          data: { z: "1" },
        }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(r.status, 409);
    });
    await t.step(
      "malformed patches are 400; an unknown patch type is 415",
      async () => {
        const bad = await s.request("PATCH", `${base}/p`, {
          text: "{nope",
          headers: { "content-type": "application/merge-patch+json" },
        });
        assert.equal(bad.status, 400);
        const other = await s.request("PATCH", `${base}/p`, {
          text: "{}",
          headers: { "content-type": "application/x-unknown-patch" },
        });
        assert.equal(other.status, 415);
        assert.equal(other.body.reason, "UnsupportedMediaType");
      },
    );
    await t.step("patching a missing object is 404", async () => {
      const r = await s.request("PATCH", `${base}/missing`, {
        text: "{}",
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(r.status, 404);
    });
    await t.step(
      "patching the namespace status subresource changes only status",
      async () => {
        const r = await s.request(
          "PATCH",
          "/api/v1/namespaces/default/status",
          {
            text: JSON.stringify({
              metadata: { labels: { x: "y" } },
              status: { phase: "Active", conditions: [] },
            }),
            headers: { "content-type": "application/merge-patch+json" },
          },
        );
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.status.conditions, []);
        assert.equal(r.body.metadata.labels.x, undefined);
      },
    );
  } finally {
    await s.close();
  }
});
