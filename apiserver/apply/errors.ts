/**
 * Typed server-side apply errors, each carrying what its `Status` needs.
 * Conflict messages follow upstream `internal.NewConflictError`.
 *
 * @module
 */

import type { FieldPath } from "./path.ts";

/** An apply request or object that cannot be processed (400 or 422). */
export class ApplyError extends Error {
  /** 400 (malformed request) or 422 (the object does not fit its schema). */
  readonly code: 400 | 422;
  /** The `Status.reason`. */
  readonly reason: "BadRequest" | "Invalid";

  constructor(code: 400 | 422, message: string) {
    super(message);
    this.name = "ApplyError";
    this.code = code;
    this.reason = code === 400 ? "BadRequest" : "Invalid";
  }
}

/** `managedFields` that cannot be decoded (API: 400 BadRequest). */
export class ManagedFieldsError extends Error {
  /** Always 400. */
  readonly code = 400;
  /** Always `BadRequest`. */
  readonly reason = "BadRequest";

  constructor(message: string) {
    super(message);
    this.name = "ManagedFieldsError";
  }
}

/** One field another manager owns with a different value. */
export interface ApplyConflict {
  /** The manager's identifier as upstream encodes it (JSON of manager/operation/apiVersion/subresource). */
  managerId: string;
  /** The manager's name (`kubectl-client-side-apply`, …). */
  manager: string;
  /** The field, e.g. `.data.key` or `.spec.containers[name="a"].image`. */
  field: string;
  /** The field as a path (absent when built from a message only). */
  path?: FieldPath;
}

/** A `StatusCause` of a conflict (`reason: FieldManagerConflict`). */
export interface ConflictCause {
  reason: "FieldManagerConflict";
  message: string;
  field: string;
}

/** Server-side apply conflicts (API: 409 Conflict with one cause per field). */
export class ApplyConflictError extends Error {
  /** Always 409. */
  readonly code = 409;
  /** Always `Conflict`. */
  readonly reason = "Conflict";
  /** The conflicting fields, sorted by manager then field. */
  readonly conflicts: ApplyConflict[];
  /** `Status.details.causes`, as upstream. */
  readonly causes: ConflictCause[];

  constructor(conflicts: ApplyConflict[]) {
    super(conflictMessage(conflicts));
    this.name = "ApplyConflictError";
    this.conflicts = conflicts;
    this.causes = conflicts.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${printManager(c.managerId)}`,
      field: c.field,
    }));
  }
}

/** True when `err` is any error of this module that maps to a `Status`. */
export function isApplyError(
  err: unknown,
): err is ApplyError | ApplyConflictError | ManagedFieldsError {
  return err instanceof ApplyError || err instanceof ApplyConflictError ||
    err instanceof ManagedFieldsError;
}

/** Upstream `printManager`: `"name"`, plus `using <apiVersion>` for updaters. */
export function printManager(managerId: string): string {
  let e: Record<string, string>;
  try {
    e = JSON.parse(managerId);
  } catch {
    return JSON.stringify(managerId);
  }
  let s = JSON.stringify(e.manager ?? "");
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === "Update") s += ` using ${e.apiVersion ?? ""}`;
  return s;
}

function conflictMessage(conflicts: ApplyConflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0];
    return `Apply failed with 1 conflict: conflict with ${
      printManager(c.managerId)
    }: ${c.field}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    byManager.set(c.managerId, [...byManager.get(c.managerId) ?? [], c.field]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${printManager(id)}:`);
    for (const f of byManager.get(id)!) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}
