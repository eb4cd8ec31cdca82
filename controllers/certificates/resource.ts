/**
 * The resource the certificate controllers work on.
 *
 * @module
 */

/** `certificates.k8s.io/v1` `certificatesigningrequests`. */
export const CSRS = {
  group: "certificates.k8s.io",
  version: "v1",
  resource: "certificatesigningrequests",
} as const;
