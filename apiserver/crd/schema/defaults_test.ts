import assert from "node:assert/strict";
import type { Schema } from "../../schema/types.ts";
import { cronTabSchema } from "../../../tests/support/crd_testdata.ts";
import { applyDefaults } from "./defaults.ts";

Deno.test("missing fields take their default", () => {
  const obj = applyDefaults({ spec: { image: "x" } }, cronTabSchema());
  assert.deepEqual(obj, { spec: { image: "x", replicas: 1 } });
});

Deno.test("defaults apply inside list items", () => {
  const obj = applyDefaults(
    { spec: { ports: [{ name: "a" }, { name: "b", port: 8 }] } },
    cronTabSchema(),
  );
  assert.deepEqual(obj.spec.ports, [
    { name: "a", port: 80, protocol: "TCP" },
    { name: "b", port: 8, protocol: "TCP" },
  ]);
});

Deno.test("defaults apply inside additionalProperties and defaulted values", () => {
  const s: Schema = {
    type: "object",
    properties: {
      m: {
        type: "object",
        additionalProperties: {
          type: "object",
          properties: { n: { type: "integer", default: 7 } },
        },
      },
      o: {
        type: "object",
        default: {},
        properties: { x: { type: "string", default: "d" } },
      },
    },
  };
  assert.deepEqual(applyDefaults({ m: { a: {}, b: { n: 1 } } }, s), {
    m: { a: { n: 7 }, b: { n: 1 } },
    o: { x: "d" },
  });
});

Deno.test("null in a non-nullable field takes the default or is dropped", () => {
  const s: Schema = {
    type: "object",
    properties: {
      a: { type: "string", default: "x" },
      b: { type: "string" },
      c: { type: "string", nullable: true },
    },
  };
  assert.deepEqual(applyDefaults({ a: null, b: null, c: null }, s), {
    a: "x",
    c: null,
  });
});
