import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";
const APPLY = { "content-type": "application/apply-patch+yaml" };

function applyYaml(name: string, data: Record<string, string>): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`);
  return [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${name}`,
    "data:",
    ...lines,
  ].join("\n");
}

Deno.test("server-side apply", async (t) => {
  const s = await startTestServer();
  try {
    let rv = "";
    await t.step("apply of a missing object creates it (201)", async () => {
      const r = await s.request("PATCH", `${base}/a?fieldManager=alice`, {
        text: applyYaml("a", { k: "v" }),
        headers: APPLY,
      });
      assert.equal(r.status, 201);
      assert.deepEqual(r.body.data, { k: "v" });
      const mf = r.body.metadata.managedFields;
      assert.equal(mf.length, 1);
      assert.equal(mf[0].manager, "alice");
      assert.equal(mf[0].operation, "Apply");
      assert.equal(mf[0].apiVersion, "v1");
      assert.equal(mf[0].fieldsType, "FieldsV1");
      assert.deepEqual(mf[0].fieldsV1, { "f:data": { "f:k": {} } });
      rv = r.body.metadata.resourceVersion;
    });
    await t.step("the same apply again keeps the resourceVersion", async () => {
      const r = await s.request("PATCH", `${base}/a?fieldManager=alice`, {
        text: applyYaml("a", { k: "v" }),
        headers: APPLY,
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.metadata.resourceVersion, rv);
    });
    await t.step(
      "another manager changing an owned field is 409 with the conflicts",
      async () => {
        const r = await s.request("PATCH", `${base}/a?fieldManager=bob`, {
          text: applyYaml("a", { k: "other" }),
          headers: APPLY,
        });
        assert.equal(r.status, 409);
        assert.equal(r.body.reason, "Conflict");
        assert.equal(
          r.body.message,
          'Apply failed with 1 conflict: conflict with "alice": .data.k',
        );
        assert.deepEqual(r.body.details.causes, [{
          reason: "FieldManagerConflict",
          message: 'conflict with "alice"',
          field: ".data.k",
        }]);
        const g = await s.request("GET", `${base}/a`);
        assert.equal(g.body.metadata.resourceVersion, rv);
      },
    );
    await t.step("force=true takes the field over", async () => {
      const r = await s.request(
        "PATCH",
        `${base}/a?fieldManager=bob&force=true`,
        { text: applyYaml("a", { k: "other" }), headers: APPLY },
      );
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.data, { k: "other" });
      const managers = r.body.metadata.managedFields.map((
        e: { manager: string },
      ) => e.manager);
      assert.deepEqual(managers, ["bob"]);
    });
    await t.step(
      "a field dropped from the configuration is pruned",
      async () => {
        await s.request("PATCH", `${base}/a?fieldManager=bob`, {
          text: applyYaml("a", { k: "other", extra: "1" }),
          headers: APPLY,
        });
        const r = await s.request("PATCH", `${base}/a?fieldManager=bob`, {
          text: applyYaml("a", { k: "other" }),
          headers: APPLY,
        });
        assert.deepEqual(r.body.data, { k: "other" });
      },
    );
    await t.step("apply without fieldManager is 422", async () => {
      const r = await s.request("PATCH", `${base}/a`, {
        text: applyYaml("a", { k: "v" }),
        headers: APPLY,
      });
      assert.equal(r.status, 422);
      assert.equal(
        r.body.message,
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    });
    await t.step("force on a non-apply patch is 422", async () => {
      const r = await s.request("PATCH", `${base}/a?force=true`, {
        text: "{}",
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(r.status, 422);
      assert.equal(r.body.details.causes[0].field, "force");
    });
    await t.step("a wrong apiVersion in the configuration is 400", async () => {
      const r = await s.request("PATCH", `${base}/a?fieldManager=bob`, {
        text: "apiVersion: v2\nkind: ConfigMap\nmetadata:\n  name: a\n",
        headers: APPLY,
      });
      assert.equal(r.status, 400);
      assert.match(r.body.message, /Incorrect version specified/);
    });
    await t.step("managedFields in the configuration are 400", async () => {
      const r = await s.request("PATCH", `${base}/a?fieldManager=bob`, {
        text: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "a", managedFields: [{ manager: "x" }] },
        }),
        headers: APPLY,
      });
      assert.equal(r.status, 400);
      assert.match(r.body.message, /metadata.managedFields must be nil/);
    });
    await t.step("a body that is not YAML is 400", async () => {
      const r = await s.request("PATCH", `${base}/a?fieldManager=bob`, {
        text: "a: [b\n",
        headers: APPLY,
      });
      assert.equal(r.status, 400);
      assert.match(r.body.message, /^error decoding YAML/);
      const g = await s.request("GET", `${base}/a`);
      assert.deepEqual(g.body.data, { k: "other" });
    });
    await t.step("apply with dryRun=All stores nothing", async () => {
      const r = await s.request(
        "PATCH",
        `${base}/dry?fieldManager=bob&dryRun=All`,
        { text: applyYaml("dry", { k: "v" }), headers: APPLY },
      );
      assert.equal(r.status, 201);
      const g = await s.request("GET", `${base}/dry`);
      assert.equal(g.status, 404);
    });
    await t.step(
      "apply to a subresource of a missing object is 404",
      async () => {
        const r = await s.request(
          "PATCH",
          "/api/v1/namespaces/nope/status?fieldManager=x",
          {
            text: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: nope\n",
            headers: APPLY,
          },
        );
        assert.equal(r.status, 404);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("managedFields on ordinary writes", async (t) => {
  const s = await startTestServer();
  try {
    const ua = { "user-agent": "kubectl/v1.35.2 (linux/amd64) kubernetes/abc" };
    let rv = "";
    await t.step(
      "create records the user agent's manager with the fields it set",
      async () => {
        const r = await s.request("POST", base, {
          body: configMap("u", { key: "v" }),
          headers: ua,
        });
        assert.equal(r.status, 201);
        const [e] = r.body.metadata.managedFields;
        assert.equal(e.manager, "kubectl");
        assert.equal(e.operation, "Update");
        assert.deepEqual(e.fieldsV1, { "f:data": { ".": {}, "f:key": {} } });
        assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        rv = r.body.metadata.resourceVersion;
      },
    );
    await t.step("an unchanged update keeps the resourceVersion", async () => {
      const g = await s.request("GET", `${base}/u`);
      const r = await s.request("PUT", `${base}/u?fieldManager=other`, {
        body: g.body,
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.metadata.resourceVersion, rv);
      assert.equal(r.body.metadata.managedFields.length, 1);
    });
    await t.step(
      "a merge patch by another manager records its own entry",
      async () => {
        const r = await s.request("PATCH", `${base}/u?fieldManager=patcher`, {
          text: JSON.stringify({ data: { more: "1" } }),
          headers: { "content-type": "application/merge-patch+json" },
        });
        assert.equal(r.status, 200);
        const byName = Object.fromEntries(
          r.body.metadata.managedFields.map((
            e: { manager: string; fieldsV1: unknown },
          ) => [e.manager, e.fieldsV1]),
        );
        assert.deepEqual(byName.patcher, { "f:data": { "f:more": {} } });
        assert.deepEqual(byName.kubectl, {
          "f:data": { ".": {}, "f:key": {} },
        });
      },
    );
    await t.step(
      "an applier conflicts with a field an updater set",
      async () => {
        const r = await s.request("PATCH", `${base}/u?fieldManager=app`, {
          text: applyYaml("u", { more: "2" }),
          headers: APPLY,
        });
        assert.equal(r.status, 409);
        assert.equal(
          r.body.message,
          'Apply failed with 1 conflict: conflict with "patcher" using v1: .data.more',
        );
      },
    );
    await t.step("a too long fieldManager is 422", async () => {
      const r = await s.request(
        "POST",
        `${base}?fieldManager=${"x".repeat(129)}`,
        { body: configMap("long") },
      );
      assert.equal(r.status, 422);
      assert.equal(r.body.details.causes[0].field, "fieldManager");
    });
    await t.step(
      "a status write is tracked with subresource status",
      async () => {
        const g = await s.request("GET", "/api/v1/namespaces/default");
        const r = await s.request(
          "PUT",
          "/api/v1/namespaces/default/status?fieldManager=ctl",
          {
            body: {
              ...g.body,
              status: { ...g.body.status, conditions: [] },
            },
          },
        );
        assert.equal(r.status, 200);
        const e = r.body.metadata.managedFields.find((
          m: { manager: string },
        ) => m.manager === "ctl");
        assert.equal(e.subresource, "status");
        assert.deepEqual(Object.keys(e.fieldsV1), ["f:status"]);
      },
    );
  } finally {
    await s.close();
  }
});
