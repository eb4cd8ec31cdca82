/**
 * The `kubectl.kubernetes.io/last-applied-configuration` interplay of
 * kube-apiserver's field manager (`lastAppliedManager` and
 * `lastAppliedUpdater`): `kubectl apply --server-side` on an object managed
 * by client-side apply takes over the fields whose live values still match
 * the annotation without conflicts, and keeps the annotation in step with
 * what it applies.
 *
 * @module
 */

import { compare } from "./compare.ts";
import { ApplyConflictError } from "./errors.ts";
import {
  apply,
  type ApplyOptions,
  type FieldManagerResult,
} from "./field_manager.ts";
import type { FieldSet } from "./field_set.ts";
import { canonicalJson } from "./path.ts";
import { toFieldSet } from "./to_field_set.ts";
import { isObject } from "./_schema.ts";

type Obj = Record<string, unknown>;

/** The annotation client-side apply keeps its configuration in. */
export const LAST_APPLIED_ANNOTATION =
  "kubectl.kubernetes.io/last-applied-configuration";

/** Only this manager's applies upgrade or update the annotation (upstream). */
export const KUBECTL_MANAGER = "kubectl";

/** Upstream's total annotation size limit (256 KiB). */
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/**
 * {@linkcode apply} wrapped as upstream's `lastAppliedUpdater(
 * lastAppliedManager(…))`: for the `kubectl` manager, conflicts on fields
 * the live object's last-applied annotation still describes are forced, and
 * an existing annotation is rewritten to the new configuration.
 */
export function applyWithLastApplied(
  live: Obj | null,
  applied: unknown,
  opts: ApplyOptions,
): FieldManagerResult {
  let result: FieldManagerResult;
  try {
    result = apply(live, applied, opts);
  } catch (e) {
    if (
      !(e instanceof ApplyConflictError) || opts.manager !== KUBECTL_MANAGER ||
      !live
    ) {
      throw e;
    }
    const allowed = allowedConflicts(live, opts);
    if (!allowed) throw e;
    const rest = e.conflicts.filter((c) => !c.path || !allowed.has(c.path));
    if (rest.length > 0) throw new ApplyConflictError(rest);
    result = apply(live, applied, { ...opts, force: true });
  }
  if (opts.manager === KUBECTL_MANAGER && lastAppliedOf(result.object)) {
    setLastApplied(result.object, buildLastApplied(applied));
  }
  return result;
}

/**
 * Upstream `allowedConflictsFromLastApplied`: the fields of the annotation
 * whose values the live object still has; `undefined` without an annotation.
 */
function allowedConflicts(
  live: Obj,
  opts: ApplyOptions,
): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (!text) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(last)) return undefined;
  const liveObj = structuredClone(live);
  if (isObject(liveObj.metadata)) delete liveObj.metadata.managedFields;
  try {
    const cmp = compare(last, liveObj, opts.schema);
    return toFieldSet(last, opts.schema).difference(cmp.modified)
      .difference(cmp.added).difference(cmp.removed);
  } catch {
    return undefined;
  }
}

function lastAppliedOf(obj: Obj): string | undefined {
  const meta = obj.metadata;
  if (!isObject(meta) || !isObject(meta.annotations)) return undefined;
  const v = meta.annotations[LAST_APPLIED_ANNOTATION];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The configuration without the annotation, encoded as Go's JSON encoder does. */
function buildLastApplied(applied: unknown): string {
  const copy = structuredClone(applied) as Obj;
  const meta = copy.metadata;
  if (isObject(meta) && isObject(meta.annotations)) {
    delete meta.annotations[LAST_APPLIED_ANNOTATION];
  }
  return goJson(copy) + "\n";
}

function setLastApplied(obj: Obj, value: string): void {
  const meta = obj.metadata as Obj;
  const annotations = { ...(meta.annotations as Record<string, string>) };
  annotations[LAST_APPLIED_ANNOTATION] = value;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    size += new TextEncoder().encode(k + v).length;
  }
  if (size > MAX_ANNOTATIONS_BYTES) delete annotations[LAST_APPLIED_ANNOTATION];
  meta.annotations = annotations;
}

/** Sorted keys and Go's HTML-safe escapes, as `encoding/json`. */
function goJson(v: unknown): string {
  return canonicalJson(v).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
