/**
 * Decoding stored JSON on the log-backed store's hot paths (get, list,
 * watch): the same result as `decodeObject` from `storage/object.ts`, but
 * the resourceVersion is stamped into the freshly parsed metadata in place
 * instead of copying it (the parsed object is ours, nobody else holds it).
 *
 * @module
 */

import type { KubeObject } from "../object.ts";

/** Parses stored JSON and stamps `rv` as `metadata.resourceVersion`. */
export function decodeStored(data: string, rv: number): KubeObject {
  const obj = JSON.parse(data) as KubeObject;
  const meta = obj.metadata;
  if (meta !== null && typeof meta === "object" && !Array.isArray(meta)) {
    meta.resourceVersion = String(rv);
  } else {
    obj.metadata = { ...(meta ?? {}), resourceVersion: String(rv) };
  }
  return obj;
}
