/**
 * Which `apiVersion`/`kind` pairs have a protobuf definition, and the
 * message that holds each.
 *
 * @module
 */

/** One kind decodable from protobuf. */
export interface ProtobufKind {
  /** `apiVersion` as in the envelope (`v1`, `rbac.authorization.k8s.io/v1`). */
  apiVersion: string;
  /** `kind` as in the envelope. */
  kind: string;
  /** Fully-qualified protobuf message name. */
  message: string;
}

const CORE = "k8s.io.api.core.v1";
const RBAC = "k8s.io.api.rbac.v1";
const AUTHZ = "k8s.io.api.authorization.v1";
const AUTHN = "k8s.io.api.authentication.v1";

/** The kinds hyperplane decodes from protobuf request bodies. */
export const PROTOBUF_KINDS: readonly ProtobufKind[] = [
  ["v1", "ConfigMap", `${CORE}.ConfigMap`],
  ["v1", "Secret", `${CORE}.Secret`],
  ["v1", "Namespace", `${CORE}.Namespace`],
  ["v1", "ServiceAccount", `${CORE}.ServiceAccount`],
  ["v1", "Event", `${CORE}.Event`],
  ["v1", "ResourceQuota", `${CORE}.ResourceQuota`],
  ["events.k8s.io/v1", "Event", "k8s.io.api.events.v1.Event"],
  ["coordination.k8s.io/v1", "Lease", "k8s.io.api.coordination.v1.Lease"],
  [
    "certificates.k8s.io/v1",
    "CertificateSigningRequest",
    "k8s.io.api.certificates.v1.CertificateSigningRequest",
  ],
  ["rbac.authorization.k8s.io/v1", "Role", `${RBAC}.Role`],
  ["rbac.authorization.k8s.io/v1", "ClusterRole", `${RBAC}.ClusterRole`],
  ["rbac.authorization.k8s.io/v1", "RoleBinding", `${RBAC}.RoleBinding`],
  [
    "rbac.authorization.k8s.io/v1",
    "ClusterRoleBinding",
    `${RBAC}.ClusterRoleBinding`,
  ],
  [
    "authorization.k8s.io/v1",
    "SelfSubjectAccessReview",
    `${AUTHZ}.SelfSubjectAccessReview`,
  ],
  [
    "authorization.k8s.io/v1",
    "SelfSubjectRulesReview",
    `${AUTHZ}.SelfSubjectRulesReview`,
  ],
  [
    "authorization.k8s.io/v1",
    "SubjectAccessReview",
    `${AUTHZ}.SubjectAccessReview`,
  ],
  [
    "authorization.k8s.io/v1",
    "LocalSubjectAccessReview",
    `${AUTHZ}.LocalSubjectAccessReview`,
  ],
  [
    "authentication.k8s.io/v1",
    "SelfSubjectReview",
    `${AUTHN}.SelfSubjectReview`,
  ],
  ["authentication.k8s.io/v1", "TokenRequest", `${AUTHN}.TokenRequest`],
  ["authentication.k8s.io/v1", "TokenReview", `${AUTHN}.TokenReview`],
].map(([apiVersion, kind, message]) => ({ apiVersion, kind, message }));

/**
 * Kinds every group version registers (`metav1.AddToGroupVersion`): typed
 * clients send them under the endpoint's own `apiVersion`.
 */
const ANY_VERSION: Readonly<Record<string, string>> = {
  DeleteOptions: "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
  Status: "k8s.io.apimachinery.pkg.apis.meta.v1.Status",
};

const BY_KEY = new Map(
  PROTOBUF_KINDS.map((k) => [`${k.apiVersion}|${k.kind}`, k.message]),
);

/** The message name for an `apiVersion`/`kind`, or `undefined`. */
export function protobufMessageFor(
  apiVersion: string,
  kind: string,
): string | undefined {
  return BY_KEY.get(`${apiVersion}|${kind}`) ?? ANY_VERSION[kind];
}
