import assert from "node:assert/strict";
import type { Schema } from "../../schema/types.ts";
import { formatFieldError } from "../../validation/field_error.ts";
import { cronTabSchema } from "../../../tests/support/crd_testdata.ts";
import { validateValue } from "./validate_value.ts";

function messages(value: unknown, schema: Schema): string[] {
  return validateValue(value, schema).map(formatFieldError);
}

function cronTab(spec: Record<string, unknown>): unknown {
  return {
    apiVersion: "stable.example.com/v1",
    kind: "CronTab",
    metadata: { name: "x" },
    spec,
  };
}

Deno.test("a valid CronTab has no errors", () => {
  assert.deepEqual(
    messages(
      cronTab({ cronSpec: "* * * * */5", image: "img", replicas: 3 }),
      cronTabSchema(),
    ),
    [],
  );
});

Deno.test("bounds are reported with upstream's wording", () => {
  assert.deepEqual(messages(cronTab({ replicas: 0 }), cronTabSchema()), [
    "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
  ]);
  assert.deepEqual(messages(cronTab({ replicas: 11 }), cronTabSchema()), [
    "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
  ]);
  const s: Schema = {
    type: "number",
    minimum: 0,
    exclusiveMinimum: true,
    maximum: 5,
    exclusiveMaximum: true,
    multipleOf: 0.5,
  };
  assert.deepEqual(messages(0, s), [
    ": Invalid value: 0:  in body should be greater than 0",
  ]);
  assert.deepEqual(validateValue(5, s, "x").map((e) => e.detail), [
    "x in body should be less than 5",
  ]);
  assert.deepEqual(validateValue(1.2, s, "x").map((e) => e.detail), [
    "x in body should be a multiple of 0.5",
  ]);
});

Deno.test("wrong types name the expected and the actual type", () => {
  assert.deepEqual(messages(cronTab({ replicas: "3" }), cronTabSchema()), [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  ]);
  assert.deepEqual(messages(cronTab({ replicas: 1.5 }), cronTabSchema()), [
    'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
  ]);
  assert.deepEqual(messages(cronTab({ image: null }), cronTabSchema()), [
    'spec.image: Invalid value: "null": spec.image in body must be of type string: "null"',
  ]);
});

Deno.test("nullable fields accept null", () => {
  const s: Schema = {
    type: "object",
    properties: { a: { type: "string", nullable: true } },
  };
  assert.deepEqual(messages({ a: null }, s), []);
});

Deno.test("pattern, lengths and enums use upstream's messages", () => {
  assert.deepEqual(
    messages(cronTab({ cronSpec: "bad" }), cronTabSchema()),
    [
      `spec.cronSpec: Invalid value: "bad": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'`,
    ],
  );
  const s: Schema = { type: "string", minLength: 2, maxLength: 3 };
  assert.deepEqual(validateValue("a", s, "f").map(formatFieldError), [
    'f: Invalid value: "a": f in body should be at least 2 chars long',
  ]);
  assert.deepEqual(validateValue("abcd", s, "f").map(formatFieldError), [
    "f: Too long: may not be more than 3 bytes",
  ]);
  const e: Schema = { type: "string", enum: ["a", "b"] };
  assert.deepEqual(validateValue("x", e, "f").map(formatFieldError), [
    'f: Unsupported value: "x": supported values: "a", "b"',
  ]);
});

Deno.test("item counts are checked", () => {
  const s: Schema = {
    type: "array",
    items: { type: "integer" },
    minItems: 1,
    maxItems: 3,
  };
  assert.deepEqual(validateValue([], s, "l").map(formatFieldError), [
    "l: Invalid value: array: l in body should have at least 1 items",
  ]);
  assert.deepEqual(validateValue([1, 2, 3, 4], s, "l").map((e) => e.detail), [
    "must have at most 3 items",
  ]);
  assert.deepEqual(validateValue([1, "x"], s, "l").map((e) => e.field), [
    "l[1]",
  ]);
});

Deno.test("required fields are reported by path", () => {
  const s: Schema = {
    type: "object",
    required: ["spec"],
    properties: {
      spec: {
        type: "object",
        required: ["image"],
        properties: { image: { type: "string" } },
      },
    },
  };
  assert.deepEqual(messages({}, s), ["spec: Required value"]);
  assert.deepEqual(messages({ spec: {} }, s), ["spec.image: Required value"]);
});

Deno.test("formats are checked on strings", () => {
  const cases: Array<[string, string, boolean]> = [
    ["date-time", "2024-01-02T03:04:05Z", true],
    ["date-time", "2024-13-02T03:04:05Z", false],
    ["date", "2024-02-29", true],
    ["date", "2023-02-29", false],
    ["email", "a@b.example", true],
    ["email", "nope", false],
    ["uuid", "123e4567-e89b-12d3-a456-426614174000", true],
    ["uuid", "123", false],
    ["ipv4", "10.0.0.1", true],
    ["ipv4", "10.0.0.256", false],
    ["ipv6", "::1", true],
    ["ipv6", "1.2.3", false],
    ["cidr", "10.0.0.0/8", true],
    ["cidr", "10.0.0.0/33", false],
    ["mac", "01:23:45:67:89:ab", true],
    ["mac", "0123", false],
    ["hostname", "example.com", true],
    ["hostname", "-bad-", false],
    ["uri", "https://example.com/x", true],
    ["uri", "not a uri", false],
    ["byte", "aGVsbG8=", true],
    ["byte", "!!", false],
    ["duration", "1h30m", true],
    ["duration", "soon", false],
    ["int32", "anything", true],
  ];
  for (const [format, value, ok] of cases) {
    const errs = validateValue(value, { type: "string", format }, "f");
    assert.equal(errs.length === 0, ok, `${format} ${value}`);
    if (!ok) {
      assert.equal(
        errs[0].detail,
        `f in body must be of type ${format}: ${JSON.stringify(value)}`,
      );
    }
  }
});

Deno.test("int-or-string accepts integers and strings only", () => {
  const s: Schema = { "x-kubernetes-int-or-string": true };
  assert.deepEqual(validateValue(1, s, "p"), []);
  assert.deepEqual(validateValue("50%", s, "p"), []);
  assert.deepEqual(validateValue(true, s, "p").map(formatFieldError), [
    'p: Invalid value: "boolean": p in body must be of type integer,string: "boolean"',
  ]);
});

Deno.test("set and map lists report duplicates", () => {
  const errs = validateValue(
    cronTab({
      tags: ["a", "b", "a"],
      ports: [{ name: "http" }, { name: "http", port: 81 }],
    }),
    cronTabSchema(),
  );
  assert.deepEqual(errs.map((e) => [e.type, e.field]), [
    ["FieldValueDuplicate", "spec.tags[2]"],
    ["FieldValueDuplicate", "spec.ports[1]"],
  ]);
  assert.deepEqual(errs[1].value, { name: "http" });
});

Deno.test("embedded resources need apiVersion and kind", () => {
  const s: Schema = {
    type: "object",
    properties: {
      template: {
        type: "object",
        "x-kubernetes-embedded-resource": true,
        "x-kubernetes-preserve-unknown-fields": true,
      },
    },
  };
  assert.deepEqual(messages({ template: {} }, s), [
    "template.kind: Required value: must not be empty",
    "template.apiVersion: Required value: must not be empty",
  ]);
  assert.deepEqual(
    messages({
      template: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "Bad_Name" },
      },
    }, s).length,
    1,
  );
});

Deno.test("anyOf, oneOf, allOf and not are value validations", () => {
  const s: Schema = {
    type: "string",
    anyOf: [{ pattern: "^a" }, { pattern: "^b" }],
    not: { enum: ["bad"] },
  };
  assert.deepEqual(validateValue("abc", s, "f"), []);
  assert.equal(
    validateValue("cde", s, "f")[0].detail,
    "f in body must validate at least one schema (anyOf)",
  );
  assert.deepEqual(
    validateValue("bad", s, "f").map((e) => e.detail),
    ["f in body must not validate the schema (not)"],
  );
  const one: Schema = {
    type: "integer",
    oneOf: [{ minimum: 0 }, { maximum: 10 }],
  };
  assert.equal(
    validateValue(5, one, "n")[0].detail,
    "n in body must validate one and only one schema (oneOf)",
  );
});

Deno.test("fields under additionalProperties are validated", () => {
  const s: Schema = {
    type: "object",
    additionalProperties: { type: "integer" },
  };
  assert.deepEqual(
    validateValue({ a: 1, b: "x" }, s, "m").map((e) => e.field),
    [
      "m.b",
    ],
  );
});

Deno.test("additionalProperties: false forbids every key", () => {
  const s: Schema = {
    type: "object",
    properties: {
      spec: { type: "object", additionalProperties: false },
    },
  };
  assert.deepEqual(messages({ spec: {} }, s), []);
  assert.deepEqual(messages({ spec: { a: 1 } }, s), [
    'spec: Invalid value: "a": spec.a in body is a forbidden property',
  ]);
});
