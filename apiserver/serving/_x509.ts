/**
 * X.509 primitives on WebCrypto ECDSA P-256 keys, built with
 * `@peculiar/x509` (no hand-written ASN.1): a self-signed CA, leaf
 * certificates signed by it, PEM encoding of PKCS#8 keys, and SAN parsing.
 *
 * @module
 */

// `@peculiar/x509` bundled into one ES module: loads in a fraction of the
// time of its ~200 CommonJS files (`internal/x509/README.md`).
import * as x509 from "../../internal/x509/x509.js";
import { randomSerialHex } from "../../internal/hex.ts";

const KEY_ALG = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN_ALG = { ...KEY_ALG, hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Backdating absorbs small clock differences between hosts. */
const BACKDATE_MS = 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** A parsed CA able to sign leaf certificates. */
export interface Issuer {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

/** Subject alternative names split by kind. */
export interface Sans {
  dnsNames: string[];
  ips: string[];
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

function validity(
  days: number,
  now: Date,
): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  };
}

/** Generates a self-signed CA certificate and key. */
export async function generateCa(
  commonName: string,
  days: number,
  now = new Date(),
): Promise<PemPair> {
  const keys = await crypto.subtle.generateKey(SIGN_ALG, true, [
    "sign",
    "verify",
  ]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: [{ CN: [commonName] }],
    ...validity(days, now),
    signingAlgorithm: SIGN_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(
        keys.publicKey,
        false,
        crypto,
      ),
    ],
  }, crypto);
  return {
    certPem: cert.toString("pem"),
    keyPem: await keyPem(keys.privateKey),
  };
}

/** Parses a PEM CA pair (PKCS#8 ECDSA P-256 key) into an {@linkcode Issuer}. */
export async function loadIssuer(pair: PemPair): Promise<Issuer> {
  const cert = new x509.X509Certificate(pair.certPem);
  return { cert, key: await importPrivateKey(pair.keyPem) };
}

/** Imports a PEM PKCS#8 ECDSA P-256 private key for signing. */
export function importPrivateKey(keyPem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  return crypto.subtle.importKey("pkcs8", der, KEY_ALG, false, ["sign"]);
}

/**
 * True when the PEM PKCS#8 ECDSA P-256 key belongs to `cert` (a probe is
 * signed with the key and verified with the certificate's public key).
 */
export async function keyMatchesCertificate(
  keyPem: string,
  cert: x509.X509Certificate,
): Promise<boolean> {
  try {
    const key = await importPrivateKey(keyPem);
    const pub = await cert.publicKey.export(KEY_ALG, ["verify"], crypto);
    const probe = crypto.getRandomValues(new Uint8Array(32));
    const sig = await crypto.subtle.sign(SIGN_ALG, key, probe);
    return await crypto.subtle.verify(SIGN_ALG, pub, sig, probe);
  } catch {
    return false;
  }
}

/** What a leaf certificate is for. */
export interface LeafOptions {
  commonName: string;
  organizations?: string[];
  sans?: Sans;
  usage: "server" | "client";
  days: number;
  /** Overrides `days` (client certificates of a given lifetime). */
  notAfter?: Date;
  now?: Date;
}

/** Issues a leaf certificate (server or client auth) signed by `issuer`. */
export async function issueLeaf(
  issuer: Issuer,
  opts: LeafOptions,
): Promise<PemPair> {
  const keys = await crypto.subtle.generateKey(SIGN_ALG, true, [
    "sign",
    "verify",
  ]);
  const subject: x509.JsonName = [{ CN: [opts.commonName] }];
  for (const o of opts.organizations ?? []) subject.push({ O: [o] });
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([
      opts.usage === "server"
        ? x509.ExtendedKeyUsage.serverAuth
        : x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.AuthorityKeyIdentifierExtension.create(
      issuer.cert,
      false,
      crypto,
    ),
    await x509.SubjectKeyIdentifierExtension.create(
      keys.publicKey,
      false,
      crypto,
    ),
  ];
  const sans = opts.sans ?? { dnsNames: [], ips: [] };
  if (sans.dnsNames.length + sans.ips.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...sans.dnsNames.map((value) => ({ type: "dns" as const, value })),
        ...sans.ips.map((value) => ({ type: "ip" as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject,
    issuer: issuer.cert.subjectName,
    ...validity(opts.days, opts.now ?? new Date()),
    ...(opts.notAfter ? { notAfter: opts.notAfter } : {}),
    signingAlgorithm: SIGN_ALG,
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    extensions,
  }, crypto);
  return {
    certPem: cert.toString("pem"),
    keyPem: await keyPem(keys.privateKey),
  };
}

/** Parses the first certificate of a PEM bundle. */
export function parseCertificate(pem: string): x509.X509Certificate {
  return new x509.X509Certificate(pem);
}

/** Parses every certificate of a PEM bundle, in order. */
export function parseChain(pem: string): x509.X509Certificate[] {
  return x509.PemConverter.decode(pem).map((der) =>
    new x509.X509Certificate(der)
  );
}

/** The DNS and IP subject alternative names of a certificate. */
export function certificateSans(cert: x509.X509Certificate): Sans {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const out: Sans = { dnsNames: [], ips: [] };
  for (const name of ext?.names.items ?? []) {
    if (name.type === "dns") out.dnsNames.push(name.value);
    if (name.type === "ip") out.ips.push(name.value);
  }
  return out;
}

/** True when `cert` carries a valid signature by `issuer`'s key. */
export function isSignedBy(
  cert: x509.X509Certificate,
  issuer: x509.X509Certificate,
): Promise<boolean> {
  return cert.verify(
    { publicKey: issuer.publicKey, signatureOnly: true },
    crypto,
  );
}

/** True when the certificate is self-signed (issuer equals subject). */
export function isSelfSigned(cert: x509.X509Certificate): boolean {
  return cert.issuer === cert.subject;
}
