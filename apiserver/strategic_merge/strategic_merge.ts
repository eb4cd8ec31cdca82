/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), with the
 * semantics of upstream's `strategicpatch.StrategicMergePatch`: maps merge,
 * `null` deletes, lists with patch strategy `merge` merge by their merge key
 * (or as a set of scalars), other lists are replaced, and the directives
 * `$patch`, `$retainKeys`, `$setElementOrder/<list>` and
 * `$deleteFromPrimitiveList/<list>` are honoured.
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import {
  badArgType,
  badJsonDoc,
  badPatchType,
  badPrimitiveListFormat,
  badRetainKeysFormat,
  badSetElementOrderFormat,
  goValue,
  invalidPatch,
  noListOfLists,
  noMergeKey,
} from "./errors.ts";
import { itemSchema, lookupPatchMeta } from "./_patch_meta.ts";
import {
  isObject,
  normalizeElementOrder,
  partitionByPresence,
  sameValue,
} from "./_order.ts";

type Obj = Record<string, unknown>;

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ORDER = "$setElementOrder";
const DELETE_PRIMITIVE = "$deleteFromPrimitiveList";

/**
 * Applies strategic merge patch `patch` to `original` using the merge
 * metadata of `schema` (the kind's structural schema; `undefined` means "no
 * metadata": lists are replaced and maps merged). Neither input is modified.
 *
 * Throws {@linkcode PatchError} (400 or 422) when the patch is malformed or
 * does not fit the object.
 *
 * @example
 * ```ts
 * const out = strategicMergePatch(
 *   { metadata: { finalizers: ["a"] } },
 *   { metadata: { finalizers: ["b"] } },
 *   schema,
 * ); // finalizers merge when the schema says patch strategy "merge"
 * ```
 */
export function strategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: Schema | undefined,
): Record<string, unknown> {
  if (!isObject(patch) || !isObject(original)) throw badJsonDoc();
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}

function mergeMap(
  original: Obj | undefined,
  patch: Obj,
  schema: Schema | undefined,
): Obj {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === "replace") {
      delete patch[DIRECTIVE];
      return cleanMap(patch);
    }
    if (directive === "delete") return {};
    throw badPatchType(directive, patch);
  }
  const out: Obj = original ?? {};
  applyRetainKeys(out, patch);
  mergeSetElementOrder(out, patch, schema);

  for (const [rawKey, patchV] of Object.entries(patch)) {
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_PRIMITIVE)) {
      key = directiveTarget(rawKey, DELETE_PRIMITIVE);
      isDeleteList = true;
      if (!Array.isArray(patchV)) throw badPrimitiveListFormat();
    }
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!(key in out) || kindOf(out[key]) !== kindOf(patchV)) {
      if (!isDeleteList) setClean(out, key, patchV);
      continue;
    }
    const meta = lookupPatchMeta(schema, key);
    if (isObject(patchV)) {
      out[key] = meta.strategy === "replace"
        ? cleanMap(patchV)
        : mergeMap(out[key] as Obj, patchV, meta.schema);
    } else if (Array.isArray(patchV)) {
      out[key] = mergeSliceHandler(
        out[key] as unknown[],
        patchV,
        meta.schema,
        meta.strategy,
        meta.mergeKey,
        isDeleteList,
      );
    } else {
      out[key] = patchV;
    }
  }
  return out;
}

/** `$retainKeys`: drop original keys not listed; the patch may only set listed keys. */
function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRetainKeysFormat();
  const keep = new Set(list.map((v) => String(v)));
  for (const [k, v] of Object.entries(patch)) {
    if (
      v === null || k.startsWith(DELETE_PRIMITIVE) || k.startsWith(SET_ORDER)
    ) continue;
    if (!keep.has(k)) throw badRetainKeysFormat();
  }
  for (const k of Object.keys(original)) {
    if (!keep.has(k)) delete original[k];
  }
}

/** The field a `$prefix/<field>` directive key refers to. */
function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    if (prefix === DELETE_PRIMITIVE) throw badPrimitiveListFormat();
    throw badSetElementOrderFormat();
  }
  return key.slice(slash + 1);
}

/** Processes every `$setElementOrder/<field>` of `patch` together with its list. */
function mergeSetElementOrder(
  original: Obj,
  patch: Obj,
  schema: Schema | undefined,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType("[]interface {}", order);
    const field = directiveTarget(key, SET_ORDER);
    const foundOriginal = field in original && original[field] !== undefined;
    const foundPatch = field in patch;
    const originalList = original[field];
    const patchList = patch[field];
    if (foundOriginal && !Array.isArray(originalList)) {
      throw badArgType("[]interface {}", originalList);
    }
    if (foundPatch && !Array.isArray(patchList)) {
      throw badArgType("[]interface {}", patchList);
    }
    const meta = lookupPatchMeta(schema, field);
    const origItems = (originalList ?? []) as unknown[];
    const patchItems = (patchList ?? []) as unknown[];
    validateSetOrder(patchItems, order, meta.mergeKey);
    let merged: unknown[];
    if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler(
        origItems,
        patchItems,
        meta.schema,
        meta.strategy,
        meta.mergeKey,
        false,
      );
    } else if (foundOriginal) merged = origItems;
    else if (foundPatch) merged = cleanList(patchItems);
    else continue;
    const kind = elementKind(origItems, patchItems);
    if (kind !== undefined) {
      const maps = kind === "map";
      const [inOrder, serverOnly] = partitionByPresence(
        merged,
        order,
        meta.mergeKey,
        maps,
      );
      merged = normalizeElementOrder(
        inOrder,
        serverOnly,
        order,
        origItems,
        meta.mergeKey,
        maps,
      );
    }
    original[field] = merged;
    delete patch[field];
  }
}

/** Upstream's `validatePatchWithSetOrderList`: patch items appear in the order list, in order. */
function validateSetOrder(
  patchList: unknown[],
  order: unknown[],
  mergeKey: string,
): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) {
      if (!isObject(v)) throw badArgType("map[string]interface {}", v);
    }
    items = patchList.filter((v) => (v as Obj)[DIRECTIVE] !== "delete");
  }
  const keyOf = (v: unknown): unknown => {
    if (!mergeKey) return v;
    if (!isObject(v)) throw badArgType("map[string]interface {}", v);
    if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    return v[mergeKey];
  };
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    if (isObject(items[p]) && DIRECTIVE in (items[p] as Obj)) {
      p++;
      continue;
    }
    if (sameValue(keyOf(items[p]), keyOf(order[s]))) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw badSetElementOrderFormat(
      `The order in patch list:\n${
        goValue(patchList)
      }\n doesn't match ${SET_ORDER} list:\n${goValue(order)}\n`,
    );
  }
}

function mergeSliceHandler(
  original: unknown[],
  patch: unknown[],
  schema: Schema | undefined,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (strategy === "merge") {
    return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  }
  // kubectl only sends $deleteFromPrimitiveList for merging lists; deleting
  // is still the only sensible reading for other lists.
  if (isDeleteList) return deleteFromSlice(original, patch);
  return cleanList(patch);
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  schema: Schema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  if (kind !== "map") {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) {
      throw invalidPatch("cannot merge lists without merge key for type map");
    }
    [original, patch] = applySpecialElements(original, patch, mergeKey);
    merged = mergeByKey(original, patch, mergeKey, itemSchema(schema));
  }
  const maps = kind === "map";
  const [inPatch, serverOnly] = partitionByPresence(
    merged,
    patch,
    mergeKey,
    maps,
  );
  return normalizeElementOrder(
    inPatch,
    serverOnly,
    patch,
    original,
    mergeKey,
    maps,
  );
}

/** Handles `$patch: delete|replace|merge` items of a merging list of maps. */
function applySpecialElements(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as Obj;
    if (!(DIRECTIVE in item)) {
      plain.push(v);
      continue;
    }
    switch (item[DIRECTIVE]) {
      case "delete":
        if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
        original = original.filter((o) =>
          !(isObject(o) && mergeKey in o &&
            sameValue(o[mergeKey], item[mergeKey]))
        );
        break;
      case "replace":
        replace = true;
        break;
      case "merge":
        throw invalidPatch(
          "merging lists cannot yet be specified in the patch",
        );
      default:
        throw badPatchType(item[DIRECTIVE], item);
    }
  }
  if (replace) return [plain.map((v) => cleanMap(v as Obj)), []];
  return [original, plain];
}

function mergeByKey(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  schema: Schema | undefined,
): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const item = v as Obj;
    if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    const at = out.findIndex((o) => {
      if (!isObject(o)) {
        throw invalidPatch(`value for key ${out.indexOf(o)} is not a map.`);
      }
      return mergeKey in o && sameValue(o[mergeKey], item[mergeKey]);
    });
    if (at >= 0) out[at] = mergeMap(out[at] as Obj, item, schema);
    else out.push(cleanMap(item));
  }
  return out;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  return current.filter((v) => !toDelete.some((d) => sameValue(d, v)));
}

/** Upstream's in-place deduplication (it swaps duplicates with the tail). */
function deduplicateScalars(s: unknown[]): unknown[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (sameValue(s[i], s[j])) {
        s[j] = s[length];
        s = s.slice(0, length);
        length--;
        j--;
      }
    }
  }
  return s;
}

type Kind = "map" | "slice" | "string" | "number" | "bool" | "nil";

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "nil";
  if (Array.isArray(v)) return "slice";
  if (typeof v === "object") return "map";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  return "bool";
}

/** The common element kind of the lists (undefined when all are empty). */
function elementKind(...lists: unknown[][]): Kind | undefined {
  let kind: Kind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === "slice") throw noListOfLists();
        kind = k;
      } else if (k !== kind) {
        throw invalidPatch(
          `list element types are not identical: ${goValue(lists)}`,
        );
      }
    }
  }
  return kind;
}

/** Sets `out[key]` to a new value taken from the patch, without directives or nulls. */
function setClean(out: Obj, key: string, v: unknown): void {
  if (isObject(v) && v[DIRECTIVE] === "delete") {
    delete out[key];
    return;
  }
  out[key] = clean(v);
}

function clean(v: unknown): unknown {
  if (Array.isArray(v)) return cleanList(v);
  if (isObject(v)) return cleanMap(v);
  return v;
}

/** A list from the patch: directive items dropped, items cleaned. */
function cleanList(list: unknown[]): unknown[] {
  return list.filter((v) => !(isObject(v) && DIRECTIVE in v)).map(clean);
}

/** A map from the patch: directive keys and null values dropped, recursively. */
function cleanMap(m: Obj): Obj {
  if (DIRECTIVE in m && m[DIRECTIVE] !== "replace") {
    if (m[DIRECTIVE] !== "delete") throw badPatchType(m[DIRECTIVE], m);
  }
  const out: Obj = {};
  for (const [k, v] of Object.entries(m)) {
    if (
      v === null || k === DIRECTIVE || k === RETAIN_KEYS ||
      k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)
    ) continue;
    if (isObject(v) && v[DIRECTIVE] === "delete") continue;
    out[k] = clean(v);
  }
  return out;
}
