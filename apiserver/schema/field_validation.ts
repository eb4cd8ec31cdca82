/**
 * `fieldValidation=Strict|Warn|Ignore`: parsing the directive and turning
 * unknown/duplicate fields into upstream's texts — the `Warning` header
 * values under `Warn`, the `400 BadRequest` Status under `Strict`.
 *
 * @module
 */

import { duplicateFields } from "./duplicate_fields.ts";
import type { Schema } from "./types.ts";
import { unknownFields } from "./unknown_fields.ts";

/** The field validation directive of a create/update/patch. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** A `fieldValidation` query value that is none of the three. */
export class InvalidFieldValidationError extends Error {
  /** HTTP status upstream answers with. */
  readonly code = 400;
  /** Status reason. */
  readonly reason = "BadRequest";
  constructor(readonly value: string) {
    super(
      `fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`,
    );
    this.name = "InvalidFieldValidationError";
  }
}

/**
 * The directive of a request's `fieldValidation` parameter. Absent or empty
 * means `Warn`, the server default upstream (kubectl sends `Strict`).
 */
export function parseFieldValidation(
  value: string | null | undefined,
): FieldValidation {
  if (value === null || value === undefined || value === "") return "Warn";
  if (value === "Strict" || value === "Warn" || value === "Ignore") {
    return value;
  }
  throw new InvalidFieldValidationError(value);
}

/**
 * The problems of a request body, as upstream words them: `duplicate field
 * "data"` for each repeated key in `rawJson` (pass the body text when it was
 * JSON), then `unknown field "spec.foo"` for each field `schema` does not
 * declare. Empty under `Ignore` (nothing is computed).
 */
export function fieldProblems(
  directive: FieldValidation,
  obj: unknown,
  schema: Schema,
  rawJson?: string,
): string[] {
  if (directive === "Ignore") return [];
  const dups = rawJson === undefined ? [] : duplicateFields(rawJson);
  return [
    ...dups.map((p) => `duplicate field "${p}"`),
    ...unknownFields(obj, schema).map((p) => `unknown field "${p}"`),
  ];
}

/**
 * A `Warning` response header value (RFC 7234 form, code 299, as upstream):
 * `299 - "unknown field \"spec.foo\""`.
 */
export function warningHeaderValue(text: string): string {
  const escaped = text.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
  return `299 - "${escaped}"`;
}

/** The `Status` a Strict request with problems fails with (plain JSON). */
export interface StrictDecodingStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: "BadRequest";
  code: 400;
}

/**
 * The failure upstream returns for a Strict create/update with problems:
 * `400 BadRequest`, message `ConfigMap in version "v1" cannot be handled as
 * a ConfigMap: strict decoding error: unknown field "spec.foo", duplicate
 * field "data"`.
 */
export function strictDecodingStatus(
  kind: string,
  apiVersion: string,
  problems: readonly string[],
): StrictDecodingStatus {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `${kind} in version "${
      apiVersion.split("/").pop()
    }" cannot be handled as a ${kind}: strict decoding error: ${
      problems.join(", ")
    }`,
    reason: "BadRequest",
    code: 400,
  };
}
