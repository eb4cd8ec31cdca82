/**
 * Merges an applied configuration into a live object, as upstream
 * `TypedValue.Merge`: granular maps merge per key, atomic lists/maps and
 * scalars are replaced, `set` lists union and `map` lists merge by key,
 * keeping upstream's item order. Also `removeItems` (prune).
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import type { FieldSet } from "./field_set.ts";
import {
  encodeElement,
  type FieldPath,
  type PathElement,
  pathString,
} from "./path.ts";
import {
  childSchema,
  isAtomicMap,
  isObject,
  itemElement,
  listInfo,
  resolve,
} from "./_schema.ts";

type Obj = Record<string, unknown>;

/** `live` with `config` merged in (neither is modified). */
export function merge(
  live: unknown,
  config: unknown,
  schema: Schema | undefined,
): unknown {
  return walk(live, config, resolve(schema), []);
}

function walk(
  l: unknown,
  r: unknown,
  schema: Schema | undefined,
  path: FieldPath,
): unknown {
  if (r === undefined) return structuredClone(l);
  if (l === undefined) return structuredClone(r);
  if (isObject(l) && isObject(r) && !isAtomicMap(schema)) {
    const out: Obj = structuredClone(l);
    for (const [k, rv] of Object.entries(r)) {
      out[k] = walk(l[k], rv, childSchema(schema, k), [...path, { field: k }]);
    }
    return out;
  }
  if (Array.isArray(l) && Array.isArray(r)) {
    if (listInfo(schema).type !== "atomic") {
      return mergeList(l, r, schema, path);
    }
  }
  return structuredClone(r);
}

type Indexed = {
  pes: PathElement[];
  keys: string[];
  byKey: Map<string, unknown>;
};

function indexList(
  list: unknown[],
  schema: Schema | undefined,
  path: FieldPath,
): Indexed {
  const info = listInfo(schema);
  const at = pathString(path);
  const pes: PathElement[] = [];
  const keys: string[] = [];
  const byKey = new Map<string, unknown>();
  list.forEach((item, i) => {
    const pe = itemElement(info, item, i, at);
    const k = encodeElement(pe);
    pes.push(pe);
    keys.push(k);
    if (!byKey.has(k)) byKey.set(k, item);
  });
  return { pes, keys, byKey };
}

/** Port of upstream `mergingWalker.visitListItems`: shared items keep the config's order. */
function mergeList(
  lhs: unknown[],
  rhs: unknown[],
  schema: Schema | undefined,
  path: FieldPath,
): unknown[] {
  const item = listInfo(schema).item;
  const L = indexList(lhs, schema, path);
  const R = indexList(rhs, schema, path);
  const out: unknown[] = [];
  const sharedOrder = R.keys.filter((k) => L.byKey.has(k));
  let nextShared = sharedOrder.shift();
  const mergedRHS = new Set<string>();
  const mergeItem = (i: number, k: string, lv: unknown, rv: unknown) => {
    const pe = i >= 0 ? R.pes[i] : undefined;
    out.push(walk(lv, rv, item, [...path, pe ?? { field: k }]));
  };
  let lI = 0;
  let rI = 0;
  while (lI < L.keys.length || rI < R.keys.length) {
    if (lI < L.keys.length && rI < R.keys.length) {
      const k = L.keys[lI];
      if (k === R.keys[rI]) {
        mergedRHS.add(k);
        mergeItem(rI, k, L.byKey.get(k), R.byKey.get(k));
        lI++;
        rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (R.byKey.has(k) && nextShared !== undefined && nextShared !== k) {
        lI++;
        continue;
      }
    }
    if (lI < L.keys.length) {
      const k = L.keys[lI];
      if (!R.byKey.has(k)) {
        out.push(structuredClone(lhs[lI]));
        lI++;
        continue;
      }
      if (mergedRHS.has(k)) {
        lI++;
        continue;
      }
    }
    if (rI < R.keys.length) {
      const k = R.keys[rI];
      if (mergedRHS.has(k)) {
        rI++;
        continue;
      }
      mergedRHS.add(k);
      mergeItem(rI, k, L.byKey.get(k), R.byKey.get(k));
      rI++;
      if (nextShared === k) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/** `value` without the paths in `set` (each removed with everything below it). */
export function removeItems(
  value: unknown,
  set: FieldSet,
  schema: Schema | undefined,
): unknown {
  return remove(value, set, resolve(schema), []);
}

function remove(
  v: unknown,
  set: FieldSet,
  schema: Schema | undefined,
  path: FieldPath,
): unknown {
  if (isObject(v) && !isAtomicMap(schema)) {
    const out: Obj = {};
    for (const [k, cv] of Object.entries(v)) {
      const pe = { field: k };
      if (set.hasMember(pe)) continue;
      const c = set.child(pe);
      out[k] = c ? remove(cv, c, childSchema(schema, k), [...path, pe]) : cv;
    }
    return out;
  }
  if (Array.isArray(v)) {
    const info = listInfo(schema);
    if (info.type === "atomic") return v;
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const pe = itemElement(info, item, i, pathString(path));
      if (set.hasMember(pe)) return;
      const c = set.child(pe);
      out.push(c ? remove(item, c, info.item, [...path, pe]) : item);
    });
    return out;
  }
  return v;
}
