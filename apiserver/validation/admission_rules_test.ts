import assert from "node:assert/strict";
import { formatFieldError } from "./field_error.ts";
import {
  requirementValuesErrors,
  type RuleLists,
  validateRuleWithOperations,
} from "./admission_rules.ts";

const rule = (r: Partial<RuleLists>): RuleLists => ({
  operations: ["CREATE"],
  apiGroups: [""],
  apiVersions: ["v1"],
  resources: ["pods"],
  scope: undefined,
  ...r,
});

const messages = (r: Partial<RuleLists>) =>
  validateRuleWithOperations(rule(r), "rules[0]").map(formatFieldError);

Deno.test("a rule naming one operation, group, version and resource is valid", () => {
  assert.deepEqual(messages({}), []);
  assert.deepEqual(messages({ resources: ["pods/*", "*/status"] }), []);
});

Deno.test("rule lists are required and a wildcard stands alone", () => {
  assert.deepEqual(
    messages({ operations: [], apiGroups: ["*", "apps"], apiVersions: [""] }),
    [
      "rules[0].operations: Required value",
      "rules[0].apiGroups: Invalid value: array: if '*' is present, must not specify other API groups",
      "rules[0].apiVersions[0]: Required value",
    ],
  );
  assert.deepEqual(messages({ operations: ["PATCH"], scope: "Global" }), [
    'rules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
    'rules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
  ]);
});

Deno.test("resource wildcards are checked as upstream", () => {
  assert.deepEqual(messages({ resources: ["pods/*", "pods/log"] }), [
    "rules[0].resources[1]: Invalid value: \"pods/log\": if 'pods/*' is present, must not specify pods/log",
  ]);
  assert.deepEqual(messages({ resources: ["*", "pods"] }), [
    "rules[0].resources: Invalid value: array: if '*' is present, must not specify other resources without subresources",
  ]);
  assert.deepEqual(messages({ resources: ["*/*", "pods/log"] }), [
    "rules[0].resources: Invalid value: array: if '*/*' is present, must not specify other resources",
  ]);
});

Deno.test("a requirement's values follow its operator; an unknown operator is the caller's", () => {
  const m = (op: string, values: string[]) =>
    requirementValuesErrors(op, values, "sel.matchExpressions[0]")?.map(
      formatFieldError,
    );
  assert.deepEqual(m("In", []), [
    "sel.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  assert.deepEqual(m("Exists", ["a"]), [
    "sel.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
  ]);
  assert.deepEqual(m("NotIn", ["a"]), []);
  assert.equal(m("Near", []), undefined);
});
