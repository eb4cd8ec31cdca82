/**
 * The certificate controllers: `csrsigning` (signs approved
 * `kubernetes.io/kube-apiserver-client` requests with the client CA) and
 * `csrcleaner` (deletes old and expired requests), both acting as
 * `system:controller:certificate-controller`, as upstream.
 *
 * @module
 */

import type { ControllerDescriptor } from "../context.ts";
import { runCsrCleaner } from "./cleaner.ts";
import { runCsrSigner } from "./signer.ts";

export { cleanupReason } from "./cleaner.ts";
export { clientUsagesProblem, wantsSigning } from "./signer.ts";

/** The `csrsigning` controller. */
export const csrSigningController: ControllerDescriptor = {
  name: "csrsigning",
  identity: "certificate-controller",
  requires: [{
    group: "certificates.k8s.io",
    resource: "certificatesigningrequests",
  }],
  run: runCsrSigner,
};

/** The `csrcleaner` controller. */
export const csrCleanerController: ControllerDescriptor = {
  name: "csrcleaner",
  identity: "certificate-controller",
  requires: [{
    group: "certificates.k8s.io",
    resource: "certificatesigningrequests",
  }],
  run: runCsrCleaner,
};
