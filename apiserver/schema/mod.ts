/**
 * Structural schemas of the built-in kinds — one source of truth for strict
 * field validation, OpenAPI v2/v3, patch strategies and apply — plus the
 * helpers the handlers use for `fieldValidation`.
 *
 * @example
 * ```ts
 * import { builtinSchema, fieldProblems } from "./mod.ts";
 * const schema = builtinSchema("", "v1", "ConfigMap")!;
 * fieldProblems("Strict", { data: {}, spec: {} }, schema, '{"data":{},"spec":{}}');
 * // ['unknown field "spec"']
 * ```
 *
 * @module
 */

export type { Schema, SchemaType, ValidationRule } from "./types.ts";
export {
  BUILTIN_SCHEMAS,
  type BuiltinSchema,
  builtinSchema,
} from "./lookup.ts";
export { schemaAt } from "./walk.ts";
export { unknownFields } from "./unknown_fields.ts";
export { duplicateFields } from "./duplicate_fields.ts";
export {
  duplicateFieldsYaml,
  type YamlDuplicate,
} from "./duplicate_fields_yaml.ts";
export {
  fieldProblems,
  type FieldValidation,
  InvalidFieldValidationError,
  parseFieldValidation,
  type StrictDecodingStatus,
  strictDecodingStatus,
  warningHeaderValue,
} from "./field_validation.ts";
export { definitionOf, type DefinitionRef, named, ref } from "./_named.ts";
export { kindSchema, LIST_META, listSchema, OBJECT_META } from "./meta_v1.ts";
export { DELETE_OPTIONS, STATUS } from "./meta_v1_status.ts";
export { dropUnknownFields } from "./drop_unknown_fields.ts";
