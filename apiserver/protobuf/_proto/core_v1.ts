/**
 * `k8s.io/api/core/v1` messages hyperplane serves, as in upstream
 * `generated.proto` (field numbers exact, fields in Go struct order).
 *
 * @module
 */

/** Proto2 source for ConfigMap, Secret, Namespace, ServiceAccount, Event, ResourceQuota. */
export const CORE_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.core.v1;

message ConfigMap {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional bool immutable = 4 [(go) = "ptr,omitempty"];
  map<string, string> data = 2 [(go) = "omitempty"];
  map<string, bytes> binaryData = 3 [(go) = "omitempty"];
}

message Secret {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional bool immutable = 5 [(go) = "ptr,omitempty"];
  map<string, bytes> data = 2 [(go) = "omitempty"];
  map<string, string> stringData = 4 [(go) = "omitempty"];
  optional string type = 3 [(go) = "omitempty"];
}

message Namespace {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional NamespaceSpec spec = 2 [(go) = "omitempty"];
  optional NamespaceStatus status = 3 [(go) = "omitempty"];
}

message NamespaceSpec {
  repeated string finalizers = 1 [(go) = "omitempty"];
}

message NamespaceStatus {
  optional string phase = 1 [(go) = "omitempty"];
  repeated NamespaceCondition conditions = 2 [(go) = "omitempty"];
}

message NamespaceCondition {
  optional string type = 1;
  optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4 [(go) = "omitempty"];
  optional string reason = 5 [(go) = "omitempty"];
  optional string message = 6 [(go) = "omitempty"];
}

message ServiceAccount {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  repeated ObjectReference secrets = 2 [(go) = "omitempty"];
  repeated LocalObjectReference imagePullSecrets = 3 [(go) = "omitempty"];
  optional bool automountServiceAccountToken = 4 [(go) = "ptr,omitempty"];
}

message ObjectReference {
  optional string kind = 1 [(go) = "omitempty"];
  optional string namespace = 2 [(go) = "omitempty"];
  optional string name = 3 [(go) = "omitempty"];
  optional string uid = 4 [(go) = "omitempty"];
  optional string apiVersion = 5 [(go) = "omitempty"];
  optional string resourceVersion = 6 [(go) = "omitempty"];
  optional string fieldPath = 7 [(go) = "omitempty"];
}

message LocalObjectReference {
  optional string name = 1 [(go) = "omitempty"];
}

message Event {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ObjectReference involvedObject = 2;
  optional string reason = 3 [(go) = "omitempty"];
  optional string message = 4 [(go) = "omitempty"];
  optional EventSource source = 5 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time firstTimestamp = 6 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTimestamp = 7 [(go) = "omitempty"];
  optional int32 count = 8 [(go) = "omitempty"];
  optional string type = 9 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 10 [(go) = "omitempty"];
  optional EventSeries series = 11 [(go) = "ptr,omitempty"];
  optional string action = 12 [(go) = "omitempty"];
  optional ObjectReference related = 13 [(go) = "ptr,omitempty"];
  optional string reportingComponent = 14;
  optional string reportingInstance = 15;
}

message EventSource {
  optional string component = 1 [(go) = "omitempty"];
  optional string host = 2 [(go) = "omitempty"];
}

message EventSeries {
  optional int32 count = 1 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2 [(go) = "omitempty"];
}

message ResourceQuota {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional ResourceQuotaSpec spec = 2 [(go) = "omitempty"];
  optional ResourceQuotaStatus status = 3 [(go) = "omitempty"];
}

message ResourceQuotaSpec {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> hard = 1 [(go) = "omitempty"];
  repeated string scopes = 2 [(go) = "omitempty"];
  optional ScopeSelector scopeSelector = 3 [(go) = "ptr,omitempty"];
}

message ResourceQuotaStatus {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> hard = 1 [(go) = "omitempty"];
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> used = 2 [(go) = "omitempty"];
}

message ScopeSelector {
  repeated ScopedResourceSelectorRequirement matchExpressions = 1 [(go) = "omitempty"];
}

message ScopedResourceSelectorRequirement {
  optional string scopeName = 1;
  optional string operator = 2;
  repeated string values = 3 [(go) = "omitempty"];
}
`;
