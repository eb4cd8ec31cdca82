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

/** The `events.k8s.io/v1` `events` resource. */
export const eventsV1: ResourceDefinition = {
  group: "events.k8s.io",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  allowCreateOnUpdate: true,
  storedAs: {
    group: "",
    resource: "events",
    toStorage: eventsV1ToCore,
    fromStorage: coreToEventsV1,
  },
  validate(obj) {
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
  selectableFields: (obj) => {
    const f = fields(obj);
    return {
      ...refFields("regarding", sub(f, "regarding")),
      reason: str(f.reason),
      reportingController: str(f.reportingController),
      type: str(f.type),
    };
  },
  columns: eventColumns("regarding", "note"),
};
