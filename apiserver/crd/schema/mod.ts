/**
 * Structural-schema semantics for custom resources: validation of values,
 * defaulting, pruning of unknown fields, list-type uniqueness, embedded
 * resources and CEL rules (`x-kubernetes-validations`).
 *
 * ```ts
 * const obj = structuredClone(body);
 * const unknown = prune(obj, schema);     // ["spec.foo"]
 * applyDefaults(obj, schema);
 * const errs = validateValue(obj, schema); // FieldError[]
 * ```
 *
 * @module
 */

export { validateValue } from "./validate_value.ts";
export { applyDefaults } from "./defaults.ts";
export { prune, type PruneOptions } from "./prune.ts";
export { validateListTypes } from "./list_types.ts";
export { validateEmbeddedResource } from "./embedded.ts";
export {
  CelRules,
  isTransitionRule,
  type RuleKind,
  toCel,
  walkSchema,
} from "./cel.ts";
export { isCheckedFormat, matchesFormat } from "./_formats.ts";
