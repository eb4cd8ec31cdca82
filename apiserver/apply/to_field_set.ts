/**
 * Object → field set, as upstream `TypedValue.ToFieldSet`: scalars, atomic
 * lists/maps, list items, map entries and empty/null struct fields are
 * members; struct fields with content are only reached through their
 * children. Also `ensureNamedFieldsAreMembers`, used when pruning.
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import { ApplyError } from "./errors.ts";
import { FieldSet } from "./field_set.ts";
import { encodeElement, type FieldPath, pathString } from "./path.ts";
import {
  childSchema,
  isAtomicMap,
  isDeclared,
  isObject,
  itemElement,
  listInfo,
  resolve,
} from "./_schema.ts";

/**
 * The set of fields `value` sets, given its `schema`. With `strict`,
 * duplicate items of `set`/`map` lists are an {@linkcode ApplyError} (as for
 * an applied configuration); otherwise the first one wins.
 */
export function toFieldSet(
  value: unknown,
  schema: Schema | undefined,
  strict = false,
): FieldSet {
  const set = new FieldSet();
  walk(value, resolve(schema), [], set, strict);
  return set;
}

function walk(
  v: unknown,
  schema: Schema | undefined,
  path: FieldPath,
  set: FieldSet,
  strict: boolean,
): void {
  if (isObject(v)) {
    if (isAtomicMap(schema)) {
      set.insert(path);
      return;
    }
    for (const [k, cv] of Object.entries(v)) {
      const cpath = [...path, { field: k }];
      walk(cv, childSchema(schema, k), cpath, set, strict);
      const empty = cv === null ||
        (isObject(cv) && Object.keys(cv).length === 0);
      if (empty || !isDeclared(schema, k)) set.insert(cpath);
    }
    return;
  }
  if (Array.isArray(v)) {
    const info = listInfo(schema);
    if (info.type === "atomic") {
      set.insert(path);
      return;
    }
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const pe = itemElement(info, item, i, pathString(path));
      const k = encodeElement(pe);
      if (seen.has(k)) {
        if (strict) {
          throw new ApplyError(
            422,
            `${pathString(path)}: duplicate entries for key ${
              pathString([pe])
            }`,
          );
        }
        return;
      }
      seen.add(k);
      const ipath = [...path, pe];
      walk(item, info.item, ipath, set, strict);
      set.insert(ipath);
    });
    return;
  }
  set.insert(path);
}

/**
 * `set` plus every declared struct field that has children in `set` (so
 * owning `.spec.replicas` also marks `.spec`), as upstream
 * `Set.EnsureNamedFieldsAreMembers`.
 */
export function ensureNamedFieldsAreMembers(
  set: FieldSet,
  schema: Schema | undefined,
): FieldSet {
  const s = resolve(schema);
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.members.set(k, pe);
  for (const [k, c] of set.children) {
    let sub: Schema | undefined;
    if ("field" in c.pe) {
      if (isDeclared(s, c.pe.field)) out.members.set(k, c.pe);
      sub = childSchema(s, c.pe.field);
    } else {
      sub = resolve(s?.items);
    }
    out.children.set(k, {
      pe: c.pe,
      set: ensureNamedFieldsAreMembers(c.set, sub),
    });
  }
  return out;
}
