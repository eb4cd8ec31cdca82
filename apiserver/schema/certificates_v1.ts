/**
 * certificates.k8s.io/v1 (`io.k8s.api.certificates.v1.*`):
 * CertificateSigningRequest.
 *
 * @module
 */

import { int32, listOf, object, str, strList } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import { kindSchema, listSchema, TIME } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const CERTIFICATES = "io.k8s.api.certificates.v1";

const SPEC: Schema = named(
  `${CERTIFICATES}.CertificateSigningRequestSpec`,
  object(
    "CertificateSigningRequestSpec contains the certificate request.",
    {
      expirationSeconds: int32(
        "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration. The minimum valid value for expirationSeconds is 600, i.e. 10 minutes.",
      ),
      extra: {
        type: "object",
        description:
          "extra contains extra attributes of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
        additionalProperties: {
          type: "array",
          items: { type: "string", default: "" },
        },
      },
      groups: strList(
        "groups contains group membership of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
        { "x-kubernetes-list-type": "atomic" },
      ),
      request: str(
        'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.',
        { format: "byte", "x-kubernetes-list-type": "atomic" },
      ),
      signerName: str(
        "signerName indicates the requested signer, and is a qualified name.",
        { default: "" },
      ),
      uid: str(
        "uid contains the uid of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
      ),
      usages: strList(
        "usages specifies a set of key usages requested in the issued certificate.",
        { "x-kubernetes-list-type": "atomic" },
      ),
      username: str(
        "username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
      ),
    },
    { required: ["request", "signerName"] },
  ),
);

const CONDITION: Schema = named(
  `${CERTIFICATES}.CertificateSigningRequestCondition`,
  object(
    "CertificateSigningRequestCondition describes a condition of a CertificateSigningRequest object",
    {
      lastTransitionTime: ref(
        TIME,
        "lastTransitionTime is the time the condition last transitioned from one status to another. If unset, when a new condition type is added or an existing condition's status is changed, the server defaults this to the current time.",
      ),
      lastUpdateTime: ref(
        TIME,
        "lastUpdateTime is the time of the last update to this condition",
      ),
      message: str(
        "message contains a human readable message with details about the request state",
      ),
      reason: str(
        "reason indicates a brief reason for the request state",
      ),
      status: str(
        'status of the condition, one of True, False, Unknown. Approved, Denied, and Failed conditions may not be "False" or "Unknown".',
        { default: "" },
      ),
      type: str(
        'type of the condition. Known conditions are "Approved", "Denied", and "Failed".',
        { default: "" },
      ),
    },
    { required: ["type", "status"] },
  ),
);

const STATUS: Schema = named(
  `${CERTIFICATES}.CertificateSigningRequestStatus`,
  object(
    "CertificateSigningRequestStatus contains conditions used to indicate approved/denied/failed status of the request, and the issued certificate.",
    {
      certificate: str(
        "certificate is populated with an issued certificate by the signer after an Approved condition is present. This field is set via the /status subresource. Once populated, this field is immutable.",
        { format: "byte", "x-kubernetes-list-type": "atomic" },
      ),
      conditions: listOf(
        'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".',
        ref(CONDITION),
        {
          "x-kubernetes-list-map-keys": ["type"],
          "x-kubernetes-list-type": "map",
        },
      ),
    },
  ),
);

/** certificates.k8s.io/v1 `CertificateSigningRequest`. */
export const CERTIFICATE_SIGNING_REQUEST: Schema = kindSchema(
  `${CERTIFICATES}.CertificateSigningRequest`,
  "CertificateSigningRequest objects provide a mechanism to obtain x509 certificates by submitting a certificate signing request, and having it asynchronously approved and issued.",
  {
    spec: ref(
      SPEC,
      "spec contains the certificate request, and is immutable after creation. Only the request, signerName, expirationSeconds, and usages fields can be set on creation. Other fields are derived by Kubernetes and cannot be modified by users.",
    ),
    status: ref(
      STATUS,
      "status contains information about whether the request is approved or denied, and the certificate issued by the signer, or the failure condition indicating signer failure.",
    ),
  },
  { required: ["spec"] },
);

/** certificates.k8s.io/v1 `CertificateSigningRequestList`. */
export const CERTIFICATE_SIGNING_REQUEST_LIST: Schema = listSchema(
  `${CERTIFICATES}.CertificateSigningRequestList`,
  CERTIFICATE_SIGNING_REQUEST,
  "items is a collection of CertificateSigningRequest objects",
);
