/**
 * `k8s.io/api/authorization/v1` and `k8s.io/api/authentication/v1`
 * messages, as in upstream `generated.proto` (field numbers exact, fields in
 * Go struct order).
 *
 * @module
 */

/** Proto2 source for the access reviews (self, local, subject, rules). */
export const AUTHORIZATION_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.authorization.v1;

message SelfSubjectAccessReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional SelfSubjectAccessReviewSpec spec = 2;
  optional SubjectAccessReviewStatus status = 3 [(go) = "omitempty"];
}

message SelfSubjectAccessReviewSpec {
  optional ResourceAttributes resourceAttributes = 1 [(go) = "ptr,omitempty"];
  optional NonResourceAttributes nonResourceAttributes = 2 [(go) = "ptr,omitempty"];
}

message SubjectAccessReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional SubjectAccessReviewSpec spec = 2;
  optional SubjectAccessReviewStatus status = 3 [(go) = "omitempty"];
}

message LocalSubjectAccessReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional SubjectAccessReviewSpec spec = 2;
  optional SubjectAccessReviewStatus status = 3 [(go) = "omitempty"];
}

message SubjectAccessReviewSpec {
  optional ResourceAttributes resourceAttributes = 1 [(go) = "ptr,omitempty"];
  optional NonResourceAttributes nonResourceAttributes = 2 [(go) = "ptr,omitempty"];
  optional string user = 3 [(go) = "omitempty"];
  repeated string groups = 4 [(go) = "omitempty"];
  map<string, ExtraValue> extra = 5 [(go) = "omitempty"];
  optional string uid = 6 [(go) = "omitempty"];
}

message ExtraValue {
  repeated string items = 1;
}

message ResourceAttributes {
  optional string namespace = 1 [(go) = "omitempty"];
  optional string verb = 2 [(go) = "omitempty"];
  optional string group = 3 [(go) = "omitempty"];
  optional string version = 4 [(go) = "omitempty"];
  optional string resource = 5 [(go) = "omitempty"];
  optional string subresource = 6 [(go) = "omitempty"];
  optional string name = 7 [(go) = "omitempty"];
  optional FieldSelectorAttributes fieldSelector = 8 [(go) = "ptr,omitempty"];
  optional LabelSelectorAttributes labelSelector = 9 [(go) = "ptr,omitempty"];
}

message FieldSelectorAttributes {
  optional string rawSelector = 1 [(go) = "omitempty"];
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement requirements = 2 [(go) = "omitempty"];
}

message LabelSelectorAttributes {
  optional string rawSelector = 1 [(go) = "omitempty"];
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement requirements = 2 [(go) = "omitempty"];
}

message NonResourceAttributes {
  optional string path = 1 [(go) = "omitempty"];
  optional string verb = 2 [(go) = "omitempty"];
}

message SubjectAccessReviewStatus {
  optional bool allowed = 1;
  optional bool denied = 4 [(go) = "omitempty"];
  optional string reason = 2 [(go) = "omitempty"];
  optional string evaluationError = 3 [(go) = "omitempty"];
}

message SelfSubjectRulesReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional SelfSubjectRulesReviewSpec spec = 2;
  optional SubjectRulesReviewStatus status = 3 [(go) = "omitempty"];
}

message SelfSubjectRulesReviewSpec {
  optional string namespace = 1 [(go) = "omitempty"];
}

message SubjectRulesReviewStatus {
  repeated ResourceRule resourceRules = 1;
  repeated NonResourceRule nonResourceRules = 2;
  optional bool incomplete = 3;
  optional string evaluationError = 4 [(go) = "omitempty"];
}

message ResourceRule {
  repeated string verbs = 1;
  repeated string apiGroups = 2 [(go) = "omitempty"];
  repeated string resources = 3 [(go) = "omitempty"];
  repeated string resourceNames = 4 [(go) = "omitempty"];
}

message NonResourceRule {
  repeated string verbs = 1;
  repeated string nonResourceURLs = 2 [(go) = "omitempty"];
}
`;

/** Proto2 source for SelfSubjectReview, TokenRequest and TokenReview. */
export const AUTHENTICATION_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.authentication.v1;

message SelfSubjectReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional SelfSubjectReviewStatus status = 2 [(go) = "omitempty"];
}

message SelfSubjectReviewStatus {
  optional UserInfo userInfo = 1 [(go) = "omitempty"];
}

message UserInfo {
  optional string username = 1 [(go) = "omitempty"];
  optional string uid = 2 [(go) = "omitempty"];
  repeated string groups = 3 [(go) = "omitempty"];
  map<string, ExtraValue> extra = 4 [(go) = "omitempty"];
}

message ExtraValue {
  repeated string items = 1;
}

message TokenRequest {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional TokenRequestSpec spec = 2;
  optional TokenRequestStatus status = 3 [(go) = "omitempty"];
}

message TokenRequestSpec {
  repeated string audiences = 1;
  optional int64 expirationSeconds = 4 [(go) = "ptr"];
  optional BoundObjectReference boundObjectRef = 3 [(go) = "ptr"];
}

message BoundObjectReference {
  optional string kind = 1 [(go) = "omitempty"];
  optional string apiVersion = 2 [(go) = "omitempty"];
  optional string name = 3 [(go) = "omitempty"];
  optional string uid = 4 [(go) = "omitempty"];
}

message TokenRequestStatus {
  optional string token = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time expirationTimestamp = 2;
}

message TokenReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional TokenReviewSpec spec = 2;
  optional TokenReviewStatus status = 3 [(go) = "omitempty"];
}

message TokenReviewSpec {
  optional string token = 1 [(go) = "omitempty"];
  repeated string audiences = 2 [(go) = "omitempty"];
}

message TokenReviewStatus {
  optional bool authenticated = 1 [(go) = "omitempty"];
  optional UserInfo user = 2 [(go) = "omitempty"];
  repeated string audiences = 4 [(go) = "omitempty"];
  optional string error = 3 [(go) = "omitempty"];
}
`;
