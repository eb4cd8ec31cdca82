/**
 * Field errors as `k8s.io/apimachinery/pkg/util/validation/field`: a path, a
 * type (`FieldValueInvalid`, …), the bad value and a detail, rendered with
 * upstream's wording.
 *
 * @module
 */

/** The kinds of field error, named as upstream's `ErrorType` causes. */
export type FieldErrorType =
  | "FieldValueInvalid"
  | "FieldValueRequired"
  | "FieldValueForbidden"
  | "FieldValueDuplicate"
  | "FieldValueNotSupported"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueTypeInvalid";

/** One validation failure. */
export interface FieldError {
  /** Which kind of failure (upstream's `ErrorType`). */
  type: FieldErrorType;
  /** Dotted path, e.g. `metadata.name` or `data[foo]`. */
  field: string;
  /** The offending value, when there is one. */
  value?: unknown;
  /** What is wrong, in words. */
  detail?: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueInvalid: "Invalid value",
  FieldValueRequired: "Required value",
  FieldValueForbidden: "Forbidden",
  FieldValueDuplicate: "Duplicate value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  FieldValueTypeInvalid: "Invalid value",
};

function formatValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined) return "null";
  if (typeof v === "object") return Array.isArray(v) ? "array" : "object";
  return String(v);
}

/** The error without its field, as in a `StatusCause.message`. */
export function errorBody(e: FieldError): string {
  const head = TYPE_TEXT[e.type];
  switch (e.type) {
    case "FieldValueRequired":
    case "FieldValueForbidden":
    case "FieldValueTooLong":
      return e.detail ? `${head}: ${e.detail}` : head;
    default: {
      const s = `${head}: ${formatValue(e.value)}`;
      return e.detail ? `${s}: ${e.detail}` : s;
    }
  }
}

/** `field: Invalid value: "x": detail`. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** One error as is, several as `[a, b]`, as upstream's aggregate. */
export function formatFieldErrors(errs: FieldError[]): string {
  if (errs.length === 1) return formatFieldError(errs[0]);
  return `[${errs.map(formatFieldError).join(", ")}]`;
}

/** The `StatusCause` of one field error. */
export function causeOf(
  e: FieldError,
): { reason: string; message: string; field: string } {
  return { reason: e.type, message: errorBody(e), field: e.field };
}

/** `FieldValueInvalid`. */
export function invalid(
  field: string,
  value: unknown,
  detail: string,
): FieldError {
  return { type: "FieldValueInvalid", field, value, detail };
}

/** `FieldValueRequired`. */
export function required(field: string, detail = ""): FieldError {
  return { type: "FieldValueRequired", field, detail };
}

/** `FieldValueForbidden`. */
export function forbidden(field: string, detail: string): FieldError {
  return { type: "FieldValueForbidden", field, detail };
}

/** `FieldValueTooLong`. */
export function tooLong(field: string, detail: string): FieldError {
  return { type: "FieldValueTooLong", field, detail };
}

/**
 * `FieldValueTooMany`: more list items (or map entries) than allowed, as
 * upstream's `field.TooMany` (`Too many: 5: must have at most 3 items`).
 */
export function tooMany(
  field: string,
  actual: number,
  max: number,
): FieldError {
  return {
    type: "FieldValueTooMany",
    field,
    value: actual,
    detail: `must have at most ${max} items`,
  };
}

/** `FieldValueDuplicate`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: "FieldValueDuplicate", field, value };
}

/** `FieldValueNotSupported`, listing the supported values. */
export function notSupported(
  field: string,
  value: unknown,
  supported: readonly string[],
): FieldError {
  return {
    type: "FieldValueNotSupported",
    field,
    value,
    detail: `supported values: ${
      supported.map((s) => JSON.stringify(s)).join(", ")
    }`,
  };
}

/** `FieldValueTypeInvalid` (a value of the wrong JSON type). */
export function typeInvalid(
  field: string,
  value: unknown,
  detail: string,
): FieldError {
  return { type: "FieldValueTypeInvalid", field, value, detail };
}
