/**
 * `k8s.io/api/events/v1` and `k8s.io/api/coordination/v1` messages, as in
 * upstream `generated.proto` (field numbers exact, fields in Go order).
 *
 * @module
 */

/** Proto2 source for events.k8s.io/v1 Event. */
export const EVENTS_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.events.v1;

message Event {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 2;
  optional EventSeries series = 3 [(go) = "ptr,omitempty"];
  optional string reportingController = 4 [(go) = "omitempty"];
  optional string reportingInstance = 5 [(go) = "omitempty"];
  optional string action = 6 [(go) = "omitempty"];
  optional string reason = 7 [(go) = "omitempty"];
  optional k8s.io.api.core.v1.ObjectReference regarding = 8 [(go) = "omitempty"];
  optional k8s.io.api.core.v1.ObjectReference related = 9 [(go) = "ptr,omitempty"];
  optional string note = 10 [(go) = "omitempty"];
  optional string type = 11 [(go) = "omitempty"];
  optional k8s.io.api.core.v1.EventSource deprecatedSource = 12 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time deprecatedFirstTimestamp = 13 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time deprecatedLastTimestamp = 14 [(go) = "omitempty"];
  optional int32 deprecatedCount = 15 [(go) = "omitempty"];
}

message EventSeries {
  optional int32 count = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2;
}
`;

/** Proto2 source for coordination.k8s.io/v1 Lease. */
export const COORDINATION_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.coordination.v1;

message Lease {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional LeaseSpec spec = 2 [(go) = "omitempty"];
}

message LeaseSpec {
  optional string holderIdentity = 1 [(go) = "ptr,omitempty"];
  optional int32 leaseDurationSeconds = 2 [(go) = "ptr,omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime acquireTime = 3 [(go) = "ptr,omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime renewTime = 4 [(go) = "ptr,omitempty"];
  optional int32 leaseTransitions = 5 [(go) = "ptr,omitempty"];
  optional string strategy = 6 [(go) = "ptr,omitempty"];
  optional string preferredHolder = 7 [(go) = "ptr,omitempty"];
}
`;
