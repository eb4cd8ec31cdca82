/**
 * certificates.k8s.io/v1 CertificateSigningRequest: cluster-scoped, with
 * the `approval` subresource (Approved/Denied conditions) and the `status`
 * subresource (the signer's certificate and Failed conditions), upstream's
 * validation and printer columns. The requester's identity is written into
 * the spec and the PEM request parsed by the certificates admission plugins
 * (`apiserver/certificates/`); the signing controller is
 * `controllers/certificates/`.
 *
 * @module
 */

import {
  conditionSummary,
  humanDuration,
  mergeApproval,
  mergeStatus,
  specOf,
  validateConditions,
  validateCsr,
  validateCsrUpdate,
} from "../certificates/csr.ts";
import { ageColumn, nameColumn } from "./_columns.ts";
import type { ResourceDefinition } from "./types.ts";
import {
  CERTIFICATE_SIGNING_REQUEST,
  CERTIFICATE_SIGNING_REQUEST_LIST,
} from "../schema/certificates_v1.ts";

/** The `certificatesigningrequests` resource. */
export const certificateSigningRequests: ResourceDefinition = {
  group: "certificates.k8s.io",
  version: "v1",
  kind: "CertificateSigningRequest",
  schema: CERTIFICATE_SIGNING_REQUEST,
  listSchema: CERTIFICATE_SIGNING_REQUEST_LIST,
  plural: "certificatesigningrequests",
  singular: "certificatesigningrequest",
  shortNames: ["csr"],
  namespaced: false,
  subresources: {
    approval: { verbs: ["get", "patch", "update"], merge: mergeApproval },
    status: { verbs: ["get", "patch", "update"], merge: mergeStatus },
  },
  prepareForCreate(obj) {
    // A new request has no status (upstream's strategy).
    delete (obj as Record<string, unknown>).status;
  },
  prepareForUpdate(next, old) {
    // The main resource changes metadata only: spec and status are kept.
    const n = next as Record<string, unknown>;
    const o = old as Record<string, unknown>;
    n.spec = structuredClone(o.spec);
    if (o.status === undefined) delete n.status;
    else n.status = structuredClone(o.status);
  },
  validate: validateCsr,
  validateUpdate(next, old) {
    return [...validateConditions(next), ...validateCsrUpdate(next, old)];
  },
  columns: [
    nameColumn,
    ageColumn,
    {
      name: "SignerName",
      type: "string",
      description:
        "signerName indicates the requested signer, and is a qualified name.",
      cell: (obj) => String(specOf(obj).signerName ?? ""),
    },
    {
      name: "Requestor",
      type: "string",
      description:
        "Name of the user that created the CertificateSigningRequest.",
      cell: (obj) => String(specOf(obj).username ?? ""),
    },
    {
      name: "RequestedDuration",
      type: "string",
      description:
        "expirationSeconds is the requested duration of validity of the issued certificate.",
      cell: (obj) => {
        const s = specOf(obj).expirationSeconds;
        return typeof s === "number" ? humanDuration(s) : "<none>";
      },
    },
    {
      name: "Condition",
      type: "string",
      description:
        "Approved, Denied, Failed and Issued, as kubectl shows them.",
      cell: conditionSummary,
    },
  ],
};
