/**
 * Table columns of a custom resource version, after upstream's
 * `tableconvertor`: `Name`, then the version's `additionalPrinterColumns`
 * (or a single `Age` column when it has none). Cells follow the column
 * type: `string` prints the first JSONPath result as kubectl would,
 * `integer`/`number`/`boolean` keep JSON values, `date` shows the age
 * (`5m`), and a missing value is `null`.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { TableColumn } from "../resources/types.ts";
import { humanDuration } from "../table/duration.ts";
import { evalJsonPath, parseJsonPath, printJsonValue } from "./jsonpath.ts";
import type { PrinterColumn } from "./types.ts";

const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

const CREATION_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** The columns served when a version declares none. */
export const DEFAULT_PRINTER_COLUMNS: PrinterColumn[] = [{
  name: "Age",
  type: "date",
  description: CREATION_DESCRIPTION,
  jsonPath: ".metadata.creationTimestamp",
}];

/** The cell of a `type` column for a JSON value, as `cellForJSONValue`. */
export function cellFor(type: string, v: unknown, now: Date): unknown {
  if (v === undefined || v === null) return null;
  switch (type) {
    case "integer":
      return typeof v === "number" ? Math.trunc(v) : null;
    case "number":
      return typeof v === "number" ? v : null;
    case "boolean":
      return typeof v === "boolean" ? v : null;
    case "string":
      return printJsonValue(v);
    case "date": {
      if (typeof v !== "string") return null;
      const t = Date.parse(v);
      if (Number.isNaN(t)) return "<invalid>";
      return humanDuration(now.getTime() - t);
    }
  }
  return null;
}

/** Table columns for a version's printer columns. */
export function printerColumns(
  cols: PrinterColumn[] | undefined,
): TableColumn[] {
  const defs = cols && cols.length > 0 ? cols : DEFAULT_PRINTER_COLUMNS;
  const out: TableColumn[] = [{
    name: "Name",
    type: "string",
    format: "name",
    description: NAME_DESCRIPTION,
    cell: (obj) => obj.metadata.name ?? "",
  }];
  for (const c of defs) {
    const path = parseJsonPath(c.jsonPath ?? "");
    const type = c.type ?? "string";
    out.push({
      name: c.name ?? "",
      type,
      format: c.format ?? "",
      description: c.description ?? "",
      priority: c.priority ?? 0,
      cell: (obj: KubeObject, now: Date) => {
        const found = evalJsonPath(path, obj);
        return found.length === 0 ? null : cellFor(type, found[0], now);
      },
    });
  }
  return out;
}
