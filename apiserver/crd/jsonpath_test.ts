import assert from "node:assert/strict";
import {
  evalJsonPath,
  JsonPathError,
  parseJsonPath,
  printJsonValue,
} from "./jsonpath.ts";

const obj = {
  metadata: { name: "a", labels: { "app.kubernetes.io/name": "web" } },
  spec: { replicas: 3, items: [{ n: 1 }, { n: 2 }, { n: 3 }] },
  status: {
    conditions: [
      { type: "Progressing", status: "False" },
      { type: "Ready", status: "True" },
    ],
  },
};

function ev(p: string): unknown[] {
  return evalJsonPath(parseJsonPath(p), obj);
}

Deno.test("simple field paths select one value", () => {
  assert.deepEqual(ev(".spec.replicas"), [3]);
  assert.deepEqual(ev("{.metadata.name}"), ["a"]);
  assert.deepEqual(ev("$.metadata.name"), ["a"]);
  assert.deepEqual(ev(".spec.missing"), []);
});

Deno.test("quoted keys, indexes, slices and wildcards work", () => {
  assert.deepEqual(ev(".metadata.labels['app.kubernetes.io/name']"), ["web"]);
  assert.deepEqual(ev(".spec.items[1].n"), [2]);
  assert.deepEqual(ev(".spec.items[-1].n"), [3]);
  assert.deepEqual(ev(".spec.items[0:2].n"), [1, 2]);
  assert.deepEqual(ev(".spec.items[*].n"), [1, 2, 3]);
  assert.deepEqual(ev("..n"), [1, 2, 3]);
});

Deno.test("filters select list items", () => {
  assert.deepEqual(ev('.status.conditions[?(@.type=="Ready")].status'), [
    "True",
  ]);
  assert.deepEqual(ev(".status.conditions[?(@.type!='Ready')].type"), [
    "Progressing",
  ]);
  assert.deepEqual(ev(".spec.items[?(@.n > 1)].n"), [2, 3]);
  assert.deepEqual(ev(".spec.items[?(@.n)].n"), [1, 2, 3]);
});

Deno.test("malformed paths are rejected", () => {
  for (const p of ["", "spec", ".spec[", ".a[?(@.x==)]", ".a['x"]) {
    assert.throws(() => parseJsonPath(p), JsonPathError, p);
  }
});

Deno.test("values print as Go prints them", () => {
  assert.equal(printJsonValue("s"), "s");
  assert.equal(printJsonValue(3), "3");
  assert.equal(printJsonValue([1, "a"]), "[1 a]");
  assert.equal(printJsonValue({ b: 1, a: true }), "map[a:true b:1]");
});
