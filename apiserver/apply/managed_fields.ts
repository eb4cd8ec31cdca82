/**
 * `metadata.managedFields` on the wire and in memory: decoding (with
 * upstream's validation messages), encoding (upstream's entry order) and the
 * manager identifier that keys entries (manager, operation, apiVersion for
 * updaters, subresource — never the time).
 *
 * @module
 */

import { ManagedFieldsError } from "./errors.ts";
import {
  FieldSet,
  FieldsV1Error,
  fromFieldsV1,
  toFieldsV1,
} from "./field_set.ts";

/** The operation that produced a managed fields entry. */
export type ManagedFieldsOperation = "Apply" | "Update";

/** `metav1.ManagedFieldsEntry` as sent on the wire. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: ManagedFieldsOperation;
  apiVersion?: string;
  /** RFC 3339 with second precision, e.g. `2024-05-01T10:00:00Z`. */
  time?: string;
  fieldsType?: "FieldsV1";
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** One decoded entry: who owns which fields. */
export interface ManagerRecord {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Decoded managed fields, keyed by {@linkcode managerId}. */
export type Managers = Map<string, ManagerRecord>;

/** What identifies a manager's entry. */
export interface ManagerKey {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion?: string;
  subresource?: string;
}

/**
 * Upstream `BuildManagerIdentifier`: the entry's JSON without time and fields,
 * and without apiVersion for appliers (so re-applying at another version
 * replaces the entry).
 */
export function managerId(k: ManagerKey): string {
  const o: Record<string, string> = {};
  if (k.manager) o.manager = k.manager;
  o.operation = k.operation;
  if (k.operation === "Update" && k.apiVersion) o.apiVersion = k.apiVersion;
  if (k.subresource) o.subresource = k.subresource;
  return JSON.stringify(o);
}

/**
 * Decodes `managedFields`; throws {@linkcode ManagedFieldsError} with
 * upstream's message when an entry is malformed. `undefined`/`null` is empty.
 */
export function decodeManagedFields(entries: unknown): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) {
    throw new ManagedFieldsError("managedFields must be a list");
  }
  entries.forEach((raw, i) => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new ManagedFieldsError(
        `managed fields entry ${i} is not an object`,
      );
    }
    const e = raw as Record<string, unknown>;
    if (e.operation !== "Apply" && e.operation !== "Update") {
      throw new ManagedFieldsError("operation must be `Apply` or `Update`");
    }
    if (typeof e.apiVersion !== "string" || e.apiVersion === "") {
      throw new ManagedFieldsError("apiVersion must not be empty");
    }
    if (e.fieldsType === undefined || e.fieldsType === "") {
      throw new ManagedFieldsError(
        `missing fieldsType in managed fields entry ${i}`,
      );
    }
    if (e.fieldsType !== "FieldsV1") {
      throw new ManagedFieldsError(
        `invalid fieldsType ${
          JSON.stringify(e.fieldsType)
        } in managed fields entry ${i}`,
      );
    }
    for (const f of ["manager", "time", "subresource"]) {
      if (e[f] !== undefined && e[f] !== null && typeof e[f] !== "string") {
        throw new ManagedFieldsError(
          `${f} must be a string in managed fields entry ${i}`,
        );
      }
    }
    let set: FieldSet;
    try {
      set = e.fieldsV1 === undefined || e.fieldsV1 === null
        ? new FieldSet()
        : fromFieldsV1(e.fieldsV1);
    } catch (err) {
      if (err instanceof FieldsV1Error) {
        throw new ManagedFieldsError(
          `error decoding versioned set from managed fields entry ${i}: ${err.message}`,
        );
      }
      throw err;
    }
    const rec: ManagerRecord = {
      manager: (e.manager as string | undefined) ?? "",
      operation: e.operation,
      apiVersion: e.apiVersion,
      set,
    };
    if (e.time) rec.time = e.time as string;
    if (e.subresource) rec.subresource = e.subresource as string;
    out.set(managerId(rec), rec);
  });
  return out;
}

function timeSeconds(t?: string): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Encodes managers as `managedFields`, empty sets dropped, in upstream's order. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const r of managers.values()) {
    if (r.set.isEmpty()) continue;
    const e: ManagedFieldsEntry = {
      manager: r.manager,
      operation: r.operation,
      apiVersion: r.apiVersion,
    };
    if (r.time) e.time = r.time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = toFieldsV1(r.set);
    if (r.subresource) e.subresource = r.subresource;
    out.push(e);
  }
  return out.sort((p, q) =>
    cmp(p.operation!, q.operation!) ||
    timeSeconds(p.time) - timeSeconds(q.time) ||
    cmp(p.manager ?? "", q.manager ?? "") ||
    cmp(p.apiVersion ?? "", q.apiVersion ?? "") ||
    cmp(p.subresource ?? "", q.subresource ?? "")
  );
}

/** True for the `[{}]` a client sends to clear managedFields (upstream convention). */
export function isResetRequest(entries: unknown): boolean {
  return Array.isArray(entries) && entries.length === 1 &&
    typeof entries[0] === "object" && entries[0] !== null &&
    Object.keys(entries[0]).length === 0;
}
