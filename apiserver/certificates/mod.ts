/**
 * The certificates API (`certificates.k8s.io/v1`
 * CertificateSigningRequest): upstream's names and validation (`csr.ts`),
 * its admission plugins (`admission.ts`), and the X.509 work of parsing
 * requests and signing them (`x509.ts`, loaded on demand).
 *
 * @module
 */

export {
  CERTIFICATES_GROUP,
  conditionsOf,
  conditionSummary,
  type CsrCondition,
  decodeBytes,
  humanDuration,
  isApproved,
  isDenied,
  isFailed,
  isIssued,
  KEY_USAGES,
  KUBE_APISERVER_CLIENT_SIGNER,
  MIN_EXPIRATION_SECONDS,
  signerNameErrors,
  specOf,
  statusOf,
  validateCsr,
} from "./csr.ts";
export { authorizedForSigner, certificateAdmission } from "./admission.ts";
