/**
 * Helpers shared by the two Event kinds.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { humanDuration } from "../table/duration.ts";
import { fields, nameColumn, str } from "./_columns.ts";
import type { TableColumn } from "./types.ts";

/** A nested object field or `{}`. */
export function sub(obj: unknown, key: string): Record<string, unknown> {
  const v = (obj as Record<string, unknown>)?.[key];
  return v && typeof v === "object" ? v as Record<string, unknown> : {};
}

/** Field names of one event form (core/v1 or events.k8s.io/v1). */
interface EventFieldNames {
  object: string;
  message: string;
  source: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: string;
  reportingController: string;
}

const CORE_NAMES: EventFieldNames = {
  object: "involvedObject",
  message: "message",
  source: "source",
  firstTimestamp: "firstTimestamp",
  lastTimestamp: "lastTimestamp",
  count: "count",
  reportingController: "reportingComponent",
};

const EVENTS_V1_NAMES: EventFieldNames = {
  object: "regarding",
  message: "note",
  source: "deprecatedSource",
  firstTimestamp: "deprecatedFirstTimestamp",
  lastTimestamp: "deprecatedLastTimestamp",
  count: "deprecatedCount",
  reportingController: "reportingController",
};

/** Time since `ts`, or `<unknown>` when unset (upstream's translate…Since). */
function since(ts: unknown, now: Date): string {
  const t = Date.parse(str(ts));
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now.getTime() - t);
}

/** `First Seen`: firstTimestamp, else eventTime (upstream's printEvent). */
function firstSeen(f: Record<string, unknown>, n: EventFieldNames, now: Date) {
  return str(f[n.firstTimestamp])
    ? since(f[n.firstTimestamp], now)
    : since(f.eventTime, now);
}

/** `Last Seen`: the series' last observation, else lastTimestamp, else First Seen. */
function lastSeen(f: Record<string, unknown>, n: EventFieldNames, now: Date) {
  if (f.series && typeof f.series === "object") {
    return since(sub(f, "series").lastObservedTime, now);
  }
  return str(f[n.lastTimestamp])
    ? since(f[n.lastTimestamp], now)
    : firstSeen(f, n, now);
}

/** `kind/name` of the object an event is about (`kind` alone without a name). */
export function objectCell(ref: Record<string, unknown>): string {
  const kind = str(ref.kind).toLowerCase();
  return str(ref.name) ? `${kind}/${str(ref.name)}` : kind;
}

/** `component, host` of the event source (upstream's formatEventSource). */
function sourceCell(f: Record<string, unknown>, n: EventFieldNames): string {
  const source = sub(f, n.source);
  const component = str(source.component) || str(f[n.reportingController]);
  const instance = str(source.host) || str(f.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

/** `Count`: the series count, else count, else 1 for a singleton event. */
function countCell(f: Record<string, unknown>, n: EventFieldNames): number {
  if (f.series && typeof f.series === "object") {
    const c = sub(f, "series").count;
    return typeof c === "number" ? c : 0;
  }
  const c = f[n.count];
  return typeof c === "number" && c !== 0 ? c : 1;
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
 * The Table columns both event kinds share, as kube-apiserver's event printer
 * serves them to either API (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; with
 * `-o wide` also SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME), reading the
 * fields under the names of `form`.
 */
export function eventColumns(form: "core" | "events.k8s.io"): TableColumn[] {
  const n = form === "core" ? CORE_NAMES : EVENTS_V1_NAMES;
  return [
    {
      name: "Last Seen",
      type: "string",
      description: "Time since the event was last observed.",
      cell: (obj, now) => lastSeen(fields(obj), n, now),
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
      cell: (obj) => objectCell(sub(fields(obj), n.object)),
    },
    {
      name: "Subobject",
      type: "string",
      priority: 1,
      description: "The field path within the object the event is about.",
      cell: (obj) => str(sub(fields(obj), n.object).fieldPath),
    },
    {
      name: "Source",
      type: "string",
      priority: 1,
      description: "The component reporting this event.",
      cell: (obj) => sourceCell(fields(obj), n),
    },
    {
      name: "Message",
      type: "string",
      description:
        "A human-readable description of the status of this operation.",
      cell: (obj) => str(fields(obj)[n.message]).trim(),
    },
    {
      name: "First Seen",
      type: "string",
      priority: 1,
      description: "Time since the event was first observed.",
      cell: (obj, now) => firstSeen(fields(obj), n, now),
    },
    {
      name: "Count",
      type: "string",
      priority: 1,
      description: "The number of times this event has occurred.",
      cell: (obj) => countCell(fields(obj), n),
    },
    {
      name: "Name",
      type: "string",
      format: "name",
      priority: 1,
      description: nameColumn.description,
      cell: (obj) => obj.metadata.name ?? "",
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
