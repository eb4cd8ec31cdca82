import assert from "node:assert/strict";
import { yaml } from "../../internal/lazy_npm.ts";
import { ApiError } from "../status/mod.ts";
import { duplicateFieldsYaml } from "../schema/mod.ts";
import { applyPatchDuplicates, parseApplyPatch } from "./apply_patch.ts";

const CM = { apiVersion: "v1", kind: "ConfigMap" };

/** What the YAML parser alone makes of `text` (the decoder before JSON). */
function viaYaml(text: string): unknown {
  return yaml().parse(text, { uniqueKeys: false, maxAliasCount: 100 });
}

/** The error `f` throws, as an ApiError. */
function failure(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail("no error");
}

Deno.test("a JSON apply body decodes to what the YAML parser gives", () => {
  const texts = [
    JSON.stringify({
      ...CM,
      metadata: { name: "a", labels: { "x/y": "1" } },
      data: { s: 'é\u2028"q"\\', n: "12", e: "" },
      extra: [1, -0.5, 1e21, 12345678901234567890, true, null, [], {}],
    }),
    // Whitespace around and inside, as pretty printers write it.
    `\n\t ${JSON.stringify({ ...CM, metadata: { name: "b" } }, null, 2)}\r\n`,
    // Escapes YAML and JSON both decode.
    String
      .raw`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"u":"\u00e9\/\b\f\n\r\t"}}`,
    // Repeated keys: the last wins in both.
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"data":{"k":"1","k":"2"}}`,
  ];
  for (const text of texts) {
    assert.deepEqual(parseApplyPatch(text, CM), viaYaml(text), text);
  }
  const dup = parseApplyPatch(texts[3], CM) as { data: { k: string } };
  assert.equal(dup.data.k, "2");
});

Deno.test("a YAML apply body still goes through the YAML parser", () => {
  const text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n" +
    "data:\n  k: yes\n  n: 0x10\n";
  assert.deepEqual(parseApplyPatch(text, CM), viaYaml(text));
  // Flow style that is not JSON (unquoted keys) is YAML.
  const flow = "{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}";
  assert.deepEqual(parseApplyPatch(flow, CM), viaYaml(flow));
});

Deno.test("broken JSON is reported by the YAML parser, as before", () => {
  for (
    const text of [
      `{"apiVersion":"v1","kind":"ConfigMap",`,
      `{"apiVersion":"v1","kind":"ConfigMap"}}`,
      `{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"1"]}`,
    ]
  ) {
    assert.throws(() => JSON.parse(text));
    let yamlError = "";
    try {
      viaYaml(text);
    } catch (e) {
      yamlError = (e as Error).message;
    }
    assert.ok(yamlError, `the YAML parser refuses ${text}`);
    const e = failure(() => parseApplyPatch(text, CM));
    assert.equal(e.code, 400);
    assert.equal(e.message, `error decoding YAML: ${yamlError}`);
  }
});

Deno.test("a JSON apply body is held to the same limits and type checks", () => {
  const deep = `{"apiVersion":"v1","kind":"ConfigMap","x":${"[".repeat(1_001)}${
    "]".repeat(1_001)
  }}`;
  const tooDeep = failure(() => parseApplyPatch(deep, CM));
  assert.equal(tooDeep.code, 400);
  assert.equal(
    tooDeep.message,
    "the body of the request could not be decoded as YAML: exceeded max depth of 1000",
  );

  const fields = Array.from({ length: 100_001 }, (_, i) => `"f${i}":0`);
  const many = failure(() =>
    parseApplyPatch(
      `{"apiVersion":"v1","kind":"ConfigMap",${fields.join(",")}}`,
      CM,
    )
  );
  assert.equal(many.code, 413);

  const notObject = failure(() =>
    parseApplyPatch(`[{"kind":"ConfigMap"}]`, CM)
  );
  assert.equal(
    notObject.message,
    "error decoding YAML: the applied configuration must be an object",
  );

  const version = failure(() =>
    parseApplyPatch(`{"apiVersion":"v2","kind":"ConfigMap"}`, CM)
  );
  assert.equal(
    version.message,
    "Incorrect version specified in apply patch. Specified patch version: v2, expected: v1",
  );
  const kind = failure(() =>
    parseApplyPatch(`{"apiVersion":"v1","kind":"Secret"}`, CM)
  );
  assert.equal(
    kind.message,
    'apply patch kind "Secret" does not match the kind of the request "ConfigMap"',
  );
});

Deno.test("repeated keys of an apply body are found with their lines", () => {
  const none = JSON.stringify({ ...CM, data: { a: "1", b: "2" } }, null, 2);
  assert.deepEqual(applyPatchDuplicates(none), []);

  const json = `{\n"apiVersion":"v1",\n"kind":"ConfigMap",\n` +
    `"data":{"a":"1",\n"a":"2"},\n"kind":"ConfigMap"}`;
  const found = applyPatchDuplicates(json);
  assert.deepEqual(found, duplicateFieldsYaml(json));
  assert.deepEqual(found, [{ path: "data.a", line: 5 }, {
    path: "kind",
    line: 6,
  }]);

  // An escaped spelling of the same key is the same key.
  const escaped =
    `{"apiVersion":"v1","kind":"ConfigMap","d\\u0061ta":{},"data":{}}`;
  assert.deepEqual(applyPatchDuplicates(escaped), [{ path: "data", line: 1 }]);

  const yamlText = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: 1\n  a: 2\n";
  assert.deepEqual(applyPatchDuplicates(yamlText), [{
    path: "data.a",
    line: 5,
  }]);
});
