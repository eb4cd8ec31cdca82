/**
 * Helpers shared by the two Event kinds.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { humanDuration } from "../table/duration.ts";
import { fields, str } from "./_columns.ts";
import type { TableColumn } from "./types.ts";

/** A nested object field or `{}`. */
export function sub(obj: unknown, key: string): Record<string, unknown> {
  const v = (obj as Record<string, unknown>)?.[key];
  return v && typeof v === "object" ? v as Record<string, unknown> : {};
}

/** `Last Seen` from the newest known timestamp. */
export function lastSeen(obj: KubeObject, now: Date): string {
  const f = fields(obj);
  const series = sub(f, "series");
  const ts = str(series.lastObservedTime) || str(f.lastTimestamp) ||
    str(f.deprecatedLastTimestamp) || str(f.eventTime) ||
    (obj.metadata.creationTimestamp ?? "");
  const t = Date.parse(ts);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now.getTime() - t);
}

/** `kind/name` of the object an event is about, as kubectl prints it. */
export function objectCell(ref: Record<string, unknown>): string {
  return `${str(ref.kind).toLowerCase()}/${str(ref.name)}`;
}

/** Field-selector fields of an object reference under `prefix`. */
export function refFields(
  prefix: string,
  ref: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (
    const f of [
      "kind",
      "namespace",
      "name",
      "uid",
      "apiVersion",
      "resourceVersion",
      "fieldPath",
    ]
  ) {
    out[`${prefix}.${f}`] = str(ref[f]);
  }
  return out;
}

/**
 * The Table columns both event kinds share (kubectl's LAST SEEN, TYPE,
 * REASON, OBJECT, MESSAGE), reading the object reference from `objectField`
 * and the text from `messageField`.
 */
export function eventColumns(
  objectField: "involvedObject" | "regarding",
  messageField: "message" | "note",
): TableColumn[] {
  return [
    {
      name: "Last Seen",
      type: "string",
      description: "Time since the event was last observed.",
      cell: lastSeen,
    },
    {
      name: "Type",
      type: "string",
      description: "Type of this event (Normal, Warning).",
      cell: (obj) => str(fields(obj).type),
    },
    {
      name: "Reason",
      type: "string",
      description: "Why the action was taken.",
      cell: (obj) => str(fields(obj).reason),
    },
    {
      name: "Object",
      type: "string",
      description: "The object this event is about.",
      cell: (obj) => objectCell(sub(fields(obj), objectField)),
    },
    {
      name: "Message",
      type: "string",
      description:
        "A human-readable description of the status of this operation.",
      cell: (obj) => str(fields(obj)[messageField]).trim(),
    },
  ];
}

/**
 * Field renames between the stored core/v1 form and events.k8s.io/v1
 * (upstream's `Convert_v1_Event_To_core_Event` and back): core name →
 * events.k8s.io name. Fields with the same name in both (`reason`, `type`,
 * `action`, `eventTime`, `series`, `related`, `reportingInstance`) are kept.
 */
const CORE_TO_V1: ReadonlyArray<readonly [string, string]> = [
  ["involvedObject", "regarding"],
  ["message", "note"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
  ["reportingComponent", "reportingController"],
];

/** The fields both forms share under one name. */
const SHARED = new Set([
  "metadata",
  "reason",
  "type",
  "action",
  "eventTime",
  "series",
  "related",
  "reportingInstance",
]);

/** Copies `obj`'s fields through `renames` (source name → target name). */
function renamed(
  obj: KubeObject,
  renames: ReadonlyArray<readonly [string, string]>,
  apiVersion: string,
  seriesKeys: readonly string[],
): KubeObject {
  const src = obj as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { apiVersion, kind: "Event" };
  const rename = new Map(renames);
  for (const [k, v] of Object.entries(src)) {
    if (k === "apiVersion" || k === "kind" || v === undefined) continue;
    if (k === "series") {
      const s = sub(src, "series");
      if (v === null) out.series = null;
      else {
        out.series = Object.fromEntries(
          seriesKeys.filter((f) => s[f] !== undefined).map((f) => [f, s[f]]),
        );
      }
      continue;
    }
    if (SHARED.has(k)) out[k] = structuredClone(v);
    else if (rename.has(k)) out[rename.get(k)!] = structuredClone(v);
  }
  return out as unknown as KubeObject;
}

/** A stored (core/v1) event in the events.k8s.io/v1 form. */
export function coreToEventsV1(core: KubeObject): KubeObject {
  return renamed(core, CORE_TO_V1, "events.k8s.io/v1", [
    "count",
    "lastObservedTime",
  ]);
}

/** An events.k8s.io/v1 event in the stored core/v1 form. */
export function eventsV1ToCore(event: KubeObject): KubeObject {
  return renamed(
    event,
    CORE_TO_V1.map(([a, b]) => [b, a] as const),
    "v1",
    ["count", "lastObservedTime"],
  );
}
