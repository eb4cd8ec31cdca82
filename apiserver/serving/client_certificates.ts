/**
 * Client-certificate authentication, as kube-apiserver's `--client-ca-file`:
 * a certificate that chains to the client CA, is within its validity period
 * and allows client authentication (extended key usage `clientAuth`, or
 * none) authenticates its subject's CN as the user name and its O values as
 * the groups. A certificate with an empty CN identifies nobody (the request
 * is treated as carrying no credentials, as upstream).
 *
 * TLS is terminated by the front (`tls_front.ts`), which asks every client
 * for a certificate without requiring one. The verdict is reached once per
 * connection, at the handshake ({@linkcode ClientCertificateVerifier}), and
 * reaches each request of that connection through the inner server it is
 * relayed to (`_inner_server.ts`); {@linkcode clientCertificateAuthenticator}
 * reads it, and checks the expiry again on every request.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import {
  type Authenticator,
  type ConnectionInfo,
  copyUser,
} from "./authentication.ts";
import { AuthenticationError } from "./errors.ts";

/** What the handshake established about a connection's client certificate. */
export type ClientCertificateVerdict =
  | {
    /** The verified user. */
    user: UserInfo;
    /** The certificate's expiry (ms since the epoch), checked per request. */
    notAfter: number;
    /** SHA-256 of the certificate, hex. */
    fingerprint: string;
  }
  | {
    /** Why the certificate was refused (every request gets 401). */
    error: string;
  };

/** Verifies presented certificate chains against a client CA bundle. */
export interface ClientCertificateVerifier {
  /**
   * The verdict on a chain (DER, leaf first); `undefined` when the chain
   * is valid but names no user (empty CN).
   */
  verify(
    chain: Uint8Array[],
    now?: Date,
  ): Promise<ClientCertificateVerdict | undefined>;
}

/**
 * A verifier trusting the CA certificates of `caBundlePem` (PEM, one or
 * more). Throws when the bundle holds no certificate.
 *
 * @example
 * ```ts
 * const verifier = await clientCertificateVerifier(clientCa.certPem);
 * const verdict = await verifier.verify([leafDer]);
 * ```
 */
export async function clientCertificateVerifier(
  caBundlePem: string,
): Promise<ClientCertificateVerifier> {
  const check = await import("./_client_cert_check.ts");
  const roots = check.parseRoots(caBundlePem);
  return {
    async verify(chain, now = new Date()) {
      const result = await check.checkClientCertificate(chain, roots, now);
      if (!result.ok) return { error: result.error };
      if (result.commonName === "") return undefined;
      return {
        user: { username: result.commonName, groups: result.organizations },
        notAfter: result.notAfter,
        fingerprint: result.fingerprint,
      };
    },
  };
}

/**
 * Authenticates the client certificate of the request's connection: its
 * user, a 401 reason when the certificate was refused or has expired since
 * the handshake, or `undefined` when the connection presented none.
 */
export function clientCertificateAuthenticator(
  now: () => number = Date.now,
): Authenticator {
  return {
    authenticate(_req: Request, conn?: ConnectionInfo) {
      const verdict = conn?.clientCertificate;
      if (verdict === undefined) return Promise.resolve(undefined);
      if ("error" in verdict) {
        return Promise.resolve(
          new AuthenticationError(
            `verifying client certificate failed: ${verdict.error}`,
          ),
        );
      }
      if (now() > verdict.notAfter) {
        return Promise.resolve(
          new AuthenticationError(
            "verifying client certificate failed: x509: certificate has expired",
          ),
        );
      }
      return Promise.resolve(copyUser(verdict.user));
    },
  };
}
