import assert from "node:assert/strict";
import {
  fieldProblems,
  InvalidFieldValidationError,
  parseFieldValidation,
  strictDecodingStatus,
  warningHeaderValue,
} from "./field_validation.ts";
import { CONFIG_MAP } from "./core_v1.ts";

const configMap = CONFIG_MAP;

Deno.test("the fieldValidation directive defaults to Warn and rejects others", () => {
  assert.equal(parseFieldValidation(null), "Warn");
  assert.equal(parseFieldValidation(""), "Warn");
  assert.equal(parseFieldValidation("Strict"), "Strict");
  assert.equal(parseFieldValidation("Ignore"), "Ignore");
  assert.throws(
    () => parseFieldValidation("strict"),
    (e) => e instanceof InvalidFieldValidationError && e.code === 400,
  );
});

Deno.test("problems read as upstream: duplicates, then unknown fields", () => {
  const raw = '{"data": {}, "spec": {"foo": 1}, "data": {"a": "b"}}';
  const problems = fieldProblems("Strict", JSON.parse(raw), configMap, raw);
  assert.deepEqual(problems, [
    'duplicate field "data"',
    'unknown field "spec"',
  ]);
  assert.deepEqual(
    fieldProblems("Ignore", JSON.parse(raw), configMap, raw),
    [],
  );
  assert.deepEqual(
    fieldProblems("Warn", { data: {}, x: 1 }, configMap),
    ['unknown field "x"'],
  );
});

Deno.test("a Strict failure is a 400 naming every problem, warnings are 299", () => {
  const status = strictDecodingStatus("ConfigMap", "v1", [
    'unknown field "spec.foo"',
    'duplicate field "data"',
  ]);
  assert.equal(status.code, 400);
  assert.equal(status.reason, "BadRequest");
  assert.equal(
    status.message,
    'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec.foo", duplicate field "data"',
  );
  assert.equal(
    strictDecodingStatus("Role", "rbac.authorization.k8s.io/v1", ["x"]).message
      .startsWith('Role in version "v1"'),
    true,
  );
  assert.equal(
    warningHeaderValue('unknown field "spec.foo"'),
    '299 - "unknown field \\"spec.foo\\""',
  );
});
