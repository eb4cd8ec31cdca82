/**
 * `k8s.io/apimachinery/pkg/apis/meta/v1` and `pkg/runtime` messages, as in
 * upstream `generated.proto` (field numbers exact). Field names are the Go
 * JSON names; the `(go)` option records the Go field's JSON behaviour (see
 * `../README.md`).
 *
 * @module
 */

/** Proto2 source for `runtime.Unknown` and its `TypeMeta`. */
export const RUNTIME_PROTO = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.runtime;

message TypeMeta {
  optional string apiVersion = 1;
  optional string kind = 2;
}

message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}
`;

/** Proto2 source for \`resource.Quantity\` (its canonical string). */
export const RESOURCE_PROTO = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.api.resource;

message Quantity {
  optional string string = 1;
}
`;

/** Proto2 source for the meta/v1 messages the built-in kinds use. */
export const META_V1_PROTO = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;

message Time {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}

message MicroTime {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}

message FieldsV1 {
  optional bytes raw = 1;
}

message ObjectMeta {
  optional string name = 1 [(go) = "omitempty"];
  optional string generateName = 2 [(go) = "omitempty"];
  optional string namespace = 3 [(go) = "omitempty"];
  optional string selfLink = 4 [(go) = "omitempty"];
  optional string uid = 5 [(go) = "omitempty"];
  optional string resourceVersion = 6 [(go) = "omitempty"];
  optional int64 generation = 7 [(go) = "omitempty"];
  optional Time creationTimestamp = 8 [(go) = "omitempty,omitzero"];
  optional Time deletionTimestamp = 9 [(go) = "ptr,omitempty"];
  optional int64 deletionGracePeriodSeconds = 10 [(go) = "ptr,omitempty"];
  map<string, string> labels = 11 [(go) = "omitempty"];
  map<string, string> annotations = 12 [(go) = "omitempty"];
  repeated OwnerReference ownerReferences = 13 [(go) = "omitempty"];
  repeated string finalizers = 14 [(go) = "omitempty"];
  repeated ManagedFieldsEntry managedFields = 17 [(go) = "omitempty"];
}

message OwnerReference {
  optional string apiVersion = 5;
  optional string kind = 1;
  optional string name = 3;
  optional string uid = 4;
  optional bool controller = 6 [(go) = "ptr,omitempty"];
  optional bool blockOwnerDeletion = 7 [(go) = "ptr,omitempty"];
}

message ManagedFieldsEntry {
  optional string manager = 1 [(go) = "omitempty"];
  optional string operation = 2 [(go) = "omitempty"];
  optional string apiVersion = 3 [(go) = "omitempty"];
  optional Time time = 4 [(go) = "ptr,omitempty"];
  optional string fieldsType = 6 [(go) = "omitempty"];
  optional FieldsV1 fieldsV1 = 7 [(go) = "ptr,omitempty"];
  optional string subresource = 8 [(go) = "omitempty"];
}

message ListMeta {
  optional string selfLink = 1 [(go) = "omitempty"];
  optional string resourceVersion = 2 [(go) = "omitempty"];
  optional string continue = 3 [(go) = "omitempty"];
  optional int64 remainingItemCount = 4 [(go) = "ptr,omitempty"];
}

message LabelSelector {
  map<string, string> matchLabels = 1 [(go) = "omitempty"];
  repeated LabelSelectorRequirement matchExpressions = 2 [(go) = "omitempty"];
}

message LabelSelectorRequirement {
  optional string key = 1;
  optional string operator = 2;
  repeated string values = 3 [(go) = "omitempty"];
}

message FieldSelectorRequirement {
  optional string key = 1;
  optional string operator = 2;
  repeated string values = 3 [(go) = "omitempty"];
}

message Preconditions {
  optional string uid = 1 [(go) = "ptr,omitempty"];
  optional string resourceVersion = 2 [(go) = "ptr,omitempty"];
}

message DeleteOptions {
  optional int64 gracePeriodSeconds = 1 [(go) = "ptr,omitempty"];
  optional Preconditions preconditions = 2 [(go) = "ptr,omitempty"];
  optional bool orphanDependents = 3 [(go) = "ptr,omitempty"];
  optional string propagationPolicy = 4 [(go) = "ptr,omitempty"];
  repeated string dryRun = 5 [(go) = "omitempty"];
  optional bool ignoreStoreReadErrorWithClusterBreakingPotential = 6 [(go) = "ptr,omitempty"];
}

message Status {
  optional ListMeta metadata = 1 [(go) = "omitempty"];
  optional string status = 2 [(go) = "omitempty"];
  optional string message = 3 [(go) = "omitempty"];
  optional string reason = 4 [(go) = "omitempty"];
  optional StatusDetails details = 5 [(go) = "ptr,omitempty"];
  optional int32 code = 6 [(go) = "omitempty"];
}

message StatusDetails {
  optional string name = 1 [(go) = "omitempty"];
  optional string group = 2 [(go) = "omitempty"];
  optional string kind = 3 [(go) = "omitempty"];
  optional string uid = 6 [(go) = "omitempty"];
  repeated StatusCause causes = 4 [(go) = "omitempty"];
  optional int32 retryAfterSeconds = 5 [(go) = "omitempty"];
}

message StatusCause {
  optional string reason = 1 [(go) = "omitempty"];
  optional string message = 2 [(go) = "omitempty"];
  optional string field = 3 [(go) = "omitempty"];
}
`;
