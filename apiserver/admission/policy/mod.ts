/**
 * ValidatingAdmissionPolicy: CEL admission policies
 * (`admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy and
 * ValidatingAdmissionPolicyBinding) evaluated as a validating admission
 * plugin. See `README.md`.
 *
 * @example
 * ```ts
 * import { validatingAdmissionPolicy } from "./mod.ts";
 * // BUILTIN_ADMISSION = [validatingAdmissionPolicy, …]
 * ```
 *
 * @module
 */

export {
  PLUGIN_NAME,
  PolicyPlugin,
  validatingAdmissionPolicy,
} from "./plugin.ts";
export {
  BUDGET_MESSAGE,
  CALL_LIMIT_MESSAGE,
  PER_CALL_LIMIT,
  PolicyCel,
  RUNTIME_BUDGET,
} from "./cel.ts";
export {
  defaultBinding,
  defaultPolicy,
  validateBinding,
  validatePolicy,
} from "./validation.ts";
export { matches, type MatchRequest, ruleMatches } from "./matching.ts";
export { compilePolicy, typeCheckWarnings } from "./compile.ts";
export { evaluatePolicy, type PolicyDecision } from "./evaluate.ts";
export * from "./types.ts";
