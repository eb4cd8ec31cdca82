/**
 * Server-side apply and managed-fields tracking, as upstream
 * `structured-merge-diff` `merge.Updater` wrapped by kube-apiserver's
 * `fieldmanager` (strip of metadata fields, timestamps, "before-first-apply").
 *
 * @module
 */

import { rfc3339 } from "../../internal/time.ts";
import type { Schema } from "../schema/types.ts";
import { capUpdateManagers } from "./cap_managers.ts";
import { compare, type Comparison } from "./compare.ts";
import {
  type ApplyConflict,
  ApplyConflictError,
  ApplyError,
} from "./errors.ts";
import { FieldSet } from "./field_set.ts";
import {
  decodeManagedFields,
  encodeManagedFields,
  isResetRequest,
  type ManagedFieldsEntry,
  managerId,
  type Managers,
} from "./managed_fields.ts";
import { merge, removeItems } from "./merge.ts";
import { type FieldPath, fieldPath, pathString } from "./path.ts";
import { ensureNamedFieldsAreMembers, toFieldSet } from "./to_field_set.ts";
import { isObject, jsonEqual } from "./_schema.ts";

type Obj = Record<string, unknown>;

/**
 * Fields no manager ever owns (upstream `stripMetaManager`): `apiVersion`,
 * `kind`, `metadata` itself and the metadata the server controls. Only the
 * exact paths are dropped: `.metadata.labels.x` is still tracked.
 */
export const DEFAULT_STRIPPED_FIELDS: readonly FieldPath[] = [
  fieldPath("apiVersion"),
  fieldPath("kind"),
  fieldPath("metadata"),
  fieldPath("metadata", "name"),
  fieldPath("metadata", "namespace"),
  fieldPath("metadata", "creationTimestamp"),
  fieldPath("metadata", "selfLink"),
  fieldPath("metadata", "uid"),
  fieldPath("metadata", "clusterName"),
  fieldPath("metadata", "generation"),
  fieldPath("metadata", "managedFields"),
  fieldPath("metadata", "resourceVersion"),
];

/** The manager upstream records for an object's fields at its first apply when it had no managedFields. */
export const BEFORE_FIRST_APPLY_MANAGER = "before-first-apply";

/** What every field-manager call needs. */
export interface FieldManagerOptions {
  /** The kind's structural schema (`undefined`: maps granular, lists atomic). */
  schema: Schema | undefined;
  /** The request's group/version, e.g. `v1` or `apps/v1`. */
  apiVersion: string;
  /** The request time (recorded with second precision). */
  now: Date;
  /** `status`, `scale`, … when the request targets a subresource. */
  subresource?: string;
  /** Exact paths never tracked; defaults to {@linkcode DEFAULT_STRIPPED_FIELDS}. */
  strippedFields?: readonly FieldPath[];
  /**
   * Paths (with everything below) this endpoint does not change — upstream's
   * reset fields, e.g. `[["status"]]` for the main resource of a kind with a
   * status subresource. Nobody gains ownership of them here, and apply keeps
   * their live values.
   */
  resetFields?: readonly FieldPath[];
}

/** Options of {@linkcode apply}. */
export interface ApplyOptions extends FieldManagerOptions {
  /** The `fieldManager` of the request (required for apply). */
  manager: string;
  /** `force=true`: take conflicting fields instead of failing. */
  force?: boolean;
}

/** Options of {@linkcode updateManagedFields}. */
export interface UpdateOptions extends FieldManagerOptions {
  /** The `fieldManager` of the request, or the user agent's prefix. */
  manager: string;
}

/** The object to store, with its managedFields already set. */
export interface FieldManagerResult {
  /** The object to persist; `metadata.managedFields` is set (or absent when empty). */
  object: Obj;
  /** The entries written to `metadata.managedFields`. */
  managedFields: ManagedFieldsEntry[];
  /** False when the object's content (managedFields aside) equals the live one. */
  changed: boolean;
}

const SELF = '{"manager":"current-operation"}';

/**
 * Server-side apply of `applied` (the parsed `apply-patch+yaml` body) onto
 * `live` (`null` when the object does not exist: apply creates it).
 *
 * Throws {@linkcode ApplyConflictError} (409) when another manager owns a
 * field the configuration changes and `force` is not set, and
 * {@linkcode ApplyError} (400/422) for a malformed configuration.
 */
export function apply(
  live: Obj | null,
  applied: unknown,
  opts: ApplyOptions,
): FieldManagerResult {
  if (!isObject(applied)) {
    throw new ApplyError(400, "the applied configuration must be an object");
  }
  const meta = applied.metadata;
  if (isObject(meta) && meta.managedFields !== undefined) {
    throw new ApplyError(
      400,
      `metadata.managedFields must be nil but was ${
        JSON.stringify(meta.managedFields)
      }`,
    );
  }
  const reset = FieldSet.of(...opts.resetFields ?? []);
  const config = removeItems(dropNulls(applied), reset, opts.schema) as Obj;
  const liveObj = live ? withoutManagedFields(live) : {};
  const managers = live ? decodeOrEmpty(managedFieldsOf(live)) : new Map();
  if (live && managers.size === 0) beforeFirstApply(liveObj, managers, opts);

  const id = managerId({
    manager: opts.manager,
    operation: "Apply",
    subresource: opts.subresource,
  });
  const last = managers.get(id);
  let merged = merge(liveObj, config, opts.schema) as Obj;
  managers.set(id, {
    manager: opts.manager,
    operation: "Apply",
    apiVersion: opts.apiVersion,
    time: last?.time,
    subresource: opts.subresource,
    set: toFieldSet(config, opts.schema, true).withoutPrefixes(reset),
  });
  if (last && !last.set.isEmpty()) {
    merged = prune(merged, managers, last.set, opts.schema);
  }
  update(liveObj, merged, managers, id, opts.force ?? false, opts);
  strip(managers, id, opts);

  const changed = !live || !jsonEqual(liveObj, merged);
  const rec = managers.get(id);
  if (rec && (changed || !rec.time)) rec.time = rfc3339(opts.now);
  return finish(changed ? merged : liveObj, managers, changed);
}

/**
 * Records a create/update/patch by a non-apply manager: it gains the fields it
 * added or changed, other managers lose fields whose values changed or that
 * were removed. `old` is `null` on create. Client-sent `managedFields` in
 * `next` are honoured when valid (that is how clients edit them), ignored
 * when malformed (the live ones are kept, as upstream); `[{}]` clears them.
 * Never throws for object content: when an object cannot be mapped onto its
 * schema the managedFields are dropped, as upstream `UpdateNoErrors` does.
 */
export function updateManagedFields(
  old: Obj | null,
  next: Obj,
  opts: UpdateOptions,
): FieldManagerResult {
  const sent = managedFieldsOf(next);
  const newObj = withoutManagedFields(next);
  const oldObj = old ? withoutManagedFields(old) : {};
  const changed = !old || !jsonEqual(oldObj, newObj);
  if (isResetRequest(sent)) return finish(newObj, new Map(), changed, true);

  let managers: Managers | undefined;
  if (!opts.subresource && Array.isArray(sent) && sent.length > 0) {
    try {
      managers = decodeManagedFields(sent);
    } catch {
      managers = undefined;
    }
  }
  if (!managers || managers.size === 0) {
    managers = decodeOrEmpty(old ? managedFieldsOf(old) : undefined);
  }
  try {
    const cmp = update(oldObj, newObj, managers, SELF, true, opts);
    const reset = FieldSet.of(...opts.resetFields ?? []);
    const stripped = FieldSet.of(
      ...opts.strippedFields ?? DEFAULT_STRIPPED_FIELDS,
    );
    const own = cmp.modified.union(cmp.added).withoutPrefixes(reset)
      .difference(stripped);
    if (!own.isEmpty()) {
      const key = {
        manager: opts.manager,
        operation: "Update" as const,
        apiVersion: opts.apiVersion,
        subresource: opts.subresource,
      };
      const id = managerId(key);
      const prev = managers.get(id);
      managers.set(id, {
        ...key,
        time: rfc3339(opts.now),
        set: prev ? prev.set.union(own) : own,
      });
    }
  } catch (e) {
    if (e instanceof ApplyError) {
      return finish(newObj, new Map(), changed, true);
    }
    throw e;
  }
  return finish(newObj, managers, changed, true);
}

/** Upstream `Updater.update`: conflicts and ownership loss for everyone but `workflow`. */
function update(
  oldObj: Obj,
  newObj: Obj,
  managers: Managers,
  workflow: string,
  force: boolean,
  opts: FieldManagerOptions,
): Comparison {
  const reset = FieldSet.of(...opts.resetFields ?? []);
  const raw = compare(oldObj, newObj, opts.schema);
  const cmp: Comparison = {
    added: raw.added.withoutPrefixes(reset),
    modified: raw.modified.withoutPrefixes(reset),
    removed: raw.removed.withoutPrefixes(reset),
  };
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, rec] of managers) {
    if (id === workflow) continue;
    const c = rec.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(id, c);
  }
  if (!force && conflicts.size > 0) {
    const list: ApplyConflict[] = [];
    for (const id of [...conflicts.keys()].sort()) {
      for (const p of conflicts.get(id)!.paths()) {
        list.push({
          managerId: id,
          manager: managers.get(id)!.manager,
          field: pathString(p),
          path: p,
        });
      }
    }
    throw new ApplyConflictError(list);
  }
  for (const [id, rec] of managers) {
    if (id === workflow) continue;
    const c = conflicts.get(id);
    if (c) rec.set = rec.set.difference(c);
    rec.set = rec.set.difference(cmp.removed);
    if (rec.set.isEmpty()) managers.delete(id);
  }
  return cmp;
}

/**
 * Upstream `Updater.prune`: removes what the applier owned last time, no
 * longer applies, and nobody else (nor its new configuration) owns.
 */
function prune(
  merged: Obj,
  managers: Managers,
  lastSet: FieldSet,
  schema: Schema | undefined,
): Obj {
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, schema);
  let managed = new FieldSet();
  for (const rec of managers.values()) managed = managed.union(rec.set);
  const mergedSet = ensure(toFieldSet(merged, schema));
  const last = ensure(lastSet);
  let pruned = removeItems(merged, last, schema);
  // Add back what someone still owns.
  const prunedSet = ensure(toFieldSet(pruned, schema));
  pruned = removeItems(
    merged,
    mergedSet.difference(prunedSet.union(ensure(managed))),
    schema,
  );
  // Only ever remove what the applier owned before.
  const kept = ensure(toFieldSet(pruned, schema));
  return removeItems(
    merged,
    mergedSet.difference(kept).intersection(last),
    schema,
  ) as Obj;
}

/** Upstream `skipNonAppliedManager`: an untracked object's fields go to "before-first-apply". */
function beforeFirstApply(
  liveObj: Obj,
  managers: Managers,
  opts: ApplyOptions,
): void {
  const cmp = compare({}, liveObj, opts.schema);
  const stripped = FieldSet.of(
    ...opts.strippedFields ?? DEFAULT_STRIPPED_FIELDS,
  );
  const reset = FieldSet.of(...opts.resetFields ?? []);
  const set = cmp.added.union(cmp.modified).withoutPrefixes(reset).difference(
    stripped,
  );
  if (set.isEmpty()) return;
  const key = {
    manager: BEFORE_FIRST_APPLY_MANAGER,
    operation: "Update" as const,
    apiVersion: opts.apiVersion,
  };
  managers.set(managerId(key), { ...key, set });
}

function strip(managers: Managers, id: string, opts: FieldManagerOptions) {
  const rec = managers.get(id);
  if (!rec) return;
  rec.set = rec.set.difference(
    FieldSet.of(...opts.strippedFields ?? DEFAULT_STRIPPED_FIELDS),
  );
  if (rec.set.isEmpty()) managers.delete(id);
}

/**
 * The result object: `obj` with `managers` as its managedFields. `obj` is
 * copied unless `owned` (a top level and `metadata` made here over an object
 * the caller hands over: only `metadata` is changed).
 */
function finish(
  obj: Obj,
  managers: Managers,
  changed: boolean,
  owned = false,
): FieldManagerResult {
  capUpdateManagers(managers);
  const managedFields = encodeManagedFields(managers);
  const object = owned ? obj : structuredClone(obj);
  const meta = isObject(object.metadata) ? object.metadata : {};
  if (managedFields.length > 0) meta.managedFields = managedFields;
  else delete meta.managedFields;
  if (managedFields.length > 0 || isObject(object.metadata)) {
    object.metadata = meta;
  }
  return { object, managedFields, changed };
}

function managedFieldsOf(obj: Obj): unknown {
  return isObject(obj.metadata) ? obj.metadata.managedFields : undefined;
}

function decodeOrEmpty(entries: unknown): Managers {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

/**
 * `obj` without its managedFields: a new top level and `metadata`, the
 * rest shared (a deep copy cost seconds for objects of 100,000 keys; what
 * is built from the result copies what it changes, see `finish`).
 */
function withoutManagedFields(obj: Obj): Obj {
  if (!isObject(obj.metadata)) return { ...obj };
  const { managedFields: _mf, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** An applied configuration without `null` fields (they are neither owned nor stored). */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const [k, cv] of Object.entries(v)) {
    if (cv !== null) out[k] = dropNulls(cv);
  }
  return out;
}
