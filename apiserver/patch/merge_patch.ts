/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`).
 *
 * @module
 */

import { isObject } from "../../internal/json.ts";

/** Applies merge patch `patch` to `target`, returning a new value. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
