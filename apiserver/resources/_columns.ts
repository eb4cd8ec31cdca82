/**
 * Column helpers shared by resource definitions.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { TableColumn } from "./types.ts";
import { humanDuration } from "../table/duration.ts";

/** The `Name` column every kind starts with. */
export const nameColumn: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  cell: (obj) => obj.metadata.name ?? "",
};

/** Age since `creationTimestamp`, as kubectl prints it. */
export const ageColumn: TableColumn = {
  name: "Age",
  type: "string",
  description:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.",
  cell: (obj, now) => age(obj.metadata.creationTimestamp, now),
};

/** The generic `Created At` column (the default table). */
export const createdAtColumn: TableColumn = {
  name: "Created At",
  type: "date",
  description: ageColumn.description,
  cell: (obj) => obj.metadata.creationTimestamp ?? "",
};

/** `5m` for a timestamp five minutes before `now`; `<unknown>` when unset. */
export function age(ts: string | undefined, now: Date): string {
  if (!ts) return "<unknown>";
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return "<unknown>";
  return humanDuration(now.getTime() - t);
}

/** The number of keys of a map field (`data` and `binaryData` both count). */
export function countKeys(...maps: unknown[]): number {
  let n = 0;
  for (const m of maps) {
    if (m && typeof m === "object") n += Object.keys(m).length;
  }
  return n;
}

/** A string field or `""`. */
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The object as a plain record (for reading kind-specific fields). */
export function fields(obj: KubeObject): Record<string, unknown> {
  return obj as Record<string, unknown>;
}
