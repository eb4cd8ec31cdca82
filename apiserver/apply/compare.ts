/**
 * Compares two versions of an object field by field, as upstream
 * `TypedValue.Compare`: which paths were added, modified or removed.
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import { FieldSet } from "./field_set.ts";
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
  jsonEqual,
  listInfo,
  resolve,
} from "./_schema.ts";

/** The field-level difference between two objects. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compares `lhs` (before) with `rhs` (after) under `schema`. */
export function compare(
  lhs: unknown,
  rhs: unknown,
  schema: Schema | undefined,
): Comparison {
  const c: Comparison = {
    added: new FieldSet(),
    modified: new FieldSet(),
    removed: new FieldSet(),
  };
  walk(lhs, rhs, resolve(schema), [], c);
  return c;
}

function walk(
  l: unknown,
  r: unknown,
  schema: Schema | undefined,
  path: FieldPath,
  c: Comparison,
): void {
  if (l === undefined && r === undefined) return;
  if (l === undefined || r === undefined) {
    const present = l === undefined ? r : l;
    (l === undefined ? c.added : c.removed).insert(path);
    for (const [pe, child, sub] of children(present, schema, path)) {
      walk(
        l === undefined ? undefined : child,
        l === undefined ? child : undefined,
        sub,
        [...path, pe],
        c,
      );
    }
    return;
  }
  if (isObject(l) && isObject(r) && !isAtomicMap(schema)) {
    for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) {
      walk(l[k], r[k], childSchema(schema, k), [...path, { field: k }], c);
    }
    return;
  }
  if (Array.isArray(l) && Array.isArray(r)) {
    const info = listInfo(schema);
    if (info.type !== "atomic") {
      const li = index(l, schema, path);
      const ri = index(r, schema, path);
      for (const k of new Set([...li.keys(), ...ri.keys()])) {
        const [pe, lv] = li.get(k) ?? ri.get(k)!;
        walk(lv, ri.get(k)?.[1], info.item, [...path, pe], c);
      }
      return;
    }
  }
  if (!jsonEqual(l, r)) c.modified.insert(path);
}

/** The granular children of `v` (map entries or keyed list items). */
function children(
  v: unknown,
  schema: Schema | undefined,
  path: FieldPath,
): Array<[PathElement, unknown, Schema | undefined]> {
  if (isObject(v) && !isAtomicMap(schema)) {
    return Object.entries(v).map(([k, cv]) => [
      { field: k },
      cv,
      childSchema(schema, k),
    ]);
  }
  if (Array.isArray(v)) {
    const info = listInfo(schema);
    if (info.type === "atomic") return [];
    return [...index(v, schema, path).values()].map(([pe, item]) => [
      pe,
      item,
      info.item,
    ]);
  }
  return [];
}

/** Items of a keyed list by encoded path element (the first of duplicates wins). */
export function index(
  list: unknown[],
  schema: Schema | undefined,
  path: FieldPath,
): Map<string, [PathElement, unknown]> {
  const info = listInfo(schema);
  const out = new Map<string, [PathElement, unknown]>();
  list.forEach((item, i) => {
    const pe = itemElement(info, item, i, pathString(path));
    const k = encodeElement(pe);
    if (!out.has(k)) out.set(k, [pe, item]);
  });
  return out;
}
