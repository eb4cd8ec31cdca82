/**
 * `meta.k8s.io/v1` Table output (what `kubectl get` asks for): the kind's
 * column definitions and one row per object, with the object embedded as
 * `PartialObjectMetadata` (default), in full, or not at all (`includeObject`).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { createdAtColumn, nameColumn } from "../resources/_columns.ts";
import type { ResourceDefinition, TableColumn } from "../resources/types.ts";
import { badRequestError } from "../status/mod.ts";

/** `includeObject` query values. */
export type IncludeObject = "None" | "Metadata" | "Object";

/**
 * Reads `includeObject` from the query (default `Metadata`); another value
 * is 400 with upstream's message (`ValidateTableOptions`).
 */
export function parseIncludeObject(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject") ?? "";
  if (v === "") return "Metadata";
  if (v === "None" || v === "Metadata" || v === "Object") return v;
  throw badRequestError(
    `Unable to convert to Table as requested: includeObject: Invalid value: ${
      JSON.stringify(v)
    }: must be 'Metadata', 'Object', 'None', or empty`,
  );
}

/** The columns of `def` (default `Name`, `Created At`). */
export function columnsOf(def: ResourceDefinition): TableColumn[] {
  return def.columns ?? [nameColumn, createdAtColumn];
}

/** Options for {@linkcode toTable}. */
export interface TableOptions {
  includeObject: IncludeObject;
  now: Date;
  /** `meta.k8s.io` version of the Table (`v1` or `v1beta1`). */
  version: string;
  /** List metadata (resourceVersion, continue, remainingItemCount). */
  listMeta?: Record<string, unknown>;
  /** Omit column definitions (watch events after the first, as upstream). */
  noHeaders?: boolean;
}

function embedded(
  obj: KubeObject,
  mode: IncludeObject,
  version: string,
): unknown {
  if (mode === "None") return undefined;
  if (mode === "Object") return obj;
  return {
    kind: "PartialObjectMetadata",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: obj.metadata,
  };
}

/** Builds the Table for `objs` of kind `def`. */
export function toTable(
  def: ResourceDefinition,
  objs: KubeObject[],
  opts: TableOptions,
): Record<string, unknown> {
  const cols = columnsOf(def);
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.noHeaders ? null : cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description,
      priority: c.priority ?? 0,
    })),
    rows: objs.map((obj) => {
      const row: Record<string, unknown> = {
        cells: cols.map((c) => c.cell(obj, opts.now)),
      };
      const o = embedded(obj, opts.includeObject, opts.version);
      if (o !== undefined) row.object = o;
      return row;
    }),
  };
}
