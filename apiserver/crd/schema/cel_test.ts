import assert from "node:assert/strict";
import type { Schema } from "../../schema/types.ts";
import { formatFieldError } from "../../validation/field_error.ts";
import { CelRules } from "./cel.ts";

const schema: Schema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      "x-kubernetes-validations": [
        {
          rule: "self.minReplicas <= self.replicas",
          message: "replicas must be at least minReplicas",
        },
        { rule: "!has(self.name) || size(self.name) < 5" },
        {
          rule: "self.replicas <= 100",
          messageExpression: "'too many: ' + string(self.replicas)",
        },
      ],
      properties: {
        replicas: { type: "integer" },
        minReplicas: { type: "integer" },
        name: { type: "string" },
        immutable: {
          type: "string",
          "x-kubernetes-validations": [
            { rule: "self == oldSelf", message: "Value is immutable" },
          ],
        },
        ratio: {
          type: "number",
          "x-kubernetes-validations": [{
            rule: "self < 1.0",
            reason: "FieldValueForbidden",
          }],
        },
      },
    },
  },
};

Deno.test("rules see self with integer fields as int", () => {
  const cel = new CelRules();
  assert.deepEqual(
    cel.validate({ spec: { replicas: 3, minReplicas: 1 } }, undefined, schema),
    [],
  );
  assert.deepEqual(
    cel.validate(
      { spec: { replicas: 1, minReplicas: 2, name: "toolong" } },
      undefined,
      schema,
    )
      .map(formatFieldError),
    [
      'spec: Invalid value: "object": replicas must be at least minReplicas',
      'spec: Invalid value: "object": failed rule: !has(self.name) || size(self.name) < 5',
    ],
  );
});

Deno.test("messageExpression builds the message", () => {
  const cel = new CelRules();
  const errs = cel.validate(
    { spec: { replicas: 200, minReplicas: 1 } },
    undefined,
    schema,
  );
  assert.deepEqual(errs.map((e) => e.detail), ["too many: 200"]);
});

Deno.test("transition rules run only on update, against the old value", () => {
  const cel = new CelRules();
  const obj = { spec: { replicas: 1, minReplicas: 1, immutable: "b" } };
  assert.deepEqual(cel.validate(obj, undefined, schema), []);
  const old = { spec: { replicas: 1, minReplicas: 1, immutable: "a" } };
  assert.deepEqual(cel.validate(obj, old, schema).map(formatFieldError), [
    'spec.immutable: Invalid value: "string": Value is immutable',
  ]);
  assert.deepEqual(cel.validate(old, old, schema), []);
});

Deno.test("reason picks the error type and number fields are doubles", () => {
  const cel = new CelRules();
  const errs = cel.validate(
    { spec: { replicas: 1, minReplicas: 1, ratio: 1.5 } },
    undefined,
    schema,
  );
  assert.deepEqual(errs.map(formatFieldError), [
    "spec.ratio: Forbidden: failed rule: self < 1.0",
  ]);
});

Deno.test("evaluation errors name the rule", () => {
  const cel = new CelRules();
  const errs = cel.validate({ spec: { replicas: 1 } }, undefined, schema);
  assert.equal(errs.length, 1);
  assert.match(
    errs[0].detail!,
    /evaluating rule: self.minReplicas <= self.replicas$/,
  );
});

Deno.test("rules that do not compile are reported with their path", () => {
  const cel = new CelRules();
  const bad: Schema = {
    type: "object",
    properties: {
      a: {
        type: "string",
        "x-kubernetes-validations": [{ rule: "quantity(self) > 1" }, {
          rule: "self ==",
        }],
      },
    },
  };
  const errs = cel.compileErrors(bad, "s");
  assert.deepEqual(errs.map((e) => e.field), [
    "s.properties[a].x-kubernetes-validations[0].rule",
    "s.properties[a].x-kubernetes-validations[1].rule",
  ]);
  assert.match(errs[0].detail!, /^compilation failed: /);
});
