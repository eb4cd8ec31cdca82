import assert from "node:assert/strict";
import type { Schema } from "../../schema/types.ts";
import { cronTabSchema } from "../../../tests/support/crd_testdata.ts";
import { prune } from "./prune.ts";

Deno.test("unknown fields are removed and reported", () => {
  const obj = {
    apiVersion: "stable.example.com/v1",
    kind: "CronTab",
    metadata: { name: "a", labels: { x: "y" } },
    spec: { image: "i", foo: 1, ports: [{ name: "a", bar: 2 }] },
    extra: true,
  };
  assert.deepEqual(prune(obj, cronTabSchema()), [
    "extra",
    "spec.foo",
    "spec.ports[0].bar",
  ]);
  assert.deepEqual(obj, {
    apiVersion: "stable.example.com/v1",
    kind: "CronTab",
    metadata: { name: "a", labels: { x: "y" } },
    spec: { image: "i", ports: [{ name: "a" }] },
  });
});

Deno.test("preserve-unknown-fields keeps unknown fields but prunes known children", () => {
  const s: Schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
        properties: {
          inner: { type: "object", properties: { a: { type: "string" } } },
        },
      },
    },
  };
  const obj = { spec: { anything: { deep: 1 }, inner: { a: "x", b: 1 } } };
  assert.deepEqual(prune(obj, s), ["spec.inner.b"]);
  assert.deepEqual(obj.spec, { anything: { deep: 1 }, inner: { a: "x" } });
});

Deno.test("embedded resources keep apiVersion, kind and metadata", () => {
  const s: Schema = {
    type: "object",
    properties: {
      template: {
        type: "object",
        "x-kubernetes-embedded-resource": true,
        properties: { spec: { type: "object" } },
      },
    },
  };
  const obj = {
    template: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: {},
      other: 1,
    },
  };
  assert.deepEqual(prune(obj, s), ["template.other"]);
  assert.deepEqual(Object.keys(obj.template), [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
  ]);
});

Deno.test("a non-root value prunes apiVersion and kind too", () => {
  const s: Schema = { type: "object", properties: { a: { type: "string" } } };
  const v = { a: "x", kind: "K" };
  assert.deepEqual(prune(v, s, { isResourceRoot: false }), ["kind"]);
});

Deno.test("additionalProperties true or false keeps keys but empties their objects", () => {
  const s: Schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: { a: { type: "string" } },
        additionalProperties: true,
      },
    },
  };
  const obj = { spec: { a: "x", b: 1, c: { deep: 1 }, d: [{ e: 1 }, 2] } };
  assert.deepEqual(prune(obj, s), ["spec.c.deep", "spec.d[0].e"]);
  assert.deepEqual(obj.spec, { a: "x", b: 1, c: {}, d: [{}, 2] });
});
