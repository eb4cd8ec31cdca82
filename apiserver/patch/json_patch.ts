/**
 * RFC 6902 JSON patch (`application/json-patch+json`), via `fast-json-patch`.
 *
 * @module
 */

import { applyPatch, type Operation } from "fast-json-patch/index.mjs";
import { ApiError, badRequestError, tooLargeError } from "../status/mod.ts";
import { checkJsonLimits } from "../http/decode_limits.ts";

/** Upstream's limit on the number of operations in one patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Parses a JSON patch document (400 when it is not a JSON array of objects). */
export function parseJsonPatch(text: string): Operation[] {
  checkJsonLimits(text);
  let ops: unknown;
  try {
    ops = JSON.parse(text);
  } catch (e) {
    throw badRequestError(
      `error decoding patch: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (
    !Array.isArray(ops) ||
    ops.some((o) => typeof o !== "object" || o === null || Array.isArray(o))
  ) {
    throw badRequestError(
      "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    );
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLargeError(MAX_JSON_PATCH_OPERATIONS);
  }
  return ops as Operation[];
}

/**
 * Applies `ops` to a copy of `doc`. A failed operation (including a failed
 * `test`) is 422 with upstream's generic message and no causes, exactly as
 * kube-apiserver answers (`NewGenericServerResponse(422, …, false)` drops
 * the patch library's detail), so kubectl prints `The request is invalid:
 * the server rejected our request due to an error in our request`.
 */
export function applyJsonPatch(doc: unknown, ops: Operation[]): unknown {
  try {
    return applyPatch(structuredClone(doc), ops, true, true, true).newDocument;
  } catch {
    throw new ApiError(
      422,
      "Invalid",
      "the server rejected our request due to an error in our request",
    );
  }
}
