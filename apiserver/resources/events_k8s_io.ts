/**
 * events.k8s.io/v1 Event: the structured event form (`regarding`, `note`,
 * `reportingController`…). As upstream, these are the core/v1 events in
 * another form: stored under the core key (`/registry/events/…`) and
 * converted on every read and write, so an event written through either API
 * is listed by both.
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  notSupported,
  required,
} from "../validation/field_error.ts";
import { fields, str } from "./_columns.ts";
import {
  coreToEventsV1,
  eventColumns,
  eventsV1ToCore,
  refFields,
  sub,
} from "./_events.ts";
import type { ResourceDefinition } from "./types.ts";
import { EVENTS_EVENT, EVENTS_EVENT_LIST } from "../schema/events.ts";

/** Fields an events.k8s.io/v1 update may not change (core/v1 names). */
const IMMUTABLE = [
  "involvedObject",
  "reason",
  "message",
  "source",
  "firstTimestamp",
  "lastTimestamp",
  "count",
  "type",
  "eventTime",
  "action",
  "related",
  "reportingComponent",
  "reportingInstance",
];

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The `events.k8s.io/v1` `events` resource. */
export const eventsV1: ResourceDefinition = {
  group: "events.k8s.io",
  version: "v1",
  kind: "Event",
  schema: EVENTS_EVENT,
  listSchema: EVENTS_EVENT_LIST,
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  allowCreateOnUpdate: true,
  storedAs: {
    group: "",
    resource: "events",
    version: "v1",
    kind: "Event",
    toStorage: eventsV1ToCore,
    fromStorage: coreToEventsV1,
  },
  validate(obj) {
    // Strict rules apply to creates only (upstream ValidateEventCreate);
    // updates (the object already has a resourceVersion) are judged by
    // validateUpdate, so events recorded through core/v1 stay updatable.
    if (obj.metadata.resourceVersion) return [];
    const f = fields(obj);
    const errs: FieldError[] = [];
    if (!f.eventTime) errs.push(required("eventTime"));
    for (
      const k of [
        "reportingController",
        "reportingInstance",
        "action",
        "reason",
      ]
    ) {
      if (!str(f[k])) errs.push(required(k));
    }
    if (f.type !== "Normal" && f.type !== "Warning") {
      errs.push(notSupported("type", f.type ?? "", ["Normal", "Warning"]));
    }
    return errs;
  },
  validateUpdate(next, old) {
    // Upstream ValidateEventUpdate for events.k8s.io: everything but the
    // series (and metadata) is immutable; paths name the stored fields.
    const a = eventsV1ToCore(next) as unknown as Record<string, unknown>;
    const b = eventsV1ToCore(old) as unknown as Record<string, unknown>;
    return IMMUTABLE.filter((f) => !sameValue(a[f], b[f])).map((f) =>
      invalid(f, a[f], "field is immutable")
    );
  },
  selectableFields: (obj) => {
    const f = fields(obj);
    return {
      ...refFields("regarding", sub(f, "regarding")),
      reason: str(f.reason),
      reportingController: str(f.reportingController),
      type: str(f.type),
    };
  },
  columns: eventColumns("events.k8s.io"),
};
