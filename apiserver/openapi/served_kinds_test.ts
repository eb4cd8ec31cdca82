import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { builtinSchema } from "../resources/kind_tables.ts";
import { BUILTIN_RESOURCES } from "../resources/registry.ts";
import { servedKinds, ServedKindsCache } from "./served_kinds.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";

Deno.test("every built-in kind is served with its built-in schema", () => {
  const kinds = servedKinds(BUILTIN_RESOURCES);
  assert.equal(kinds.length, BUILTIN_RESOURCES.length);
  const cm = kinds.find((k) => k.kind === "ConfigMap")!;
  assert.equal(cm.schema, builtinSchema("", "v1", "ConfigMap"));
  assert.ok(cm.verbs.includes("patch"));
});

Deno.test("the served-kind array is reused while the set is the same", () => {
  const cache = new ServedKindsCache<object>();
  const key = {};
  const a = cache.get(key, () => servedKinds(BUILTIN_RESOURCES));
  const b = cache.get(key, () => servedKinds(BUILTIN_RESOURCES));
  assert.equal(a, b);
});

Deno.test("the server answers the OpenAPI v3 index and group versions", async () => {
  const server = await startTestServer();
  try {
    const index = await server.request("GET", "/openapi/v3");
    assert.equal(index.status, 200);
    const url: string = index.body.paths["api/v1"].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=/);
    const doc = await server.request("GET", url);
    assert.equal(doc.status, 200);
    assert.ok(doc.body.components.schemas["io.k8s.api.core.v1.ConfigMap"]);
    const v2 = await server.request("GET", "/openapi/v2", {
      headers: { accept: "application/json" },
    });
    assert.equal(v2.status, 200);
    assert.equal(v2.body.swagger, "2.0");
  } finally {
    await server.close();
  }
});

Deno.test("under a cluster path the v3 index names cluster-relative URLs", async () => {
  const server = await startTestServer();
  try {
    for (const prefix of ["/clusters/c1", "/clusters/c1/control-plane"]) {
      const index = await server.request("GET", `${prefix}/openapi/v3`);
      assert.equal(index.status, 200);
      const url: string = index.body.paths["api/v1"].serverRelativeURL;
      assert.ok(url.startsWith(`${prefix}/openapi/v3/api/v1?hash=`), url);
      const doc = await server.request("GET", url);
      assert.equal(doc.status, 200);
    }
  } finally {
    await server.close();
  }
});

Deno.test("unknown OpenAPI paths are 404 and writes are 405", async () => {
  const server = await startTestServer();
  try {
    const missing = await server.request("GET", "/openapi/v3/apis/nope/v1");
    assert.equal(missing.status, 404);
    const other = await server.request("GET", "/openapi/v4");
    assert.equal(other.status, 404);
    const post = await server.request("POST", "/openapi/v3", { body: {} });
    assert.equal(post.status, 405);
  } finally {
    await server.close();
  }
});

Deno.test("a cluster's CRD kinds appear in that cluster's OpenAPI only", async () => {
  const server = await startTestServer();
  try {
    const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    const created = await server.request("POST", `/clusters/c1${crds}`, {
      body: cronTabCrd(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    let paths: Record<string, { serverRelativeURL: string }> = {};
    for (let i = 0; i < 200; i++) {
      paths = (await server.request("GET", "/clusters/c1/openapi/v3")).body
        .paths;
      if (paths["apis/stable.example.com/v1"]) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const url = paths["apis/stable.example.com/v1"]?.serverRelativeURL;
    assert.ok(url?.startsWith("/clusters/c1/openapi/v3/"), url);
    const doc = await server.request("GET", url);
    assert.equal(doc.status, 200);
    const names = Object.keys(doc.body.components.schemas);
    assert.ok(names.includes("com.example.stable.v1.CronTab"), names.join());
    const root = await server.request("GET", "/openapi/v3");
    assert.equal(root.body.paths["apis/stable.example.com/v1"], undefined);
    const strict = await server.request(
      "POST",
      "/clusters/c1/apis/stable.example.com/v1/namespaces/default/crontabs?fieldValidation=Strict",
      {
        body: {
          apiVersion: "stable.example.com/v1",
          kind: "CronTab",
          metadata: { name: "x" },
          spec: { cronSpec: "* * * * */5", image: "i", bogus: 1 },
        },
      },
    );
    assert.equal(strict.status, 400, JSON.stringify(strict.body));
    assert.match(strict.body.message, /unknown field "spec.bogus"/);
  } finally {
    await server.close();
  }
});
