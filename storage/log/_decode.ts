/**
 * Encoding and decoding stored JSON on the log-backed store's hot paths
 * (create, get, list, watch): the same results as `encodeObject` and
 * `decodeObject` from `storage/object.ts`, with fewer copies. Decoding
 * stamps the resourceVersion into the freshly parsed metadata in place
 * instead of copying it (the parsed object is ours, nobody else holds it);
 * encoding skips the copies that only drop a resourceVersion when there is
 * none to drop. A stored value that is not a JSON object is corrupt: decoding
 * throws a `CorruptObject` storage error naming its key (upstream's
 * `NewCorruptObjError`), never a bare `SyntaxError`.
 *
 * @module
 */

import { encodeObject, type KubeObject } from "../object.ts";
import { corruptObject } from "../errors.ts";
import { deepFreeze } from "../../internal/json.ts";

const hasOwn = Object.hasOwn;
const protoOf = Object.getPrototypeOf;
const ObjectProto = Object.prototype;
const enumerable = Object.prototype.propertyIsEnumerable;

/**
 * `encodeObject(obj)`. An object and metadata that are plain objects (no
 * prototype of their own, no `toJSON`), the metadata an own enumerable
 * field without a `resourceVersion` key, serialise the same without the
 * copy of both that `encodeObject` makes to drop the resourceVersion, so
 * they are serialised as they are (the common case: a create); anything
 * else goes through `encodeObject`.
 */
export function encodeStored(obj: KubeObject): string {
  return isPlainNew(obj) ? JSON.stringify(obj) : encodeObject(obj);
}

/**
 * The JSON texts of frozen parts of handed-over objects, by part: a part
 * frozen before its object is created is shared with other objects (the
 * rules of a bootstrap role, which every virtual cluster's copy holds) and,
 * by the hand-over's contract, never changes.
 */
const frozenTexts = new WeakMap<object, string>();

/**
 * {@linkcode encodeStored} of a plain new object that its writer hands
 * over (`storage/cacher/quiet_creates.ts`: plain JSON data that never
 * changes afterwards): the same text, but a top-level field whose value is
 * a frozen object or array is serialised once and its text reused for
 * every object that shares it. `JSON.stringify` walks frozen arrays on a
 * slow path (a bootstrap role's copy took 2.5 times as long as an unfrozen
 * one); an object without frozen fields is serialised as it is.
 */
export function encodeHandedOver(obj: KubeObject): string {
  const fields = obj as Record<string, unknown>;
  let shared = false;
  for (const name in fields) {
    const v = fields[name];
    if (v !== null && typeof v === "object" && Object.isFrozen(v)) {
      shared = true;
      break;
    }
  }
  if (!shared) return JSON.stringify(obj);
  let text = "";
  for (const name of Object.keys(fields)) {
    const v = fields[name];
    let part: string | undefined;
    if (v !== null && typeof v === "object" && Object.isFrozen(v)) {
      part = frozenTexts.get(v);
      if (part === undefined) {
        part = JSON.stringify(v);
        if (part !== undefined) frozenTexts.set(v, part);
      }
    } else {
      // undefined for what JSON leaves out (undefined, functions, symbols)
      part = JSON.stringify(v);
    }
    if (part === undefined) continue;
    text += (text === "" ? "{" : ",") + JSON.stringify(name) + ":" + part;
  }
  return text === "" ? "{}" : text + "}";
}

/**
 * Whether `obj` and its metadata are plain objects (no prototype of their
 * own, no `toJSON`), the metadata an own enumerable field without a
 * `resourceVersion` key: such an object is stored as `JSON.stringify`
 * gives it.
 */
export function isPlainNew(obj: KubeObject): boolean {
  const meta = obj.metadata;
  return meta !== null && typeof meta === "object" &&
    protoOf(obj) === ObjectProto && protoOf(meta) === ObjectProto &&
    !hasOwn(meta, "resourceVersion") && enumerable.call(obj, "metadata") &&
    !("toJSON" in obj) && !("toJSON" in meta);
}

/**
 * A new object handed over by its writer (plain JSON data, stored as
 * {@linkcode encodeStored} gives it) as its decoded form at revision `rv`:
 * a copy of its top level and metadata, `rv` stamped as the
 * resourceVersion (last, as {@linkcode decodeStored} adds it), deep-frozen
 * — the nested values are the writer's own, frozen in place.
 */
export function frozenAtRevision(obj: KubeObject, rv: number): KubeObject {
  return deepFreeze({
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: String(rv) },
  });
}

/**
 * Parses the JSON stored at `key` and stamps `rv` as
 * `metadata.resourceVersion`. Throws a `CorruptObject` storage error when
 * the value is not a JSON object.
 */
export function decodeStored(
  data: string,
  rv: number,
  key: string,
): KubeObject {
  let obj: KubeObject;
  try {
    obj = JSON.parse(data);
  } catch (err) {
    throw corruptObject(key, rv, err);
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw corruptObject(
      key,
      rv,
      `stored value is ${describe(obj)}, not an object`,
    );
  }
  const meta = obj.metadata;
  if (meta !== null && typeof meta === "object" && !Array.isArray(meta)) {
    meta.resourceVersion = String(rv);
  } else {
    obj.metadata = { ...(meta ?? {}), resourceVersion: String(rv) };
  }
  return obj;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  return Array.isArray(v) ? "an array" : `a ${typeof v}`;
}
