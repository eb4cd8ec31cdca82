import assert from "node:assert/strict";
import type { ResourceDefinition } from "../resources/types.ts";
import { BUILTIN_RESOURCES } from "../resources/registry.ts";
import {
  configMap,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";
const SMP = { "content-type": "application/strategic-merge-patch+json" };

function smp(s: TestServer, name: string, patch: unknown, query = "") {
  return s.request("PATCH", `${base}/${name}${query}`, {
    text: typeof patch === "string" ? patch : JSON.stringify(patch),
    headers: SMP,
  });
}

Deno.test("strategic merge patch", async (t) => {
  const s = await startTestServer();
  try {
    await s.request("POST", base, {
      body: configMap("p", { a: "1" }, {
        metadata: {
          labels: { x: "1", y: "2" },
          finalizers: ["example.com/a"],
          ownerReferences: [{
            apiVersion: "v1",
            kind: "ConfigMap",
            name: "o1",
            uid: "u1",
          }],
        },
      }),
    });
    await t.step("labels merge and null removes one", async () => {
      const r = await smp(s, "p", {
        metadata: { labels: { y: null, z: "3" } },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.metadata.labels, { x: "1", z: "3" });
    });
    await t.step("finalizers merge as a set", async () => {
      const r = await smp(s, "p", {
        metadata: { finalizers: ["example.com/b"] },
      });
      assert.deepEqual(r.body.metadata.finalizers, [
        "example.com/b",
        "example.com/a",
      ]);
    });
    await t.step(
      "$deleteFromPrimitiveList removes a finalizer",
      async () => {
        const r = await smp(s, "p", {
          metadata: {
            "$deleteFromPrimitiveList/finalizers": ["example.com/a"],
          },
        });
        assert.deepEqual(r.body.metadata.finalizers, ["example.com/b"]);
      },
    );
    await t.step("ownerReferences merge on uid", async () => {
      const r = await smp(s, "p", {
        metadata: {
          ownerReferences: [
            { apiVersion: "v1", kind: "ConfigMap", name: "o2", uid: "u2" },
            { uid: "u1", name: "renamed" },
          ],
        },
      });
      assert.deepEqual(
        r.body.metadata.ownerReferences.map((
          o: { uid: string; name: string },
        ) => `${o.uid}=${o.name}`),
        ["u2=o2", "u1=renamed"],
      );
    });
    await t.step("$patch: delete removes one ownerReference", async () => {
      const r = await smp(s, "p", {
        metadata: { ownerReferences: [{ uid: "u2", $patch: "delete" }] },
      });
      assert.deepEqual(
        r.body.metadata.ownerReferences.map((o: { uid: string }) => o.uid),
        ["u1"],
      );
    });
    await t.step(
      "the patcher is recorded in managedFields",
      async () => {
        const r = await smp(s, "p", { data: { b: "2" } }, "?fieldManager=smp");
        const e = r.body.metadata.managedFields.find((
          m: { manager: string },
        ) => m.manager === "smp");
        assert.deepEqual(e.fieldsV1, { "f:data": { "f:b": {} } });
      },
    );
    await t.step(
      "dryRun=All returns the result and stores nothing",
      async () => {
        const before = await s.request("GET", `${base}/p`);
        const r = await smp(s, "p", { data: { dry: "1" } }, "?dryRun=All");
        assert.equal(r.status, 200);
        assert.equal(r.body.data.dry, "1");
        const after = await s.request("GET", `${base}/p`);
        assert.deepEqual(after.body, before.body);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("invalid patch documents change nothing", async (t) => {
  const s = await startTestServer();
  try {
    await s.request("POST", base, {
      body: configMap("q", { a: "1" }, {
        metadata: {
          ownerReferences: [{
            apiVersion: "v1",
            kind: "ConfigMap",
            name: "o1",
            uid: "u1",
          }],
        },
      }),
    });
    const before = (await s.request("GET", `${base}/q`)).body;
    const cases: Array<[string, string, string, number, RegExp]> = [
      [
        "JSON patch that is not JSON",
        "application/json-patch+json",
        "[{",
        400,
        /error decoding patch/,
      ],
      [
        "JSON patch that is an object",
        "application/json-patch+json",
        "{}",
        400,
        /jsonpatch.Patch/,
      ],
      [
        "JSON patch with an unknown op",
        "application/json-patch+json",
        '[{"op":"jump","path":"/data/a"}]',
        422,
        /rejected our request/,
      ],
      [
        "merge patch that is not JSON",
        "application/merge-patch+json",
        "{",
        400,
        /error decoding patch/,
      ],
      [
        "merge patch that is a list",
        "application/merge-patch+json",
        "[]",
        400,
        /JSON object/,
      ],
      [
        "merge patch that breaks the kind",
        "application/merge-patch+json",
        '{"kind":"Secret"}',
        400,
        /does not match the expected kind/,
      ],
      [
        "strategic patch that is not JSON",
        SMP["content-type"],
        "{",
        400,
        /error decoding patch/,
      ],
      [
        "strategic patch that is a list",
        SMP["content-type"],
        "[]",
        400,
        /invalid JSON document/,
      ],
      [
        "strategic patch with an unknown $patch",
        SMP["content-type"],
        '{"data":{"$patch":"explode"}}',
        422,
        /rejected our request/,
      ],
      [
        "strategic patch with a malformed $retainKeys",
        SMP["content-type"],
        '{"data":{"$retainKeys":"x"}}',
        400,
        /retainKeys/,
      ],
      [
        "strategic patch with a list item missing its merge key",
        SMP["content-type"],
        '{"metadata":{"ownerReferences":[{"name":"x"}]}}',
        422,
        /rejected our request/,
      ],
      [
        "strategic patch giving data a wrong type",
        SMP["content-type"],
        '{"data":{"a":5}}',
        422,
        /Invalid|invalid/,
      ],
      [
        "apply that is not YAML",
        "application/apply-patch+yaml",
        "a: [",
        400,
        /error decoding YAML/,
      ],
      [
        "apply that is a list",
        "application/apply-patch+yaml",
        "- a",
        400,
        /error decoding YAML/,
      ],
    ];
    for (const [what, type, text, code, message] of cases) {
      await t.step(`${what} is ${code}`, async () => {
        const r = await s.request(
          "PATCH",
          `${base}/q?fieldManager=m`,
          { text, headers: { "content-type": type } },
        );
        assert.equal(r.status, code, JSON.stringify(r.body));
        assert.equal(r.body.kind, "Status");
        const said = `${r.body.message} ${
          JSON.stringify(r.body.details ?? {})
        }`;
        assert.match(said, message);
        const after = (await s.request("GET", `${base}/q`)).body;
        assert.deepEqual(after, before);
      });
    }
  } finally {
    await s.close();
  }
});

Deno.test("custom resources refuse strategic merge patch with 415", async () => {
  const widgets: ResourceDefinition = {
    group: "example.com",
    version: "v1",
    kind: "Widget",
    plural: "widgets",
    singular: "widget",
    namespaced: true,
  };
  const s = await startTestServer({
    resources: [...BUILTIN_RESOURCES, widgets],
  });
  try {
    const path = "/apis/example.com/v1/namespaces/default/widgets";
    const c = await s.request("POST", path, {
      body: {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w" },
        spec: { a: 1 },
      },
    });
    assert.equal(c.status, 201);
    const r = await s.request("PATCH", `${path}/w`, {
      text: "{}",
      headers: SMP,
    });
    assert.equal(r.status, 415);
    assert.equal(r.body.reason, "UnsupportedMediaType");
    assert.equal(
      r.body.message,
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );
    const a = await s.request("PATCH", `${path}/w?fieldManager=m`, {
      text:
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  b: 2\n",
      headers: { "content-type": "application/apply-patch+yaml" },
    });
    assert.equal(a.status, 200);
    assert.deepEqual(a.body.spec, { a: 1, b: 2 });
  } finally {
    await s.close();
  }
});
