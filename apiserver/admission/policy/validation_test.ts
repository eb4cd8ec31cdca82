import assert from "node:assert/strict";
import type { KubeObject } from "../../../storage/mod.ts";
import type { FieldError } from "../../validation/field_error.ts";
import { PolicyCel } from "./cel.ts";
import {
  defaultBinding,
  defaultPolicy,
  validateBinding,
  validatePolicy,
} from "./validation.ts";

const cel = new PolicyCel();

function fields(errs: FieldError[]): string[] {
  return errs.map((e) => `${e.field} ${e.type}`);
}

function policy(spec: Record<string, unknown>): KubeObject {
  const obj = { metadata: { name: "p" }, spec } as KubeObject;
  defaultPolicy(obj);
  return obj;
}

const RULES = {
  resourceRules: [{
    apiGroups: [""],
    apiVersions: ["v1"],
    operations: ["CREATE"],
    resources: ["configmaps"],
  }],
};

Deno.test("a policy gets upstream's v1 defaults", () => {
  const p = policy({ matchConstraints: structuredClone(RULES) }) as {
    spec?: Record<string, unknown>;
  } & KubeObject;
  assert.equal(p.spec!.failurePolicy, "Fail");
  assert.deepEqual(p.spec!.matchConstraints, {
    ...RULES,
    resourceRules: [{ ...RULES.resourceRules[0], scope: "*" }],
    matchPolicy: "Equivalent",
    namespaceSelector: {},
    objectSelector: {},
  });
});

Deno.test("a policy needs matchConstraints with resourceRules and validations or auditAnnotations", () => {
  assert.deepEqual(fields(validatePolicy(policy({}), cel)), [
    "spec.matchConstraints FieldValueRequired",
    "spec.validations FieldValueRequired",
    "spec.auditAnnotations FieldValueRequired",
  ]);
  assert.deepEqual(
    fields(validatePolicy(
      policy({ matchConstraints: {}, validations: [{ expression: "true" }] }),
      cel,
    )),
    ["spec.matchConstraints.resourceRules FieldValueRequired"],
  );
});

Deno.test("a validation needs an expression that compiles, a supported reason and a one-line message", () => {
  const errs = validatePolicy(
    policy({
      matchConstraints: structuredClone(RULES),
      validations: [
        { expression: " " },
        { expression: "object.x +", message: "a\nb", reason: "Teapot" },
        { expression: "true", messageExpression: "1 +" },
      ],
    }),
    cel,
  );
  assert.deepEqual(fields(errs), [
    "spec.validations[0].expression FieldValueRequired",
    "spec.validations[1].expression FieldValueInvalid",
    "spec.validations[1].message FieldValueInvalid",
    "spec.validations[1].reason FieldValueNotSupported",
    "spec.validations[2].messageExpression FieldValueInvalid",
  ]);
  assert.match(errs[1].detail!, /^compilation failed: ERROR: <input>:1:11:/);
  assert.equal(errs[0].detail, "expression is not specified");
});

Deno.test("failurePolicy, matchPolicy, operations, scope and paramKind are checked", () => {
  const errs = validatePolicy(
    policy({
      failurePolicy: "Maybe",
      paramKind: { apiVersion: "a/b/c" },
      matchConstraints: {
        matchPolicy: "Fuzzy",
        resourceRules: [{
          apiGroups: [],
          apiVersions: ["v1"],
          operations: ["PATCH"],
          resources: ["*", "configmaps"],
          scope: "Galaxy",
        }],
      },
      validations: [{ expression: "params.x" }],
    }),
    cel,
  );
  assert.deepEqual(fields(errs), [
    "spec.failurePolicy FieldValueNotSupported",
    "spec.paramKind.apiVersion FieldValueInvalid",
    "spec.paramKind.kind FieldValueRequired",
    "spec.matchConstraints.matchPolicy FieldValueNotSupported",
    "spec.matchConstraints.resourceRules[0].operations[0] FieldValueNotSupported",
    "spec.matchConstraints.resourceRules[0].apiGroups FieldValueRequired",
    "spec.matchConstraints.resourceRules[0].resources FieldValueInvalid",
    "spec.matchConstraints.resourceRules[0].scope FieldValueNotSupported",
  ]);
});

Deno.test("variables need CEL identifiers; matchConditions need names", () => {
  const errs = validatePolicy(
    policy({
      matchConstraints: structuredClone(RULES),
      variables: [{ name: "for", expression: "1" }, {
        name: "",
        expression: "",
      }],
      matchConditions: [{ expression: "true" }],
      validations: [{ expression: "true" }],
    }),
    cel,
  );
  assert.deepEqual(fields(errs), [
    "spec.matchConditions[0].name FieldValueRequired",
    "spec.variables[0].name FieldValueInvalid",
    "spec.variables[1].name FieldValueRequired",
    "spec.variables[1].expression FieldValueRequired",
  ]);
});

function binding(spec: Record<string, unknown>): KubeObject {
  const obj = { metadata: { name: "b" }, spec } as KubeObject;
  defaultBinding(obj);
  return obj;
}

Deno.test("a binding needs policyName and validationActions", () => {
  const errs = validateBinding(binding({}));
  assert.deepEqual(fields(errs), [
    "spec.policyName FieldValueRequired",
    "spec.validationActions FieldValueRequired",
  ]);
  assert.equal(errs[1].detail, "at least one validation action is required");
});

Deno.test("validationActions: supported values, no duplicates, not Deny with Warn", () => {
  const errs = validateBinding(
    binding({
      policyName: "p",
      validationActions: ["Deny", "Warn", "Deny", "Log"],
    }),
  );
  assert.deepEqual(fields(errs), [
    "spec.validationActions[2] FieldValueDuplicate",
    "spec.validationActions[3] FieldValueNotSupported",
    "spec.validationActions FieldValueInvalid",
  ]);
});

Deno.test("paramRef: name xor selector, parameterNotFoundAction required and Allow or Deny", () => {
  assert.deepEqual(
    fields(validateBinding(binding({
      policyName: "p",
      validationActions: ["Deny"],
      paramRef: { name: "x", selector: {} },
    }))),
    [
      "spec.paramRef.name FieldValueForbidden",
      "spec.paramRef.selector FieldValueForbidden",
      "spec.paramRef.parameterNotFoundAction FieldValueRequired",
    ],
  );
  assert.deepEqual(
    fields(validateBinding(binding({
      policyName: "p",
      validationActions: ["Audit"],
      paramRef: { parameterNotFoundAction: "Maybe" },
    }))),
    [
      "spec.paramRef FieldValueRequired",
      "spec.paramRef.parameterNotFoundAction FieldValueNotSupported",
    ],
  );
  assert.deepEqual(
    validateBinding(binding({
      policyName: "p",
      validationActions: ["Warn", "Audit"],
      paramRef: {
        selector: { matchLabels: { a: "b" } },
        parameterNotFoundAction: "Allow",
      },
      matchResources: {
        objectSelector: { matchExpressions: [{ key: "a", operator: "In" }] },
      },
    })).map((e) => e.field),
    ["spec.matchResouces.objectSelector.matchExpressions[0].values"],
  );
});

Deno.test("expressions must have the result type upstream requires (dyn is accepted)", () => {
  const errs = validatePolicy(
    policy({
      matchConstraints: structuredClone(RULES),
      validations: [
        { expression: "'a string'" },
        { expression: "true", messageExpression: "1 + 1" },
        { expression: "object.spec.enabled" },
      ],
      auditAnnotations: [{ key: "k", valueExpression: "true" }],
    }),
    cel,
  );
  assert.deepEqual(errs.map((e) => [e.field, e.detail]), [
    ["spec.validations[0].expression", "must evaluate to bool"],
    ["spec.validations[1].messageExpression", "must evaluate to string"],
    [
      "spec.auditAnnotations[0].valueExpression",
      "must evaluate to one of [string null_type]",
    ],
  ]);
});
