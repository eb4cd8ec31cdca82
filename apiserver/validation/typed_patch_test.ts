import assert from "node:assert/strict";
import { builtinSchema } from "../resources/kind_tables.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { typedPatchErrors } from "./typed_patch.ts";

const APPLY = { "content-type": "application/apply-patch+yaml" };
const CM = "/api/v1/namespaces/default/configmaps";

Deno.test("typed conversion reports undeclared fields with structured-merge-diff paths", () => {
  const role = builtinSchema("rbac.authorization.k8s.io", "v1", "Role")!;
  assert.deepEqual(
    typedPatchErrors({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "r", labelz: {} },
      rules: [{ verbs: ["get"], verbz: 1 }],
    }, role),
    [
      ".metadata.labelz: field not declared in schema",
      ".rules[0].verbz: field not declared in schema",
    ],
  );
  const cm = builtinSchema("", "v1", "ConfigMap")!;
  assert.deepEqual(
    typedPatchErrors({
      metadata: {
        name: "c",
        ownerReferences: [{ uid: "u1", name: "o", extra: true }],
      },
      data: { "any.key": "v" },
    }, cm),
    ['.metadata.ownerReferences[uid="u1"].extra: field not declared in schema'],
  );
});

Deno.test("server-side apply of an undeclared field fails as upstream's typed patch conversion", async (t) => {
  const s = await startTestServer();
  try {
    for (const fv of ["", "&fieldValidation=Ignore", "&fieldValidation=Warn"]) {
      await t.step(`fieldValidation ${fv || "(default)"}`, async () => {
        const r = await s.request("PATCH", `${CM}/c?fieldManager=m${fv}`, {
          text: [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: c",
            "  namespace: default",
            "spec:",
            "  a: 1",
          ].join("\n"),
          headers: APPLY,
        });
        assert.equal(r.status, 500, JSON.stringify(r.body));
        assert.equal(r.body.kind, "Status");
        assert.equal(r.body.reason, undefined);
        assert.equal(
          r.body.message,
          "failed to create typed patch object (default/c; /v1, Kind=ConfigMap): .spec: field not declared in schema",
        );
      });
    }
    await t.step(
      "several undeclared fields are listed one per line",
      async () => {
        const r = await s.request("PATCH", `${CM}/c?fieldManager=m`, {
          text: JSON.stringify({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "c", foo: 1 },
            bar: 2,
          }),
          headers: APPLY,
        });
        assert.equal(r.status, 500);
        assert.equal(
          r.body.message,
          "failed to create typed patch object (/c; /v1, Kind=ConfigMap): errors:\n" +
            "  .metadata.foo: field not declared in schema\n" +
            "  .bar: field not declared in schema",
        );
      },
    );
    await t.step("nothing was created", async () => {
      const r = await s.request("GET", `${CM}/c`);
      assert.equal(r.status, 404);
    });
  } finally {
    await s.close();
  }
});

Deno.test("repeated keys in an apply body follow fieldValidation", async (t) => {
  const s = await startTestServer();
  const body = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: d",
    "data:",
    "  a: one",
    "  a: two",
  ].join("\n");
  try {
    await t.step(
      "Strict is 400 with yaml.v2's strict decoding error",
      async () => {
        const r = await s.request(
          "PATCH",
          `${CM}/d?fieldManager=m&fieldValidation=Strict`,
          { text: body, headers: APPLY },
        );
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(r.body.reason, "BadRequest");
        assert.equal(
          r.body.message,
          'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "a" already set in map',
        );
      },
    );
    await t.step("Warn applies the last value and warns", async () => {
      const r = await s.request(
        "PATCH",
        `${CM}/d?fieldManager=m&fieldValidation=Warn`,
        { text: body, headers: APPLY },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body.data, { a: "two" });
      assert.match(
        r.headers.get("warning") ?? "",
        /line 7: key \\?"a\\?" already set in map/,
      );
    });
    await t.step("Ignore applies the last value silently", async () => {
      const r = await s.request(
        "PATCH",
        `${CM}/d?fieldManager=m&fieldValidation=Ignore`,
        { text: body, headers: APPLY },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.headers.get("warning"), null);
    });
    await t.step("a body with only declared fields applies", async () => {
      const r = await s.request("PATCH", `${CM}/e?fieldManager=m`, {
        text:
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\ndata:\n  k: v\n",
        headers: APPLY,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    });
  } finally {
    await s.close();
  }
});
