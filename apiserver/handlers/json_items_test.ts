import assert from "node:assert/strict";
import { hasTypeMeta, withoutTypeMeta } from "./json_items.ts";

/** What the decoding path writes for a list item. */
function decoded(json: string): string {
  const { apiVersion: _a, kind: _k, ...rest } = JSON.parse(json);
  return JSON.stringify(rest);
}

const tricky = {
  s: 'a "quoted" \\ backslash \\" and }{][, "kind":"x"',
  nested: { kind: "inner", apiVersion: "inner/v1", list: [1, [2, { a: "]" }]] },
  n: -1.5e-7,
  t: true,
  f: false,
  z: null,
  empty: {},
  arr: [],
  'key with \\"quote': "v\\\\",
};

const cases: Record<string, unknown>[] = [
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: {} },
  { metadata: { name: "a" }, data: { k: "v" }, apiVersion: "v1", kind: "X" },
  { metadata: { name: "a" }, apiVersion: "v1", data: tricky, kind: "X" },
  { kind: "X", ...tricky, apiVersion: "g/v1" },
  { metadata: {}, ...tricky },
  { apiVersion: "v1" },
  { kind: "K", x: 1 },
  {},
  { "1": "integer keys first", apiVersion: "v1", kind: "K", b: [{}] },
];

Deno.test("list items from stored JSON equal the decode-and-encode path", () => {
  for (const c of cases) {
    const json = JSON.stringify(c);
    assert.equal(withoutTypeMeta(json), decoded(json), json);
  }
});

Deno.test("a stored text is a GET answer only with the kind's own type meta", () => {
  const json = (o: unknown) => JSON.stringify(o);
  assert.ok(hasTypeMeta(json(cases[0]), "v1", "ConfigMap"));
  assert.ok(hasTypeMeta(json(cases[1]), "v1", "X"));
  assert.ok(hasTypeMeta(json(cases[3]), "g/v1", "X"));
  assert.equal(hasTypeMeta(json(cases[0]), "v1", "Secret"), false);
  assert.equal(hasTypeMeta(json(cases[0]), "v2", "ConfigMap"), false);
  assert.equal(hasTypeMeta(json(cases[4]), "inner/v1", "inner"), false);
  assert.equal(hasTypeMeta(json(cases[5]), "v1", "ConfigMap"), false);
  assert.equal(hasTypeMeta("{}", "v1", "ConfigMap"), false);
});

Deno.test("the stored-suffix shortcut agrees with the full scan", () => {
  const json = (o: unknown) => JSON.stringify(o);
  // type meta last, at the top level: the shortcut's case
  assert.ok(hasTypeMeta(json(cases[1]), "v1", "X"));
  assert.ok(hasTypeMeta('{"apiVersion":"v1","kind":"X"}', "v1", "X"));
  // the same members nested in the last value, or inside a string, are not
  // the object's own
  assert.equal(
    hasTypeMeta(json({ x: { apiVersion: "v1", kind: "X" } }), "v1", "X"),
    false,
  );
  assert.equal(
    hasTypeMeta(json({ s: ',"apiVersion":"v1","kind":"X"}' }), "v1", "X"),
    false,
  );
  assert.equal(
    hasTypeMeta(json({ a: [{ apiVersion: "v1", kind: "X" }] }), "v1", "X"),
    false,
  );
  // type meta in another order or place: found by the scan
  assert.ok(
    hasTypeMeta(json({ kind: "X", a: 1, apiVersion: "v1" }), "v1", "X"),
  );
  // a kind with characters JSON escapes
  const odd = 'K"\\';
  assert.ok(
    hasTypeMeta(json({ a: 1, apiVersion: "v1", kind: odd }), "v1", odd),
  );
});

Deno.test("list items: the stored-tail shortcut agrees with the decode path", () => {
  const json = (o: unknown) => JSON.stringify(o);
  for (
    const o of [
      // the shortcut's case: type meta last, plain strings
      {
        metadata: { name: "a" },
        data: { v: "x" },
        apiVersion: "v1",
        kind: "K",
      },
      { a: 1, apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
      { s: tricky.s, apiVersion: "", kind: "" },
      // the same tail nested in the last value, or inside a string
      { x: { apiVersion: "v1", kind: "X" } },
      { s: ',"apiVersion":"v1","kind":"X"}' },
      { a: [{ apiVersion: "v1", kind: "X" }] },
      { a: 1, apiVersion: "v1", kind: "X", b: { apiVersion: "v1", kind: "X" } },
      // values JSON escapes: the scan
      { a: 1, apiVersion: "v1", kind: 'K"\\' },
      { a: 1, apiVersion: "g\\/v1", kind: "K" },
      // type meta alone, or not last
      { apiVersion: "v1", kind: "X" },
      { apiVersion: "v1", a: 1, kind: "X" },
    ]
  ) {
    assert.equal(withoutTypeMeta(json(o)), decoded(json(o)), json(o));
  }
});

Deno.test("text that is not a stored object is refused", () => {
  assert.throws(() => withoutTypeMeta("[1]"), SyntaxError);
  assert.throws(() => withoutTypeMeta('{"a":"unterminated'), SyntaxError);
  assert.throws(
    () => withoutTypeMeta('[1,"apiVersion":"v1","kind":"X"}'),
    SyntaxError,
  );
});
