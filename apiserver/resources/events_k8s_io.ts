/**
 * events.k8s.io/v1 Event: the structured event form (`regarding`, `note`,
 * `reportingController`…). Stored separately from core/v1 events (no
 * conversion between the two forms yet).
 *
 * @module
 */

import {
  type FieldError,
  notSupported,
  required,
} from "../validation/field_error.ts";
import { fields, str } from "./_columns.ts";
import { eventColumns, refFields, sub } from "./_events.ts";
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
