import assert from "node:assert/strict";
import { servedSchema } from "../crd/to_definition.ts";
import type { Schema } from "../schema/mod.ts";
import type { ServedKind } from "./types.ts";
import { openApiV2 } from "./v2.ts";
import { openApiV3 } from "./v3.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const NAME = "com.company.v1.Foo";
const OBJECT_META_V2 =
  "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

function kind(schema: Schema): ServedKind {
  return {
    group: "company.com",
    version: "v1",
    kind: "Foo",
    plural: "foos",
    namespaced: true,
    verbs: ["get", "list", "create", "update", "patch", "delete"],
    schema: servedSchema(schema),
  };
}

function v2Of(schema: Schema): Any {
  return (openApiV2([kind(schema)]) as Any).definitions[NAME];
}

function v3Of(schema: Schema): Any {
  return (openApiV3([kind(schema)]).get("apis/company.com/v1") as Any)
    .components.schemas[NAME];
}

const GVK = [{ group: "company.com", kind: "Foo", version: "v1" }];

Deno.test("v2 publishes a kind with preserve-unknown-fields at the root as a bare object", () => {
  const schema: Schema = {
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
    properties: { spec: { type: "object" } },
  };
  assert.deepEqual(v2Of(schema), {
    type: "object",
    "x-kubernetes-group-version-kind": GVK,
  });
  const v3 = v3Of(schema);
  assert.equal(v3["x-kubernetes-preserve-unknown-fields"], true);
  assert.deepEqual(Object.keys(v3.properties).sort(), [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
  ]);
});

Deno.test("v2 drops what it cannot express below the root; v3 keeps it", () => {
  const schema: Schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        required: ["name", "opt"],
        properties: {
          name: { type: "string", default: "x" },
          opt: { type: "string", nullable: true },
          port: { "x-kubernetes-int-or-string": true },
          free: {
            type: "object",
            "x-kubernetes-preserve-unknown-fields": true,
            properties: { a: { type: "string" } },
          },
          list: {
            type: "array",
            "x-kubernetes-preserve-unknown-fields": true,
            items: { type: "string" },
          },
          either: {
            type: "object",
            properties: { a: { type: "string" }, b: { type: "string" } },
            oneOf: [{ required: ["a"] }, { required: ["b"] }],
            anyOf: [{ required: ["a"] }],
          },
          maybe: {
            type: "object",
            nullable: true,
            properties: { a: { type: "string" } },
          },
        },
      },
    },
  };
  const v2 = v2Of(schema);
  assert.deepEqual(v2.properties.metadata, {
    $ref: OBJECT_META_V2,
    description:
      "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  });
  const spec = v2.properties.spec;
  assert.deepEqual(spec.required, ["name"]);
  assert.deepEqual(spec.properties.name, { type: "string" });
  assert.deepEqual(spec.properties.opt, {});
  assert.deepEqual(spec.properties.port, {
    "x-kubernetes-int-or-string": true,
  });
  assert.deepEqual(spec.properties.free, {
    "x-kubernetes-preserve-unknown-fields": true,
  });
  assert.deepEqual(spec.properties.list, {
    "x-kubernetes-preserve-unknown-fields": true,
  });
  assert.equal(spec.properties.either.oneOf, undefined);
  assert.equal(spec.properties.either.anyOf, undefined);
  assert.deepEqual(spec.properties.maybe, {});

  const v3 = v3Of(schema).properties.spec;
  assert.deepEqual(v3.required, ["name", "opt"]);
  assert.deepEqual(v3.properties.name, { type: "string", default: "x" });
  assert.deepEqual(v3.properties.opt, { type: "string", nullable: true });
  assert.deepEqual(v3.properties.port, {
    "x-kubernetes-int-or-string": true,
    anyOf: [{ type: "integer" }, { type: "string" }],
  });
  assert.equal(v3.properties.free.properties.a.type, "string");
  assert.equal(v3.properties.either.oneOf.length, 2);
  assert.equal(v3.properties.maybe.nullable, true);
});

Deno.test("int-or-string with its own anyOf gets the pattern in allOf (v3)", () => {
  const v3 = v3Of({
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          port: {
            "x-kubernetes-int-or-string": true,
            anyOf: [{ type: "integer" }, { type: "string" }],
          },
          size: {
            "x-kubernetes-int-or-string": true,
            anyOf: [{ minimum: 1 }],
          },
        },
      },
    },
  }).properties.spec.properties;
  assert.deepEqual(v3.port.anyOf, [{ type: "integer" }, { type: "string" }]);
  assert.equal(v3.port.allOf, undefined);
  assert.deepEqual(v3.size.allOf, [{
    anyOf: [{ type: "integer" }, { type: "string" }],
  }]);
});

Deno.test("embedded resources get apiVersion, kind and metadata (v2 not below preserve)", () => {
  const schema: Schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          template: {
            type: "object",
            "x-kubernetes-embedded-resource": true,
            properties: { spec: { type: "object" } },
          },
          raw: {
            type: "object",
            "x-kubernetes-embedded-resource": true,
            "x-kubernetes-preserve-unknown-fields": true,
          },
        },
      },
    },
  };
  for (const doc of [v2Of(schema), v3Of(schema)]) {
    const t = doc.properties.spec.properties.template;
    assert.deepEqual(Object.keys(t.properties).sort(), [
      "apiVersion",
      "kind",
      "metadata",
      "spec",
    ]);
    assert.deepEqual(t.required, ["kind", "apiVersion"]);
  }
  assert.equal(
    v2Of(schema).properties.spec.properties.raw.properties,
    undefined,
  );
  assert.ok(v3Of(schema).properties.spec.properties.raw.properties.metadata);
});
