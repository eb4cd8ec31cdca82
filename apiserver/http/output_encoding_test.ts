import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { encodeForClient } from "./output_encoding.ts";
import { ApiResponse, errorResponse, jsonResponse } from "./response.ts";
import { indentJson } from "./pretty_json.ts";
import { compareYamlKeys, yamlOfJson } from "./yaml_output.ts";
import { ApiError } from "../status/mod.ts";

const CM = {
  kind: "ConfigMap",
  apiVersion: "v1",
  metadata: { name: "x", labels: { b: "yes", a10: "1", a9: "2" } },
  data: { multi: "one\ntwo\n", empty: "", quote: 'say "hi" {[,:]}' },
  list: [{ a: 1 }, [], {}],
};

const request = (headers: Record<string, string> = {}) =>
  new Request("http://h/api/v1/namespaces/d/configmaps/x", { headers });

async function encode(
  res: Response,
  headers: Record<string, string> = {},
  query = "",
): Promise<Response> {
  return await encodeForClient(
    request(headers),
    new URLSearchParams(query),
    res,
  );
}

Deno.test("indentJson writes Go's MarshalIndent of the compact text", () => {
  for (
    const v of [
      CM,
      [],
      {},
      "s",
      12.5,
      null,
      { a: [[]], 'k\\"': "\u2028\\n", n: -1e-7, t: true },
    ]
  ) {
    const compact = JSON.stringify(v);
    // JSON.stringify(v, null, 2) has MarshalIndent's layout
    assert.equal(indentJson(compact + "\n"), JSON.stringify(v, null, 2));
  }
  // key order and number spelling are the compact text's own
  assert.equal(indentJson('{"b":1E+2,"a":1}'), '{\n  "b": 1E+2,\n  "a": 1\n}');
});

Deno.test("yamlOfJson: sorted keys (go-yaml's natural order), block style", () => {
  const text = yamlOfJson(JSON.stringify(CM));
  assert.deepEqual(parseYaml(text), CM);
  assert.equal(
    text,
    [
      "apiVersion: v1",
      "data:",
      '  empty: ""',
      "  multi: |",
      "    one",
      "    two",
      `  quote: say "hi" {[,:]}`,
      "kind: ConfigMap",
      "list:",
      "- a: 1",
      "- []",
      "- {}",
      "metadata:",
      "  labels:",
      '    a9: "2"',
      '    a10: "1"',
      '    b: "yes"',
      "  name: x",
      "",
    ].join("\n"),
  );
  const sorted = (keys: string[]) => [...keys].sort(compareYamlKeys);
  assert.deepEqual(sorted(["a10", "a9", "a"]), ["a", "a9", "a10"]);
  assert.deepEqual(sorted(["ab", "a1"]), ["a1", "ab"]);
  assert.deepEqual(sorted(["1-", "1a"]), ["1a", "1-"]);
  assert.deepEqual(sorted(["b", "B", "_"]), ["_", "B", "b"]);
});

Deno.test("encodeForClient leaves plain clients' answers as they are", async () => {
  for (
    const headers of [
      {} as Record<string, string>,
      { accept: "application/json", "user-agent": "kubectl/v1.35.2" },
      { accept: "application/vnd.kubernetes.protobuf, */*" },
      {
        accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
      },
    ]
  ) {
    const res = jsonResponse(CM);
    assert.equal(await encode(res, headers), res);
  }
  // curl with ?pretty=false, and anything not an ApiResponse
  const res = jsonResponse(CM);
  assert.equal(
    await encode(res, { "user-agent": "curl/8.5.0" }, "pretty=false"),
    res,
  );
  const watch = new Response("{}\n", {
    headers: { "content-type": "application/json" },
  });
  assert.equal(
    await encode(watch, { "user-agent": "curl/8.5.0", accept: "text/plain" }),
    watch,
  );
});

Deno.test("encodeForClient: curl, ?pretty and pretty=1 get indented JSON", async () => {
  const want = JSON.stringify(CM, null, 2);
  for (
    const [headers, query] of [
      [{ "user-agent": "curl/8.5.0" }, ""],
      [{ "user-agent": "Wget/1.21" }, ""],
      [{}, "pretty=1"],
      [{ "user-agent": "kubectl/v1.35.2" }, "pretty=True"],
      [{ accept: "application/json;pretty=1" }, ""],
      [{ accept: "application/json;pretty=1" }, "pretty=false"],
    ] as const
  ) {
    const res = await encode(jsonResponse(CM, 201), headers, query);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(await res.text(), want, JSON.stringify([headers, query]));
  }
  // errors too, with their code and headers
  const err = new ApiError(429, "TooManyRequests", "slow down", undefined, {
    "Retry-After": "1",
  });
  const res = await encode(errorResponse(err), { "user-agent": "curl/8" });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "1");
  assert.equal(await res.text(), JSON.stringify(err.toStatus(), null, 2));
});

Deno.test("encodeForClient: application/yaml gets YAML (objects and errors)", async () => {
  const res = await encode(jsonResponse(CM), {
    accept: "application/yaml",
    "user-agent": "curl/8.5.0", // no pretty form of YAML
  });
  assert.equal(res.headers.get("content-type"), "application/yaml");
  assert.deepEqual(parseYaml(await res.text()), CM);
  const err = new ApiError(404, "NotFound", 'configmaps "x" not found');
  const e = await encode(errorResponse(err), { accept: "application/yaml" });
  assert.equal(e.status, 404);
  assert.equal(e.headers.get("content-type"), "application/yaml");
  assert.deepEqual(parseYaml(await e.text()), err.toStatus());
});

Deno.test("encodeForClient: an Accept nothing serves is 406 in pretty JSON", async () => {
  const res = await encode(jsonResponse(CM), { accept: "text/plain" });
  assert.equal(res.status, 406);
  assert.equal(res.headers.get("content-type"), "application/json");
  const text = await res.text();
  assert.ok(text.startsWith('{\n  "kind": "Status"'), text);
  assert.equal(
    JSON.parse(text).message,
    "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
  );
  // an error keeps its code, written as upstream's WriteRawJSON
  const err = new ApiError(404, "NotFound", "nope");
  const e = await encode(errorResponse(err), { accept: "text/plain" });
  assert.equal(e.status, 404);
  assert.equal(await e.text(), JSON.stringify(err.toStatus(), null, 2));
});

Deno.test("encodeForClient: aggregated discovery is only indented", async () => {
  const type =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  const doc = { kind: "APIGroupDiscoveryList", items: [] };
  const accept = `${type},application/json`;
  const plain = jsonResponse(doc, 200, type);
  assert.equal(await encode(plain, { accept }), plain);
  const res = await encode(jsonResponse(doc, 200, type), {
    accept,
    "user-agent": "curl/8",
  });
  assert.equal(res.headers.get("content-type"), type);
  assert.equal(await res.text(), JSON.stringify(doc, null, 2));
  assert.ok(res instanceof ApiResponse);
});
