/**
 * `k8s.io/api/rbac/v1` messages, as in upstream `generated.proto` (field
 * numbers exact, fields in Go struct order).
 *
 * @module
 */

/** Proto2 source for Role, ClusterRole, RoleBinding, ClusterRoleBinding. */
export const RBAC_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.rbac.v1;

message PolicyRule {
  repeated string verbs = 1;
  repeated string apiGroups = 2 [(go) = "omitempty"];
  repeated string resources = 3 [(go) = "omitempty"];
  repeated string resourceNames = 4 [(go) = "omitempty"];
  repeated string nonResourceURLs = 5 [(go) = "omitempty"];
}

message Subject {
  optional string kind = 1;
  optional string apiGroup = 2 [(go) = "omitempty"];
  optional string name = 3;
  optional string namespace = 4 [(go) = "omitempty"];
}

message RoleRef {
  optional string apiGroup = 1;
  optional string kind = 2;
  optional string name = 3;
}

message Role {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  repeated PolicyRule rules = 2;
}

message RoleBinding {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  repeated Subject subjects = 2 [(go) = "omitempty"];
  optional RoleRef roleRef = 3;
}

message ClusterRole {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  repeated PolicyRule rules = 2;
  optional AggregationRule aggregationRule = 3 [(go) = "ptr,omitempty"];
}

message AggregationRule {
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector clusterRoleSelectors = 1 [(go) = "omitempty"];
}

message ClusterRoleBinding {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  repeated Subject subjects = 2 [(go) = "omitempty"];
  optional RoleRef roleRef = 3;
}
`;
