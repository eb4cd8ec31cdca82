import assert from "node:assert/strict";
import { duplicateFields } from "./duplicate_fields.ts";
import { duplicateFieldsYaml } from "./duplicate_fields_yaml.ts";

Deno.test("duplicate keys are found at any depth, with list indexes", () => {
  const text = `{
    "kind": "ConfigMap",
    "data": {"a": "1", "b": "2", "a": "3"},
    "metadata": {"name": "x", "labels": {"k": "v"}, "name": "y"},
    "items": [{"kind": "A"}, {"kind": "B", "kind": "C"}],
    "data": {}
  }`;
  assert.deepEqual(duplicateFields(text), [
    "data.a",
    "metadata.name",
    "items[1].kind",
    "data",
  ]);
});

Deno.test("keys are compared after unescaping and strings may hold braces", () => {
  const text =
    '{"a": "}{,\\"[", "\\u0061": 1, "b": ["x,y", {"c": "\\\\"}], "c": 2}';
  assert.deepEqual(duplicateFields(text), ["a"]);
});

Deno.test("a body without repeats, scalars and empty input report nothing", () => {
  assert.deepEqual(
    duplicateFields('{"a": {"a": {"a": 1}}, "b": [1, 2, 3]}'),
    [],
  );
  assert.deepEqual(duplicateFields("42"), []);
  assert.deepEqual(duplicateFields(""), []);
  assert.deepEqual(duplicateFields('{"a": 1, "a": '), ["a"]);
});

Deno.test("duplicate keys in YAML are found with their path and line", () => {
  const text = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: a",
    "  name: b",
    "data:",
    "  x: '1'",
    "rules:",
    "- verbs: [get]",
    "  verbs: [list]",
    "data: {}",
  ].join("\n");
  assert.deepEqual(duplicateFieldsYaml(text), [
    { path: "metadata.name", line: 5 },
    { path: "rules[0].verbs", line: 10 },
    { path: "data", line: 11 },
  ]);
  assert.deepEqual(duplicateFieldsYaml("a: 1\nb: 2\n"), []);
});
