import assert from "node:assert/strict";
import {
  ADMIN,
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { body as protobufBody } from "../protobuf/testdata/envelope.ts";

const CM = "/api/v1/namespaces/default/configmaps";
const JSON_TYPE = { "content-type": "application/json" };

/** A ConfigMap of tiny keys, about `bytes` long. */
function manyKeys(name: string, bytes: number): { text: string; keys: number } {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const entry = `"k${i.toString(36)}":""`;
    parts.push(entry);
    size += entry.length + 1;
  }
  return {
    text:
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{${
        parts.join(",")
      }}}`,
    keys: parts.length,
  };
}

Deno.test("bodies past the decoding limits are refused with a Status", async (t) => {
  const s = await startTestServer();
  try {
    await s.request("POST", CM, { body: configMap("small", { a: "b" }) });

    await t.step("a 100,000-deep array in data is a 400", async () => {
      const depth = 100_000;
      const res = await s.request("POST", CM, {
        text: `{"metadata":{"name":"deep"},"data":{"a":${"[".repeat(depth)}${
          "]".repeat(depth)
        }}}`,
        headers: JSON_TYPE,
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.kind, "Status");
      assert.equal(res.body.reason, "BadRequest");
      assert.match(res.body.message, /exceeded max depth/);
      const get = await s.request("GET", `${CM}/small`);
      assert.equal(get.status, 200);
    });

    await t.step(
      "objects as deep as the limit are handled end to end",
      async () => {
        // data must be strings: the deep value is refused as upstream's
        // typed decoder refuses it (400), not by a stack overflow (500).
        const depth = 998; // + the body and data: 1,000 levels
        const res = await s.request("POST", CM, {
          text: `{"metadata":{"name":"deep-ok"},"data":{"a":${
            '{"b":'.repeat(depth)
          }1${"}".repeat(depth)}}}`,
          headers: JSON_TYPE,
        });
        assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
        assert.equal(
          res.body.message,
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ConfigMap.data of type string',
        );
      },
    );

    await t.step(
      "a custom resource as deep as the limit is stored, read and patched",
      async () => {
        const crd = await s.request(
          "POST",
          "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
          {
            body: {
              metadata: { name: "widgets.example.com" },
              spec: {
                group: "example.com",
                scope: "Namespaced",
                names: { plural: "widgets", kind: "Widget" },
                versions: [{
                  name: "v1",
                  served: true,
                  storage: true,
                  schema: {
                    openAPIV3Schema: {
                      type: "object",
                      properties: {
                        spec: {
                          type: "object",
                          "x-kubernetes-preserve-unknown-fields": true,
                        },
                      },
                    },
                  },
                }],
              },
            },
          },
        );
        assert.equal(crd.status, 201);
        const path = "/apis/example.com/v1/namespaces/default/widgets";
        for (let i = 0; i < 100; i++) {
          if ((await s.request("GET", path)).status === 200) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        const depth = 998; // + the body and spec: 1,000 levels
        const deep = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
        const created = await s.request("POST", path, {
          text:
            `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"x":${deep}}}`,
          headers: JSON_TYPE,
        });
        assert.equal(
          created.status,
          201,
          JSON.stringify(created.body).slice(0, 300),
        );
        assert.equal((await s.request("GET", `${path}/w`)).status, 200);
        const patched = await s.request("PATCH", `${path}/w`, {
          text: '{"spec":{"y":1}}',
          headers: { "content-type": "application/merge-patch+json" },
        });
        assert.equal(patched.status, 200);
        assert.equal((await s.request("GET", path)).status, 200);
        const tooDeep = await s.request("POST", path, {
          text:
            `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w2"},"spec":{"x":{"b":${deep}}}}`,
          headers: JSON_TYPE,
        });
        assert.equal(tooDeep.status, 400);
      },
    );

    await t.step("deep patches of every type are a 400", async () => {
      const deep = "[".repeat(100_000) + "]".repeat(100_000);
      for (
        const [type, text] of [
          ["application/merge-patch+json", `{"data":{"a":${deep}}}`],
          ["application/strategic-merge-patch+json", `{"data":{"a":${deep}}}`],
          [
            "application/json-patch+json",
            `[{"op":"add","path":"/data/x","value":${deep}}]`,
          ],
          [
            "application/apply-patch+yaml",
            `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"small"},"data":{"a":${deep}}}`,
          ],
        ]
      ) {
        const res = await s.request("PATCH", `${CM}/small?fieldManager=t`, {
          text,
          headers: { "content-type": type },
        });
        assert.equal(res.status, 400, `${type}: ${res.body.message}`);
        assert.match(res.body.message, /exceeded max depth/);
      }
    });

    await t.step("a YAML alias bomb is a 400", async () => {
      const lines = [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const cur = String.fromCharCode(97 + i);
        lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]`);
      }
      const res = await s.request("POST", CM, {
        text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n${
          lines.map((l) => `  ${l}`).join("\n").replace(/^ {2}/, "bomb:\n  ")
        }\n`,
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
      assert.equal(res.body.kind, "Status");
      assert.match(res.body.message, /alias/i);
    });

    await t.step("a deeply nested YAML body is a 400", async () => {
      const depth = 100_000;
      const res = await s.request("POST", CM, {
        text: `metadata:\n  name: y\ndata:\n  a: ${"[".repeat(depth)}${
          "]".repeat(depth)
        }\n`,
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(res.status, 400);
      assert.match(res.body.message, /exceeded max depth/);
    });

    await t.step(
      "a protobuf body with deeply nested fieldsV1 is a 400",
      async () => {
        const depth = 100_000;
        const raw = new TextEncoder().encode(
          `${'{"f:a":'.repeat(depth)}{}${"}".repeat(depth)}`,
        );
        const bytes = protobufBody(
          "v1",
          "ConfigMap",
          "k8s.io.api.core.v1.ConfigMap",
          {
            metadata: {
              name: "pb",
              managedFields: [{
                manager: "m",
                fieldsType: "FieldsV1",
                fieldsV1: { raw },
              }],
            },
          },
        );
        const answer = await s.api.handler(
          new Request(`http://hyperplane.test${CM}`, {
            method: "POST",
            headers: { "content-type": "application/vnd.kubernetes.protobuf" },
            body: new Uint8Array(bytes),
          }),
          { user: ADMIN },
        );
        const status = await answer.json();
        assert.equal(answer.status, 400, JSON.stringify(status).slice(0, 300));
        assert.match(
          status.message,
          /decoded as protobuf: .*exceeded max depth/,
        );
      },
    );

    await t.step(
      "a 2.9 MiB body of tiny keys is answered and a small GET meanwhile completes",
      async () => {
        const { text, keys } = manyKeys("many", 2.9 * 1024 * 1024);
        const started = performance.now();
        const big = s.request("POST", CM, { text, headers: JSON_TYPE });
        const small = s.request("GET", `${CM}/small`).then((r) => ({
          status: r.status,
          ms: performance.now() - started,
        }));
        const [bigRes, smallRes] = await Promise.all([big, small]);
        console.log(
          `${keys} keys: ${bigRes.status} in ${
            (performance.now() - started).toFixed(0)
          } ms; the concurrent GET took ${smallRes.ms.toFixed(0)} ms`,
        );
        assert.ok(bigRes.status < 500, String(bigRes.status));
        assert.equal(bigRes.body.kind, "Status");
        assert.equal(bigRes.status, 413);
        assert.equal(smallRes.status, 200);
      },
    );
  } finally {
    await s.close();
  }
});
