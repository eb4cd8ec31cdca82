/**
 * The checks of kube-apiserver's x509 authenticator (Go's
 * `x509.Certificate.Verify` with the client CA as roots and
 * `ExtKeyUsageClientAuth`), on `@peculiar/x509`: the presented chain must
 * lead to a certificate of the client CA bundle, every certificate in it
 * must be within its validity period, issuers must be CAs, and the leaf's
 * extended key usage (when it has one) must allow client authentication.
 * Loaded on demand by `client_certificates.ts`, so that a start without
 * client certificates does not pay for `@peculiar/x509`.
 *
 * @module
 */

// `@peculiar/x509` bundled into one ES module: loads in a fraction of the
// time of its ~200 CommonJS files (`internal/x509/README.md`).
import * as x509 from "../../internal/x509/x509.js";
import { toHex } from "../../internal/hex.ts";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const ANY_EKU = "2.5.29.37.0";
const MAX_DEPTH = 8;

/** A verified certificate's identity, or why it was refused. */
export type CertificateCheck =
  | {
    ok: true;
    commonName: string;
    organizations: string[];
    notAfter: number;
    fingerprint: string;
  }
  | { ok: false; error: string };

/** Parsed client CA bundle. */
export interface Roots {
  certs: x509.X509Certificate[];
}

/** Parses a PEM bundle of CA certificates (throws when there is none). */
export function parseRoots(pem: string): Roots {
  const certs = x509.PemConverter.decode(pem).map((der) =>
    new x509.X509Certificate(der)
  );
  if (certs.length === 0) throw new Error("no PEM certificate found");
  return { certs };
}

function isCa(cert: x509.X509Certificate): boolean {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return bc?.ca === true;
}

function expiryError(
  cert: x509.X509Certificate,
  now: Date,
): string | undefined {
  // A fixed message (no times): refusals are grouped by it (server.ts).
  return now < cert.notBefore || now > cert.notAfter
    ? "x509: certificate has expired or is not yet valid"
    : undefined;
}

async function signedBy(
  cert: x509.X509Certificate,
  issuer: x509.X509Certificate,
): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify(
      { publicKey: issuer.publicKey, signatureOnly: true },
      crypto,
    );
  } catch {
    return false;
  }
}

/**
 * Checks a presented chain (DER, leaf first) against `roots` at `now`.
 * The result names the leaf's CN and O values; whether an empty CN is a
 * user is the caller's decision (upstream: it is not).
 */
export async function checkClientCertificate(
  chain: Uint8Array[],
  roots: Roots,
  now: Date,
): Promise<CertificateCheck> {
  let certs: x509.X509Certificate[];
  try {
    certs = chain.map((der) => new x509.X509Certificate(new Uint8Array(der)));
  } catch {
    return { ok: false, error: "x509: malformed certificate" };
  }
  if (certs.length === 0) {
    return { ok: false, error: "x509: no certificate" };
  }
  const leaf = certs[0];
  const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
  if (
    eku && !eku.usages.some((u) => u === CLIENT_AUTH || u === ANY_EKU)
  ) {
    return {
      ok: false,
      error: "x509: certificate specifies an incompatible key usage",
    };
  }
  const leafTime = expiryError(leaf, now);
  if (leafTime) return { ok: false, error: leafTime };
  const intermediates = certs.slice(1);
  // Depth-first over the issuers named by each certificate: a root of
  // the bundle ends the chain; presented intermediates may continue it.
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    for (const root of roots.certs) {
      if (isCa(root) && await signedBy(current, root)) {
        const rootTime = expiryError(root, now);
        if (rootTime) return { ok: false, error: rootTime };
        return identity(leaf);
      }
    }
    let next: x509.X509Certificate | undefined;
    for (const candidate of intermediates) {
      if (
        candidate !== current && isCa(candidate) &&
        !expiryError(candidate, now) && await signedBy(current, candidate)
      ) {
        next = candidate;
        break;
      }
    }
    if (!next) break;
    current = next;
  }
  return { ok: false, error: "x509: certificate signed by unknown authority" };
}

async function identity(leaf: x509.X509Certificate): Promise<CertificateCheck> {
  const thumb = await leaf.getThumbprint("SHA-256", crypto);
  return {
    ok: true,
    commonName: leaf.subjectName.getField("CN")[0] ?? "",
    organizations: leaf.subjectName.getField("O"),
    notAfter: leaf.notAfter.getTime(),
    fingerprint: toHex(thumb),
  };
}
