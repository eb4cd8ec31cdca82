/**
 * core/v1 Event. Legacy events (no `eventTime`) must name an involved
 * object in the event's own namespace.
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  required,
  typeInvalid,
} from "../validation/field_error.ts";
import { fields, str } from "./_columns.ts";
import { eventColumns, refFields, sub } from "./_events.ts";
import type { ResourceDefinition } from "./types.ts";
import { CORE_EVENT, CORE_EVENT_LIST } from "../schema/events.ts";

/** The core `events` resource. */
export const events: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Event",
  schema: CORE_EVENT,
  listSchema: CORE_EVENT_LIST,
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  allowCreateOnUpdate: true,
  validate(obj) {
    const f = fields(obj);
    const errs: FieldError[] = [];
    const io = f.involvedObject;
    if (io === undefined || io === null) {
      errs.push(required("involvedObject"));
    } else if (typeof io !== "object" || Array.isArray(io)) {
      errs.push(typeInvalid("involvedObject", io, "must be an object"));
    } else if (!f.eventTime) {
      const ns = str((io as Record<string, unknown>).namespace);
      if (ns !== "" && ns !== obj.metadata.namespace) {
        errs.push(
          invalid(
            "involvedObject.namespace",
            ns,
            "does not match event.namespace",
          ),
        );
      }
    }
    const count = f.count;
    if (count !== undefined && count !== null && !Number.isInteger(count)) {
      errs.push(typeInvalid("count", count, "must be an integer"));
    }
    return errs;
  },
  selectableFields: (obj) => {
    const f = fields(obj);
    return {
      ...refFields("involvedObject", sub(f, "involvedObject")),
      reason: str(f.reason),
      reportingComponent: str(f.reportingComponent),
      source: str(sub(f, "source").component),
      type: str(f.type),
    };
  },
  columns: eventColumns("core"),
};
