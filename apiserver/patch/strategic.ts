/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) at the API
 * edge: decoding the body and mapping patch errors to `Status` errors as
 * kube-apiserver's `interpretStrategicMergePatchError` does.
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import { isPatchError, strategicMergePatch } from "../strategic_merge/mod.ts";
import { ApiError, badRequestError } from "../status/mod.ts";
import { checkJsonLimits } from "../http/decode_limits.ts";

/** Parses a strategic merge patch body (400 unless it is a JSON object). */
export function parseStrategicPatch(text: string): Record<string, unknown> {
  checkJsonLimits(text);
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (e) {
    throw badRequestError(
      `error decoding patch: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw badRequestError("invalid JSON document");
  }
  return patch as Record<string, unknown>;
}

/**
 * Applies `patch` to `doc` with the merge metadata of `schema`. Malformed
 * directives are 400 BadRequest; a patch that does not fit the object is 422
 * Invalid with the detail as its cause (upstream's generic 422 shape).
 */
export function applyStrategicPatch(
  doc: unknown,
  patch: Record<string, unknown>,
  schema: Schema | undefined,
): Record<string, unknown> {
  try {
    return strategicMergePatch(doc, patch, schema);
  } catch (e) {
    if (!isPatchError(e)) throw e;
    if (e.code === 400) throw badRequestError(e.message);
    throw new ApiError(
      422,
      "Invalid",
      "the server rejected our request due to an error in our request",
      { causes: [{ reason: "UnexpectedServerResponse", message: e.message }] },
    );
  }
}
