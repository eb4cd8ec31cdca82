/**
 * Events in both API groups: core/v1 `Event` (`io.k8s.api.core.v1.Event`)
 * and events.k8s.io/v1 `Event` (`io.k8s.api.events.v1.Event`).
 *
 * @module
 */

import { int32, object, str } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import { OBJECT_REFERENCE } from "./core_v1.ts";
import {
  kindSchema,
  listSchema,
  METADATA_FIELD,
  MICRO_TIME,
  TIME,
} from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const CORE = "io.k8s.api.core.v1";
const EVENTS = "io.k8s.api.events.v1";

/** core/v1 `EventSource`. */
export const EVENT_SOURCE: Schema = named(
  `${CORE}.EventSource`,
  object("EventSource contains information for an event.", {
    component: str("Component from which the event is generated."),
    host: str("Node name on which the event is generated."),
  }),
);

const CORE_EVENT_SERIES: Schema = named(
  `${CORE}.EventSeries`,
  object(
    "EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.",
    {
      count: int32(
        "Number of occurrences in this series up to the last heartbeat time",
      ),
      lastObservedTime: ref(MICRO_TIME, "Time of the last occurrence observed"),
    },
  ),
);

/** core/v1 `Event`. */
export const CORE_EVENT: Schema = kindSchema(
  `${CORE}.Event`,
  "Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplementary data.",
  {
    action: str(
      "What action was taken/failed regarding to the Regarding object.",
    ),
    count: int32("The number of times this event has occurred."),
    eventTime: ref(MICRO_TIME, "Time when this Event was first observed."),
    firstTimestamp: ref(
      TIME,
      "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ),
    involvedObject: ref(
      OBJECT_REFERENCE,
      "The object that this event is about.",
    ),
    lastTimestamp: ref(
      TIME,
      "The time at which the most recent occurrence of this event was recorded.",
    ),
    message: str(
      "A human-readable description of the status of this operation.",
    ),
    metadata: METADATA_FIELD,
    reason: str(
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    related: ref(
      OBJECT_REFERENCE,
      "Optional secondary object for more complex actions.",
    ),
    reportingComponent: str(
      "Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.",
      { default: "" },
    ),
    reportingInstance: str(
      "ID of the controller instance, e.g. `kubelet-xyzf`.",
      {
        default: "",
      },
    ),
    series: ref(
      CORE_EVENT_SERIES,
      "Data about the Event series this event represents or nil if it's a singleton Event.",
    ),
    source: ref(
      EVENT_SOURCE,
      "The component reporting this event. Should be a short machine understandable string.",
    ),
    type: str(
      "Type of this event (Normal, Warning), new types could be added in the future",
    ),
  },
  { required: ["metadata", "involvedObject"] },
);

/** core/v1 `EventList`. */
export const CORE_EVENT_LIST: Schema = listSchema(
  `${CORE}.EventList`,
  CORE_EVENT,
  "List of events",
);

const EVENTS_EVENT_SERIES: Schema = named(
  `${EVENTS}.EventSeries`,
  object(
    'EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time. How often to update the EventSeries is up to the event reporters. The default event reporter in "k8s.io/client-go/tools/events/event_broadcaster.go" shows how this struct is updated on heartbeats and can guide customized reporter implementations.',
    {
      count: int32(
        "count is the number of occurrences in this series up to the last heartbeat time.",
      ),
      lastObservedTime: ref(
        MICRO_TIME,
        "lastObservedTime is the time when last Event from the series was seen before last heartbeat.",
      ),
    },
    { required: ["count", "lastObservedTime"] },
  ),
);

/** events.k8s.io/v1 `Event`. */
export const EVENTS_EVENT: Schema = kindSchema(
  `${EVENTS}.Event`,
  "Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplementary data.",
  {
    action: str(
      "action is what action was taken/failed regarding to the regarding object. It is machine-readable. This field cannot be empty for new Events and it can have at most 128 characters.",
    ),
    deprecatedCount: int32(
      "deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.",
    ),
    deprecatedFirstTimestamp: ref(
      TIME,
      "deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.",
    ),
    deprecatedLastTimestamp: ref(
      TIME,
      "deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.",
    ),
    deprecatedSource: ref(
      EVENT_SOURCE,
      "deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.",
    ),
    eventTime: ref(
      MICRO_TIME,
      "eventTime is the time when this Event was first observed. It is required.",
    ),
    note: str(
      "note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, but libraries should be prepared to handle values up to 64kB.",
    ),
    reason: str(
      "reason is why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters.",
    ),
    regarding: ref(
      OBJECT_REFERENCE,
      "regarding contains the object this Event is about. In most cases it's an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object.",
    ),
    related: ref(
      OBJECT_REFERENCE,
      "related is the optional secondary object for more complex actions. E.g. when regarding object triggers a creation or deletion of related object.",
    ),
    reportingController: str(
      "reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`. This field cannot be empty for new Events.",
    ),
    reportingInstance: str(
      "reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`. This field cannot be empty for new Events and it can have at most 128 characters.",
    ),
    series: ref(
      EVENTS_EVENT_SERIES,
      "series is data about the Event series this event represents or nil if it's a singleton Event.",
    ),
    type: str(
      "type is the type of this event (Normal, Warning), new types could be added in the future. It is machine-readable. This field cannot be empty for new Events.",
    ),
  },
  { required: ["eventTime"] },
);

/** events.k8s.io/v1 `EventList`. */
export const EVENTS_EVENT_LIST: Schema = listSchema(
  `${EVENTS}.EventList`,
  EVENTS_EVENT,
  "items is a list of schema objects.",
);
