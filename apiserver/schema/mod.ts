/**
 * Structural schemas of the built-in kinds — one source of truth for strict
 * field validation, OpenAPI v2/v3, patch strategies and apply — plus the
 * helpers the handlers use for `fieldValidation`. Each built-in definition
 * (`apiserver/resources/`) carries its schema; the index by group, version
 * and kind is derived from those definitions (`resources/kind_tables.ts`).
 *
 * @example
 * ```ts
 * import { fieldProblems } from "./mod.ts";
 * import { CONFIG_MAP as schema } from "./core_v1.ts";
 * fieldProblems("Strict", { data: {}, spec: {} }, schema, '{"data":{},"spec":{}}');
 * // ['unknown field "spec"']
 * ```
 *
 * @module
 */

export type { Schema, SchemaType, ValidationRule } from "./types.ts";
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
export { goDecodeError } from "./go_decode.ts";
export {
  goFormatValue,
  goFromUnstructuredError,
} from "./go_from_unstructured.ts";
export { GO_RFC3339, GO_RFC3339_MICRO, goTimeParseError } from "./go_time.ts";
