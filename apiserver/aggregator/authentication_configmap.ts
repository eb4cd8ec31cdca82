/**
 * The `extension-apiserver-authentication` ConfigMap in `kube-system` of
 * every virtual cluster, as kube-apiserver publishes it: extension servers
 * (built on k8s.io/apiserver, or the test one here) read it to learn which
 * CA signs the front proxy's client certificate, which names it may carry,
 * which headers carry the user, and which CA signs users' client
 * certificates.
 *
 * @module
 */

import { REQUEST_HEADERS } from "./proxy_headers.ts";

/** The ConfigMap's name (namespace `kube-system`). */
export const AUTHENTICATION_CONFIGMAP = "extension-apiserver-authentication";

/** What the ConfigMap publishes. */
export interface AuthenticationSources {
  /** The CA bundle (PEM) users' client certificates are checked against. */
  clientCaPem: string;
  /** The CA bundle (PEM) that signs the front proxy's client certificate. */
  requestHeaderCaPem: string;
  /** The common names the front proxy's certificate may carry (`[]`: any). */
  allowedNames: readonly string[];
}

/** The ConfigMap's `data`, with upstream's keys. */
export function authenticationConfigMapData(
  src: AuthenticationSources,
): Record<string, string> {
  return {
    "client-ca-file": src.clientCaPem,
    "requestheader-client-ca-file": src.requestHeaderCaPem,
    "requestheader-allowed-names": JSON.stringify(src.allowedNames),
    "requestheader-username-headers": JSON.stringify([
      REQUEST_HEADERS.username,
    ]),
    "requestheader-group-headers": JSON.stringify([REQUEST_HEADERS.group]),
    "requestheader-uid-headers": JSON.stringify([REQUEST_HEADERS.uid]),
    "requestheader-extra-headers-prefix": JSON.stringify([
      REQUEST_HEADERS.extraPrefix,
    ]),
  };
}
