/**
 * The X.509 work of certificate signing requests, on `@peculiar/x509`:
 * parsing a PEM request (with its signature checked), and issuing a
 * certificate for an approved request with a CA (upstream's
 * `authority.Sign` with the signer's usages, backdating and TTL rules).
 * Loaded on demand (by the admission plugin and the signing controller).
 *
 * @module
 */

// `@peculiar/x509` bundled into one ES module: loads in a fraction of the
// time of its ~200 CommonJS files (`internal/x509/README.md`).
import * as x509 from "../../internal/x509/x509.js";
import { randomSerialHex } from "../../internal/hex.ts";

/** What a parsed request names. */
export interface ParsedCsr {
  commonName: string;
  organizations: string[];
}

/**
 * Parses a PEM `CERTIFICATE REQUEST` and checks its self-signature, as
 * upstream's `ParseCSR` + `CheckSignature`; the error message says what is
 * wrong.
 */
export async function parseCsrPem(
  pem: string,
): Promise<ParsedCsr | { error: string }> {
  const blocks = pem.match(
    /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g,
  );
  if (!blocks || blocks.length === 0) {
    return { error: "PEM block type must be CERTIFICATE REQUEST" };
  }
  const first = blocks[0];
  if (!first.startsWith("-----BEGIN CERTIFICATE REQUEST-----")) {
    return { error: "PEM block type must be CERTIFICATE REQUEST" };
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(first);
  } catch (err) {
    return {
      error: `asn1: structure error: ${
        err instanceof Error ? err.message : String(err)
      }`,
    };
  }
  let valid = false;
  try {
    valid = await csr.verify(crypto);
  } catch {
    valid = false;
  }
  if (!valid) {
    return { error: "x509: certificate request signature is invalid" };
  }
  return {
    commonName: csr.subjectName.getField("CN")[0] ?? "",
    organizations: csr.subjectName.getField("O"),
  };
}

/** True when `pem` holds at least one parseable CERTIFICATE block. */
export function isPemCertificates(pem: string): boolean {
  const blocks = pem.match(
    /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
  );
  if (!blocks) return false;
  try {
    for (const b of blocks) new x509.X509Certificate(b);
    return true;
  } catch {
    return false;
  }
}

/** A CA able to sign (PEM certificate and PKCS#8 key). */
export interface SigningCa {
  certPem: string;
  keyPem: string;
}

/** What to sign. */
export interface SignRequest {
  /** The PEM `CERTIFICATE REQUEST`. */
  csrPem: string;
  /** `spec.usages`. */
  usages: string[];
  /** `spec.expirationSeconds`, if set. */
  expirationSeconds?: number;
  /** The signer's longest lifetime (upstream `--cluster-signing-duration`, 1 year). */
  maxTtlMs: number;
  now: Date;
}

/** Upstream's backdate of issued certificates (clock skew). */
const BACKDATE_MS = 5 * 60 * 1000;

const KEY_USAGE_BITS: Record<string, number> = {
  "signing": x509.KeyUsageFlags.digitalSignature,
  "digital signature": x509.KeyUsageFlags.digitalSignature,
  "content commitment": x509.KeyUsageFlags.nonRepudiation,
  "key encipherment": x509.KeyUsageFlags.keyEncipherment,
  "key agreement": x509.KeyUsageFlags.keyAgreement,
  "data encipherment": x509.KeyUsageFlags.dataEncipherment,
  "cert sign": x509.KeyUsageFlags.keyCertSign,
  "crl sign": x509.KeyUsageFlags.cRLSign,
  "encipher only": x509.KeyUsageFlags.encipherOnly,
  "decipher only": x509.KeyUsageFlags.decipherOnly,
};

const EXT_KEY_USAGES: Record<string, string> = {
  "any": "2.5.29.37.0",
  "server auth": x509.ExtendedKeyUsage.serverAuth,
  "client auth": x509.ExtendedKeyUsage.clientAuth,
  "code signing": x509.ExtendedKeyUsage.codeSigning,
  "email protection": x509.ExtendedKeyUsage.emailProtection,
  "s/mime": x509.ExtendedKeyUsage.emailProtection,
  "ipsec end system": "1.3.6.1.5.5.7.3.5",
  "ipsec tunnel": "1.3.6.1.5.5.7.3.6",
  "ipsec user": "1.3.6.1.5.5.7.3.7",
  "timestamping": x509.ExtendedKeyUsage.timeStamping,
  "ocsp signing": x509.ExtendedKeyUsage.ocspSigning,
  "microsoft sgc": "1.3.6.1.4.1.311.10.3.3",
  "netscape sgc": "2.16.840.1.113730.4.1",
};

/**
 * Issues the certificate of an approved request: the request's subject,
 * public key and subject alternative names; key usages from `usages`;
 * valid from 5 minutes ago until `min(expirationSeconds, maxTtl)` from now,
 * never past the CA's own expiry. Returns PEM.
 */
export async function signCsr(
  ca: SigningCa,
  req: SignRequest,
): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(req.csrPem);
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeyAlg = caCert.publicKey.algorithm as
    & EcKeyImportParams
    & RsaHashedImportParams;
  const importAlg = caKeyAlg.name === "ECDSA"
    ? { name: "ECDSA", namedCurve: caKeyAlg.namedCurve }
    : { name: caKeyAlg.name, hash: "SHA-256" };
  const signingKey = await crypto.subtle.importKey(
    "pkcs8",
    x509.PemConverter.decodeFirst(ca.keyPem),
    importAlg,
    false,
    ["sign"],
  );
  const signingAlgorithm = caKeyAlg.name === "ECDSA"
    ? { name: "ECDSA", hash: "SHA-256" }
    : { name: caKeyAlg.name, hash: "SHA-256" };
  let ttl = req.maxTtlMs;
  if (req.expirationSeconds !== undefined) {
    ttl = Math.min(ttl, req.expirationSeconds * 1000);
  }
  const now = req.now.getTime();
  const notBefore = new Date(now - BACKDATE_MS);
  const notAfter = new Date(Math.min(now + ttl, caCert.notAfter.getTime()));
  let bits = 0;
  const ekus: string[] = [];
  for (const u of req.usages) {
    if (KEY_USAGE_BITS[u] !== undefined) bits |= KEY_USAGE_BITS[u];
    if (EXT_KEY_USAGES[u] !== undefined) ekus.push(EXT_KEY_USAGES[u]);
  }
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
  ];
  if (bits !== 0) extensions.push(new x509.KeyUsagesExtension(bits, true));
  if (ekus.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(ekus, false));
  }
  extensions.push(
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false, crypto),
  );
  const san = csr.getExtension("2.5.29.17"); // subjectAltName
  if (san) extensions.push(san);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: csr.subjectName,
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    publicKey: csr.publicKey,
    signingKey,
    signingAlgorithm,
    extensions,
  }, crypto);
  return cert.toString("pem") + "\n";
}

/** The certificate's expiry (for the cleaner), or `undefined` if unparseable. */
export function certificateNotAfter(pem: string): Date | undefined {
  try {
    return new x509.X509Certificate(pem).notAfter;
  } catch {
    return undefined;
  }
}
