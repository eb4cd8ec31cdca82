/**
 * Typed strategic merge patch errors. Messages follow upstream's
 * `k8s.io/apimachinery/pkg/util/strategicpatch/mergepatch` wording; the HTTP
 * status follows `interpretStrategicMergePatchError` in kube-apiserver's
 * patch handler (format errors are 400, the rest 422).
 *
 * @module
 */

/** A strategic merge patch could not be applied; nothing was changed. */
export class PatchError extends Error {
  /** The HTTP status the API should answer with: 400 (malformed patch) or 422 (patch does not fit the object). */
  readonly code: 400 | 422;
  /** The `Status.reason` that goes with {@linkcode PatchError.code}. */
  readonly reason: "BadRequest" | "Invalid";

  constructor(code: 400 | 422, message: string) {
    super(message);
    this.name = "PatchError";
    this.code = code;
    this.reason = code === 400 ? "BadRequest" : "Invalid";
  }
}

/** True when `err` is a {@linkcode PatchError}. */
export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}

/** Renders a JSON value the way Go's `%v` prints decoded JSON (`map[a:1 b:x]`). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (typeof v === "object") {
    const entries = Object.keys(v as Record<string, unknown>).sort().map((k) =>
      `${k}:${goValue((v as Record<string, unknown>)[k])}`
    );
    return `map[${entries.join(" ")}]`;
  }
  return String(v);
}

/** The patch is not a JSON object. */
export function badJsonDoc(): PatchError {
  return new PatchError(400, "invalid JSON document");
}

/** `$deleteFromPrimitiveList/<field>` is malformed. */
export function badPrimitiveListFormat(): PatchError {
  return new PatchError(400, "invalid patch format of primitive list");
}

/** `$retainKeys` is malformed or does not name a field the patch sets. */
export function badRetainKeysFormat(): PatchError {
  return new PatchError(400, "invalid patch format of retainKeys");
}

/** `$setElementOrder/<field>` is malformed or disagrees with the patch list. */
export function badSetElementOrderFormat(detail?: string): PatchError {
  return new PatchError(
    400,
    detail ?? "invalid patch format of setElementOrder list",
  );
}

/** Lists of lists cannot be merged. */
export function noListOfLists(): PatchError {
  return new PatchError(422, "lists of lists are not supported");
}

/** An item of a merging list lacks the merge key. */
export function noMergeKey(item: unknown, mergeKey: string): PatchError {
  return new PatchError(
    422,
    `map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`,
  );
}

/** A `$patch` directive with an unknown value. */
export function badPatchType(directive: unknown, m: unknown): PatchError {
  return new PatchError(
    422,
    `unknown patch type: ${goValue(directive)} in map: ${goValue(m)}`,
  );
}

/** The patch and the object disagree on a value's type where it matters. */
export function badArgType(expected: string, actual: unknown): PatchError {
  return new PatchError(
    422,
    `expected a ${expected}, but received a ${jsonKind(actual)}`,
  );
}

/** Any other problem, worded by the caller. */
export function invalidPatch(message: string): PatchError {
  return new PatchError(422, message);
}

/** The JSON kind of a value as Go names its decoded type. */
export function jsonKind(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  switch (typeof v) {
    case "object":
      return "map[string]interface {}";
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return typeof v;
  }
}
