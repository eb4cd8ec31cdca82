/**
 * `k8s.io/api/certificates/v1` messages, as in upstream `generated.proto`
 * (field numbers exact, fields in Go order): CertificateSigningRequest,
 * which `kubectl certificate approve|deny` sends as protobuf.
 *
 * @module
 */

/** Proto2 source for certificates.k8s.io/v1. */
export const CERTIFICATES_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.certificates.v1;

message CertificateSigningRequest {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1 [(go) = "omitempty"];
  optional CertificateSigningRequestSpec spec = 2;
  optional CertificateSigningRequestStatus status = 3 [(go) = "omitempty"];
}

message CertificateSigningRequestSpec {
  optional bytes request = 1;
  optional string signerName = 7;
  optional int32 expirationSeconds = 8 [(go) = "ptr,omitempty"];
  repeated string usages = 5 [(go) = "omitempty"];
  optional string username = 2 [(go) = "omitempty"];
  optional string uid = 3 [(go) = "omitempty"];
  repeated string groups = 4 [(go) = "omitempty"];
  map<string, ExtraValue> extra = 6 [(go) = "omitempty"];
}

message ExtraValue {
  repeated string items = 1;
}

message CertificateSigningRequestStatus {
  repeated CertificateSigningRequestCondition conditions = 1 [(go) = "omitempty"];
  optional bytes certificate = 2 [(go) = "omitempty"];
}

message CertificateSigningRequestCondition {
  optional string type = 1;
  optional string status = 6;
  optional string reason = 2 [(go) = "omitempty"];
  optional string message = 3 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastUpdateTime = 4 [(go) = "omitempty"];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 5 [(go) = "omitempty"];
}
`;
