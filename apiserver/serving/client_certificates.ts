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
import { parseChain } from "./_x509_inspect.ts";
import type { Roots } from "./_client_cert_check.ts";

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
 * more). Throws when the bundle holds no certificate or one that does not
 * parse. The checks (`_client_cert_check.ts`, `@peculiar/x509`, ~10 MiB
 * and a noticeable share of a start) are loaded with the first
 * certificate presented, not here; the bundle is checked here with the
 * runtime's `node:crypto`.
 *
 * @example
 * ```ts
 * const verifier = await clientCertificateVerifier(clientCa.certPem);
 * const verdict = await verifier.verify([leafDer]);
 * ```
 */
export function clientCertificateVerifier(
  caBundlePem: string,
  opts: { now?: () => number } = {},
): Promise<ClientCertificateVerifier> {
  return Promise.try(() => createVerifier(caBundlePem, opts));
}

function createVerifier(
  caBundlePem: string,
  opts: { now?: () => number },
): ClientCertificateVerifier {
  let certs;
  try {
    certs = parseChain(caBundlePem);
  } catch (err) {
    throw new Error(
      `a certificate of the client CA bundle does not parse: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  if (certs.length === 0) throw new Error("no PEM certificate found");
  let loaded:
    | Promise<{ check: typeof import("./_client_cert_check.ts"); roots: Roots }>
    | undefined;
  const checker = () =>
    loaded ??= import("./_client_cert_check.ts").then((check) => ({
      check,
      roots: check.parseRoots(caBundlePem),
    }));
  const clock = opts.now ?? Date.now;
  // A verification costs ~3 ms (parse, ECDSA verify, thumbprint): an HTTP/1.1
  // client opening many connections with one certificate would spend the
  // server on it. As upstream's x509 verification cache, a verdict on the
  // same chain is reused for a while (the expiry is still checked on every
  // request by the authenticator).
  const cache = new Map<
    string,
    { verdict: ClientCertificateVerdict | undefined; until: number }
  >();
  return {
    async verify(chain, now) {
      const key = now ? undefined : chainKey(chain);
      const t = clock();
      if (key !== undefined) {
        const hit = cache.get(key);
        if (hit && hit.until > t) return hit.verdict;
        if (hit) cache.delete(key);
      }
      const { check, roots } = await checker();
      const result = await check.checkClientCertificate(
        chain,
        roots,
        now ?? new Date(t),
      );
      const verdict: ClientCertificateVerdict | undefined = !result.ok
        ? { error: result.error }
        : result.commonName === ""
        ? undefined
        : {
          user: { username: result.commonName, groups: result.organizations },
          notAfter: result.notAfter,
          fingerprint: result.fingerprint,
        };
      if (key !== undefined) {
        if (cache.size >= VERDICTS_MAX) {
          cache.delete(cache.keys().next().value!); // oldest first
        }
        cache.set(key, { verdict, until: t + VERDICT_TTL_MS });
      }
      return verdict;
    },
  };
}

/** How long a verdict on a chain is reused. */
export const VERDICT_TTL_MS = 10_000;
const VERDICTS_MAX = 4096;

function chainKey(chain: Uint8Array[]): string {
  let key = "";
  for (const der of chain) {
    for (let i = 0; i < der.length; i += 0x8000) {
      key += String.fromCharCode(...der.subarray(i, i + 0x8000));
    }
    key += "|";
  }
  return key;
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
