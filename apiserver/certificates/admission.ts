/**
 * The admission side of CertificateSigningRequests, as upstream's plugins
 * and strategy:
 *
 * - the requester's user name, UID, groups and extra are written into
 *   `spec` on create (upstream's strategy; whatever the client sent there
 *   is replaced);
 * - `spec.request` must be a PEM `CERTIFICATE REQUEST` with a valid
 *   signature (422 otherwise);
 * - CertificateSubjectRestriction: a request to
 *   `kubernetes.io/kube-apiserver-client` may not ask for the group
 *   `system:masters`;
 * - CertificateApproval: an update of `approval` requires the verb
 *   `approve` on `signers` named after the request's signer (or
 *   `<domain>/*`);
 * - CertificateSigning: setting `status.certificate` requires `sign` the
 *   same way.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type {
  MutatingAdmission,
  ValidatingAdmission,
} from "../admission/admission.ts";
import type { AdmissionPluginFactory } from "../admission/builtin.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import type { UserInfo } from "../request_context.ts";
import { forbiddenError, invalidError } from "../status/mod.ts";
import {
  CERTIFICATES_GROUP,
  decodeBytes,
  KUBE_APISERVER_CLIENT_SIGNER,
  specOf,
  statusOf,
} from "./csr.ts";

const RESOURCE = "certificatesigningrequests";
const GR = { group: CERTIFICATES_GROUP, resource: RESOURCE };

function isCsr(attrs: { group: string; resource: string }): boolean {
  return attrs.group === CERTIFICATES_GROUP && attrs.resource === RESOURCE;
}

/**
 * Upstream's `IsAuthorizedForSignerName`: `verb` on `signers` named
 * `signerName`, or `<domain>/*`.
 */
export async function authorizedForSigner(
  authorizer: Authorizer,
  user: UserInfo,
  cluster: string,
  verb: string,
  signerName: string,
): Promise<boolean> {
  const ask = (name: string) =>
    authorizer.authorize({
      user,
      cluster,
      verb,
      isResourceRequest: true,
      apiGroup: CERTIFICATES_GROUP,
      resource: "signers",
      name,
    });
  if ((await ask(signerName)).allowed) return true;
  const slash = signerName.indexOf("/");
  if (slash < 0) return false;
  return (await ask(`${signerName.slice(0, slash)}/*`)).allowed;
}

/** Writes the requester into a new request's spec. */
export function csrRequester(): MutatingAdmission {
  return {
    name: "CertificateSigningRequestRequester",
    admit(attrs) {
      if (!isCsr(attrs) || attrs.operation !== "CREATE" || attrs.subresource) {
        return Promise.resolve(attrs.object);
      }
      const next = structuredClone(attrs.object) as KubeObject & {
        spec?: Record<string, unknown>;
      };
      const spec = next.spec ??= {};
      spec.username = attrs.user.username;
      if (attrs.user.uid) spec.uid = attrs.user.uid;
      else delete spec.uid;
      spec.groups = [...attrs.user.groups];
      if (attrs.user.extra && Object.keys(attrs.user.extra).length > 0) {
        spec.extra = structuredClone(attrs.user.extra);
      } else delete spec.extra;
      return Promise.resolve(next);
    },
  };
}

/** Parses the PEM request of a new CSR; the subject restriction. */
export function csrRequestValidation(): ValidatingAdmission {
  return {
    name: "CertificateSubjectRestriction",
    async validate(attrs) {
      if (!isCsr(attrs) || attrs.operation !== "CREATE" || attrs.subresource) {
        return;
      }
      const spec = specOf(attrs.object);
      const bytes = decodeBytes(spec.request);
      if (!bytes) return; // reported by the kind's validation
      // Loaded on the first request: keeps @peculiar/x509 out of start-up.
      const { parseCsrPem } = await import("./x509.ts");
      const parsed = await parseCsrPem(new TextDecoder().decode(bytes));
      if ("error" in parsed) {
        throw invalidError(
          CERTIFICATES_GROUP,
          "CertificateSigningRequest",
          attrs.name,
          [{
            type: "FieldValueInvalid",
            field: "spec.request",
            value: "<binary>",
            detail: parsed.error,
          }],
        );
      }
      if (
        spec.signerName === KUBE_APISERVER_CLIENT_SIGNER &&
        parsed.organizations.includes("system:masters")
      ) {
        throw forbiddenError(
          GR,
          attrs.name,
          `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`,
        );
      }
    },
  };
}

/** `approve` on the signer for updates of `approval`. */
export function csrApproval(authorizer: Authorizer): ValidatingAdmission {
  return {
    name: "CertificateApproval",
    async validate(attrs) {
      if (
        !isCsr(attrs) || attrs.subresource !== "approval" ||
        attrs.operation === "DELETE"
      ) return;
      const signer = String(
        specOf(attrs.oldObject ?? attrs.object).signerName ?? "",
      );
      if (
        !await authorizedForSigner(
          authorizer,
          attrs.user,
          attrs.cluster,
          "approve",
          signer,
        )
      ) {
        throw forbiddenError(
          GR,
          attrs.name,
          `user not permitted to approve requests with signerName "${signer}"`,
        );
      }
    },
  };
}

/** `sign` on the signer for updates of `status` that set the certificate. */
export function csrSigning(authorizer: Authorizer): ValidatingAdmission {
  return {
    name: "CertificateSigning",
    async validate(attrs) {
      if (
        !isCsr(attrs) || attrs.subresource !== "status" ||
        attrs.operation === "DELETE"
      ) return;
      const before = attrs.oldObject
        ? statusOf(attrs.oldObject).certificate
        : undefined;
      const after = statusOf(attrs.object).certificate;
      if (!after || after === before) return;
      const signer = String(specOf(attrs.object).signerName ?? "");
      if (
        !await authorizedForSigner(
          authorizer,
          attrs.user,
          attrs.cluster,
          "sign",
          signer,
        )
      ) {
        throw forbiddenError(
          GR,
          attrs.name,
          `user not permitted to sign requests with signerName "${signer}"`,
        );
      }
      const certs = await import("./x509.ts");
      const pem = decodeBytes(after);
      if (!pem || !certs.isPemCertificates(new TextDecoder().decode(pem))) {
        throw invalidError(
          CERTIFICATES_GROUP,
          "CertificateSigningRequest",
          attrs.name,
          [{
            type: "FieldValueInvalid",
            field: "status.certificate",
            value: "<certificate data>",
            detail: "must contain at least one PEM-encoded CERTIFICATE block",
          }],
        );
      }
    },
  };
}

/** The built-in registration (`admission/builtin.ts`). */
export const certificateAdmission: AdmissionPluginFactory = (ctx) => ({
  mutating: [csrRequester()],
  validating: [
    csrRequestValidation(),
    csrApproval(ctx.authorizer),
    csrSigning(ctx.authorizer),
  ],
});
