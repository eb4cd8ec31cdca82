/**
 * Deletion propagation, as upstream's `deletionFinalizersForGarbageCollection`
 * (`k8s.io/apiserver/pkg/registry/generic/registry/store.go`): a DELETE with
 * `propagationPolicy=Orphan` (or the legacy `orphanDependents=true`) puts the
 * `orphan` finalizer on the object, `Foreground` puts `foregroundDeletion`,
 * `Background` puts neither; without a policy the object's own GC finalizer
 * (if any) decides, else the kind's default (Background for every kind we
 * serve). The garbage collector then does the work and removes the finalizer.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";

/** Finalizer asking the garbage collector to orphan the dependents first. */
export const ORPHAN_FINALIZER = "orphan";
/** Finalizer asking the garbage collector to delete the dependents first. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";

/** The propagation part of `DeleteOptions`. */
export interface PropagationOptions {
  /** `Orphan`, `Background` or `Foreground` (validated before). */
  propagationPolicy?: string;
  /** The deprecated boolean form (never set together with the policy). */
  orphanDependents?: boolean;
}

/** A kind's default garbage-collection policy (upstream's `GarbageCollectionPolicy`). */
export type DefaultGarbageCollectionPolicy =
  | "DeleteDependents"
  | "OrphanDependents"
  | "Unsupported";

function shouldOrphan(
  finalizers: readonly string[],
  opts: PropagationOptions,
  def: DefaultGarbageCollectionPolicy,
): boolean {
  if (def === "Unsupported") return false;
  if (opts.orphanDependents !== undefined) return opts.orphanDependents;
  switch (opts.propagationPolicy) {
    case "Orphan":
      return true;
    case "Background":
    case "Foreground":
      return false;
  }
  for (const f of finalizers) {
    if (f === ORPHAN_FINALIZER) return true;
    if (f === FOREGROUND_FINALIZER) return false;
  }
  return def === "OrphanDependents";
}

function shouldDeleteInForeground(
  finalizers: readonly string[],
  opts: PropagationOptions,
  def: DefaultGarbageCollectionPolicy,
): boolean {
  if (def === "Unsupported") return false;
  if (opts.orphanDependents !== undefined) return false;
  switch (opts.propagationPolicy) {
    case "Foreground":
      return true;
    case "Background":
    case "Orphan":
      return false;
  }
  for (const f of finalizers) {
    if (f === FOREGROUND_FINALIZER) return true;
    if (f === ORPHAN_FINALIZER) return false;
  }
  return false;
}

/**
 * The finalizers `obj` must carry after a DELETE with `opts`, or `undefined`
 * when they stay as they are (the same set).
 *
 * @example
 * ```ts
 * deletionFinalizers({ metadata: {} }, { propagationPolicy: "Orphan" });
 * // ["orphan"]
 * ```
 */
export function deletionFinalizers(
  obj: KubeObject,
  opts: PropagationOptions,
  defaultPolicy: DefaultGarbageCollectionPolicy = "DeleteDependents",
): string[] | undefined {
  const current = obj.metadata.finalizers ?? [];
  const next = current.filter((f) =>
    f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER
  );
  if (shouldOrphan(current, opts, defaultPolicy)) next.push(ORPHAN_FINALIZER);
  if (shouldDeleteInForeground(current, opts, defaultPolicy)) {
    next.push(FOREGROUND_FINALIZER);
  }
  const before = new Set(current);
  const after = new Set(next);
  if (before.size === after.size && [...after].every((f) => before.has(f))) {
    return undefined;
  }
  return next;
}

/**
 * A copy of `obj` with the finalizers a DELETE with `opts` leaves (the same
 * object when nothing changes).
 */
export function withDeletionFinalizers(
  obj: KubeObject,
  opts: PropagationOptions,
  defaultPolicy?: DefaultGarbageCollectionPolicy,
): KubeObject {
  const next = deletionFinalizers(obj, opts, defaultPolicy);
  if (!next) return obj;
  const copy = { ...obj, metadata: { ...obj.metadata } };
  if (next.length) copy.metadata.finalizers = next;
  else delete copy.metadata.finalizers;
  return copy;
}
