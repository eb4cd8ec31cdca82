import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const CM_PATH = "/api/v1/namespaces/default/configmaps";

function configMap(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name },
    data: { a: "1" },
    ...extra,
  };
}

Deno.test("fieldValidation on create and update", async (t) => {
  const server = await startTestServer();
  try {
    await t.step(
      "Strict rejects an unknown field naming it (400)",
      async () => {
        const res = await server.request(
          "POST",
          `${CM_PATH}?fieldValidation=Strict`,
          { body: configMap("strict", { spec: { foo: 1 } }) },
        );
        assert.equal(res.status, 400);
        assert.equal(res.body.reason, "BadRequest");
        assert.equal(
          res.body.message,
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"',
        );
        const get = await server.request("GET", `${CM_PATH}/strict`);
        assert.equal(get.status, 404);
      },
    );

    await t.step(
      "Strict names nested unknown and duplicate fields",
      async () => {
        const res = await server.request(
          "POST",
          `${CM_PATH}?fieldValidation=Strict`,
          {
            text:
              '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d","labelz":{}},"data":{"a":"1"},"data":{"b":"2"}}',
            headers: { "content-type": "application/json" },
          },
        );
        assert.equal(res.status, 400);
        assert.match(res.body.message, /duplicate field "data"/);
        assert.match(res.body.message, /unknown field "metadata.labelz"/);
      },
    );

    await t.step("Strict finds duplicates in YAML bodies", async () => {
      const res = await server.request(
        "POST",
        `${CM_PATH}?fieldValidation=Strict`,
        {
          text:
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: '1'\n  a: '2'\n",
          headers: { "content-type": "application/yaml" },
        },
      );
      assert.equal(res.status, 400);
      assert.match(res.body.message, /duplicate field "data.a"/);
    });

    await t.step("Warn (the default) warns and drops the field", async () => {
      for (const query of ["?fieldValidation=Warn", ""]) {
        const name = `warn${query ? "1" : "2"}`;
        const res = await server.request("POST", `${CM_PATH}${query}`, {
          body: configMap(name, { spec: { foo: 1 } }),
        });
        assert.equal(res.status, 201);
        assert.equal(
          res.headers.get("warning"),
          '299 - "unknown field \\"spec\\""',
        );
        assert.equal(res.body.spec, undefined);
        const get = await server.request("GET", `${CM_PATH}/${name}`);
        assert.equal(get.body.spec, undefined);
        assert.deepEqual(get.body.data, { a: "1" });
      }
    });

    await t.step("Ignore says nothing and drops the field", async () => {
      const res = await server.request(
        "POST",
        `${CM_PATH}?fieldValidation=Ignore`,
        { body: configMap("ignored", { spec: { foo: 1 } }) },
      );
      assert.equal(res.status, 201);
      assert.equal(res.headers.get("warning"), null);
      assert.equal(res.body.spec, undefined);
    });

    await t.step("an unsupported directive is 400", async () => {
      const res = await server.request(
        "POST",
        `${CM_PATH}?fieldValidation=Loud`,
        { body: configMap("loud") },
      );
      assert.equal(res.status, 400);
      assert.match(res.body.message, /fieldValidation: Unsupported value/);
    });

    await t.step("update checks the body the same way", async () => {
      const strict = await server.request(
        "PUT",
        `${CM_PATH}/warn1?fieldValidation=Strict`,
        { body: configMap("warn1", { extra: true }) },
      );
      assert.equal(strict.status, 400);
      assert.match(strict.body.message, /unknown field "extra"/);
      const warn = await server.request(
        "PUT",
        `${CM_PATH}/warn1?fieldValidation=Warn`,
        { body: configMap("warn1", { extra: true }) },
      );
      assert.equal(warn.status, 200);
      assert.match(warn.headers.get("warning") ?? "", /unknown field/);
    });

    await t.step(
      "patches check the patched object and the patch body",
      async () => {
        const merge = { "content-type": "application/merge-patch+json" };
        const strict = await server.request(
          "PATCH",
          `${CM_PATH}/warn1?fieldValidation=Strict`,
          { text: '{"spec":{"foo":1}}', headers: merge },
        );
        assert.equal(strict.status, 400);
        assert.equal(
          strict.body.message,
          'strict decoding error: unknown field "spec"',
        );
        const dup = await server.request(
          "PATCH",
          `${CM_PATH}/warn1?fieldValidation=Strict`,
          {
            text: '{"data":{"a":"1"},"data":{"a":"2"}}',
            headers: {
              "content-type": "application/strategic-merge-patch+json",
            },
          },
        );
        assert.equal(dup.status, 400);
        assert.match(dup.body.message, /duplicate field "data"/);
        const json = await server.request(
          "PATCH",
          `${CM_PATH}/warn1?fieldValidation=Strict`,
          {
            text: '[{"op":"add","path":"/extra","value":1}]',
            headers: { "content-type": "application/json-patch+json" },
          },
        );
        assert.equal(json.status, 400);
        assert.match(json.body.message, /unknown field "extra"/);
        const warn = await server.request("PATCH", `${CM_PATH}/warn1`, {
          text: '{"spec":{"foo":1},"data":{"z":"9"}}',
          headers: merge,
        });
        assert.equal(warn.status, 200);
        assert.equal(
          warn.headers.get("warning"),
          '299 - "unknown field \\"spec\\""',
        );
        assert.equal(warn.body.spec, undefined);
        assert.equal(warn.body.data.z, "9");
      },
    );

    await t.step("known fields of every kind pass Strict", async () => {
      const res = await server.request(
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles?fieldValidation=Strict",
        {
          body: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "r", labels: { a: "b" }, annotations: {} },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
          },
        },
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const bad = await server.request(
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles?fieldValidation=Strict",
        {
          body: {
            metadata: { name: "r2" },
            rules: [{ apiGroups: [""], resources: ["pods"], verbz: ["get"] }],
          },
        },
      );
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /unknown field "rules\[0\]\.verbz"/);
    });
  } finally {
    await server.close();
  }
});
