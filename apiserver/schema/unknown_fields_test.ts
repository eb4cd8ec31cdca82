import assert from "node:assert/strict";
import { CONFIG_MAP } from "./core_v1.ts";
import { ROLE } from "./rbac_v1.ts";
import type { Schema } from "./types.ts";
import { unknownFields } from "./unknown_fields.ts";

const configMap = CONFIG_MAP;
const role = ROLE;

Deno.test("a valid object has no unknown fields", () => {
  assert.deepEqual(
    unknownFields({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "a",
        labels: { anything: "goes" },
        ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "1" }],
        managedFields: [{
          manager: "m",
          fieldsV1: { "f:data": { "f:a": {} } },
        }],
      },
      data: { "any.key": "v" },
      binaryData: { k: "AAAA" },
    }, configMap),
    [],
  );
});

Deno.test("unknown fields are reported with their full path", () => {
  assert.deepEqual(
    unknownFields({
      spec: { foo: 1 },
      metadata: { name: "a", nmae: "b", ownerReferences: [{ uid: "1", x: 1 }] },
      data: {},
    }, configMap),
    ["spec", "metadata.nmae", "metadata.ownerReferences[0].x"],
  );
});

Deno.test("unknown fields inside list items name the index", () => {
  assert.deepEqual(
    unknownFields(
      { rules: [{ verbs: ["get"] }, { verbs: ["list"], verbz: ["x"] }] },
      role,
    ),
    ["rules[1].verbz"],
  );
});

Deno.test("map values are checked against additionalProperties", () => {
  const schema: Schema = {
    type: "object",
    properties: {
      things: {
        type: "object",
        additionalProperties: {
          type: "object",
          properties: { size: { type: "integer" } },
        },
      },
      open: { type: "object", additionalProperties: true },
    },
  };
  assert.deepEqual(
    unknownFields({
      things: { a: { size: 1 }, b: { size: 2, colour: "red" } },
      open: { x: { y: 1 } },
    }, schema),
    ["things.b.colour"],
  );
});

Deno.test("preserve-unknown-fields keeps unknown keys but checks declared ones", () => {
  const schema: Schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
        properties: {
          known: { type: "object", properties: { a: { type: "string" } } },
        },
      },
    },
  };
  assert.deepEqual(
    unknownFields(
      { spec: { anything: { deep: 1 }, known: { a: "", b: 1 } } },
      schema,
    ),
    ["spec.known.b"],
  );
});

Deno.test("embedded resources imply apiVersion, kind and ObjectMeta metadata", () => {
  const schema: Schema = {
    type: "object",
    properties: {
      template: {
        type: "object",
        "x-kubernetes-embedded-resource": true,
        properties: { spec: { type: "object", properties: {} } },
      },
    },
  };
  assert.deepEqual(
    unknownFields({
      template: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x", bogus: 1 },
        spec: { y: 1 },
        other: 1,
      },
    }, schema),
    ["template.metadata.bogus", "template.spec.y", "template.other"],
  );
});

Deno.test("int-or-string and values of the wrong type report nothing", () => {
  const schema: Schema = {
    type: "object",
    properties: {
      port: { "x-kubernetes-int-or-string": true },
      name: { type: "string" },
    },
  };
  assert.deepEqual(
    unknownFields({ port: { odd: 1 }, name: { odd: 1 } }, schema),
    [],
  );
  assert.deepEqual(unknownFields("not an object", configMap), []);
  assert.deepEqual(unknownFields(null, configMap), []);
});
