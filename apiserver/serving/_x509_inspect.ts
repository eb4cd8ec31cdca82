/**
 * Reading and checking existing certificates with the runtime's own
 * `node:crypto` `X509Certificate`: what every start needs to decide whether
 * the files on disk can be reused. Generating certificates (`_x509.ts`,
 * `@peculiar/x509`) is only loaded when something must be issued, which
 * keeps ~60 ms and ~10 MiB of module loading out of a normal start.
 *
 * @module
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import type { Sans } from "./_x509.ts";

/** A parsed certificate. */
export type Certificate = X509Certificate;

/** One certificate of a PEM bundle with its own PEM text. */
export interface ChainEntry {
  cert: Certificate;
  pem: string;
}

const PEM_BLOCK =
  /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** Parses the first certificate of a PEM bundle (throws if there is none). */
export function parseCertificate(pem: string): Certificate {
  const first = pem.match(PEM_BLOCK)?.[0];
  if (!first) throw new Error("no PEM certificate found");
  return new X509Certificate(first);
}

/** Parses every certificate of a PEM bundle, in order. */
export function parseChain(pem: string): ChainEntry[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => ({
    cert: new X509Certificate(block),
    pem: `${block}\n`,
  }));
}

/** The DNS and IP subject alternative names of a certificate. */
export function certificateSans(cert: Certificate): Sans {
  const out: Sans = { dnsNames: [], ips: [] };
  // "DNS:localhost, IP Address:127.0.0.1, IP Address:::1"
  for (const part of (cert.subjectAltName ?? "").split(/,\s*/)) {
    if (part.startsWith("DNS:")) out.dnsNames.push(part.slice(4));
    else if (part.startsWith("IP Address:")) out.ips.push(part.slice(11));
  }
  return out;
}

/** True when `cert` carries a valid signature by `issuer`'s key. */
export function isSignedBy(cert: Certificate, issuer: Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** True when the PEM private key belongs to `cert`. */
export function keyMatchesCertificate(
  keyPem: string,
  cert: Certificate,
): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** True when the certificate is self-signed (issuer equals subject). */
export function isSelfSigned(cert: Certificate): boolean {
  return cert.issuer === cert.subject;
}

/** The validity period of a certificate. */
export function validity(
  cert: Certificate,
): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}
