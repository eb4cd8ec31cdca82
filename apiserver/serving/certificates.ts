/**
 * The serving certificate: generated on first start under `<data-dir>/tls/`
 * (a CA and a serving pair signed by it), reused on later starts, renewed
 * when its SANs change or it nears expiry (the CA is kept), or taken from
 * user-supplied files (`--tls-cert-file`, `--tls-private-key-file`).
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import {
  PUBLIC_FILE_MODE,
  readIfExists,
  writeFileAtomic,
} from "../../storage/files.ts";
import { canonicalIp, isDnsName } from "./_ip.ts";
// Type-only: `_x509.ts` (@peculiar/x509) is imported on demand, when a
// certificate must be issued; reading existing ones uses `node:crypto`.
import type { PemPair, Sans } from "./_x509.ts";
import {
  type Certificate,
  certificateSans,
  isSelfSigned,
  isSignedBy,
  keyMatchesCertificate,
  parseCertificate,
  parseChain,
  validity,
} from "./_x509_inspect.ts";
import { CertificateError, ServingConfigError } from "./errors.ts";

/** CA lifetime in days. */
export const CA_VALIDITY_DAYS = 3650;
/** Serving certificate lifetime in days. */
export const SERVING_VALIDITY_DAYS = 365;
/** A serving certificate with fewer days left than this is renewed. */
export const RENEW_BEFORE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Options for {@linkcode ensureCertificates}. */
export interface CertificateOptions {
  /** The data directory; generated files go to `<dataDir>/tls/`. */
  dataDir: string;
  /** Extra SANs (`--tls-san`): IPs become IP SANs, names DNS SANs. */
  sans?: string[];
  /** A user-supplied serving certificate (PEM chain, leaf first). */
  certFile?: string;
  /** The private key of `certFile` (PEM). */
  keyFile?: string;
  /** The host name added as a DNS SAN. Default `Deno.hostname()`. */
  hostname?: string;
  /** Where to log what was generated or reused. */
  logger?: Logger;
  /** The current time (tests use it to exercise renewal). */
  now?: Date;
}

/** What {@linkcode ensureCertificates} did with the serving pair. */
export type CertificateAction = "generated" | "reused" | "renewed" | "provided";

/** The serving key material, ready for `Deno.serve`. */
export interface ServingCertificates {
  /** Serving certificate chain, PEM. */
  cert: string;
  /** Serving private key, PEM (PKCS#8 when generated). */
  key: string;
  /**
   * The CA clients should trust (PEM), for the kubeconfig. `undefined` when
   * user-supplied files carry no self-signed root (clients then rely on
   * their system trust store).
   */
  caCert: string | undefined;
  /** Paths of the serving pair on disk. */
  certFile: string;
  keyFile: string;
  /** How the serving pair came to be. */
  action: CertificateAction;
}

/** The file names under `<dataDir>/tls/`. */
export const TLS_FILES = {
  caCert: "ca.crt",
  caKey: "ca.key",
  servingCert: "serving.crt",
  servingKey: "serving.key",
  clientCaCert: "client-ca.crt",
  clientCaKey: "client-ca.key",
} as const;

/**
 * The SANs a generated serving certificate carries: `localhost`, the host
 * name, `127.0.0.1`, `::1`, and every `extra` value (sorted into IPs and DNS
 * names, deduplicated). Throws {@linkcode ServingConfigError} for a value
 * that is neither an IP nor a DNS name.
 */
export function servingSans(extra: string[], hostname: string): Sans {
  const dns = new Map<string, string>();
  const ips = new Map<string, string>();
  // DNS names are case-insensitive: keep them lower-case.
  const addDns = (name: string) =>
    dns.set(name.toLowerCase(), name.toLowerCase());
  addDns("localhost");
  if (isDnsName(hostname)) addDns(hostname);
  for (const ip of ["127.0.0.1", "::1"]) ips.set(canonicalIp(ip)!, ip);
  for (const raw of extra) {
    const value = raw.trim();
    const ip = canonicalIp(value);
    if (ip) {
      if (!ips.has(ip)) ips.set(ip, value.replace(/^\[(.*)\]$/, "$1"));
    } else if (isDnsName(value)) {
      addDns(value);
    } else {
      throw new ServingConfigError(
        `invalid --tls-san ${
          JSON.stringify(raw)
        }: not an IP address or DNS name`,
      );
    }
  }
  return { dnsNames: [...dns.values()], ips: [...ips.values()] };
}

function sameSans(a: Sans, b: Sans): boolean {
  const key = (s: Sans) =>
    JSON.stringify([
      s.dnsNames.map((d) => d.toLowerCase()).sort(),
      s.ips.map((i) => canonicalIp(i) ?? i).sort(),
    ]);
  return key(a) === key(b);
}

/**
 * Makes sure serving key material exists and returns it. With `certFile`
 * and `keyFile` the given files are validated and used as they are.
 * Otherwise the CA under `<dataDir>/tls/` is created once and kept, and the
 * serving pair is (re)issued when missing, invalid, not signed by the CA,
 * carrying other SANs than wanted, or expiring within
 * {@linkcode RENEW_BEFORE_DAYS} (an empty or damaged serving pair is simply
 * reissued; a damaged CA is an error naming the file and what to do). Files
 * are written atomically (see `storage/files.ts`), keys with mode 0600,
 * certificates 0644, in a directory created 0700.
 *
 * @example
 * ```ts
 * const tls = await ensureCertificates({ dataDir: "/var/lib/hyperplane" });
 * Deno.serve({ cert: tls.cert, key: tls.key, port: 6443 }, handler);
 * ```
 */
export async function ensureCertificates(
  opts: CertificateOptions,
): Promise<ServingCertificates> {
  if (opts.certFile !== undefined || opts.keyFile !== undefined) {
    return await providedCertificates(opts.certFile, opts.keyFile);
  }
  const log = opts.logger ?? silentLogger;
  const now = opts.now ?? new Date();
  const dir = `${opts.dataDir}/tls`;
  const path = (name: keyof typeof TLS_FILES) => `${dir}/${TLS_FILES[name]}`;
  const wanted = servingSans(opts.sans ?? [], opts.hostname ?? Deno.hostname());

  const ca = await ensureCa(
    path("caCert"),
    path("caKey"),
    "hyperplane-ca",
    now,
    log,
  );
  let caCert: Certificate;
  try {
    caCert = parseCertificate(ca.certPem);
    if (!keyMatchesCertificate(ca.keyPem, caCert)) {
      throw new Error("the key does not belong to the CA certificate");
    }
  } catch (err) {
    throw new CertificateError(
      path("caKey"),
      `unusable CA: ${err}; ${newCaHint(path("caCert"), path("caKey"))}`,
      { cause: err },
    );
  }

  const certFile = path("servingCert");
  const keyFile = path("servingKey");
  const existing = await readPair(certFile, keyFile);
  const problem = existing
    ? servingProblem(existing, caCert, wanted, now)
    : "missing";
  if (existing && problem === undefined) {
    log.debug("reusing serving certificate", { file: certFile });
    return { ...pemOut(existing, ca), certFile, keyFile, action: "reused" };
  }
  const { issueLeaf, loadIssuer } = await import("./_x509.ts");
  const issuer = await loadIssuer(ca).catch((err) => {
    throw new CertificateError(
      path("caKey"),
      `unusable CA: ${err}; ${newCaHint(path("caCert"), path("caKey"))}`,
      { cause: err },
    );
  });
  const pair = await issueLeaf(issuer, {
    commonName: "hyperplane",
    sans: wanted,
    usage: "server",
    days: SERVING_VALIDITY_DAYS,
    now,
  });
  await writeFileAtomic(keyFile, pair.keyPem);
  await writeFileAtomic(certFile, pair.certPem, { mode: PUBLIC_FILE_MODE });
  const action = existing ? "renewed" : "generated";
  log.info(`${action} serving certificate`, {
    file: certFile,
    reason: problem,
    sans: [...wanted.dnsNames, ...wanted.ips].join(","),
  });
  return { ...pemOut(pair, ca), certFile, keyFile, action };
}

function pemOut(pair: PemPair, ca: PemPair) {
  return { cert: pair.certPem, key: pair.keyPem, caCert: ca.certPem };
}

async function readPair(
  certFile: string,
  keyFile: string,
): Promise<PemPair | undefined> {
  const certPem = await readIfExists(certFile);
  const keyPem = await readIfExists(keyFile);
  if (certPem === undefined || keyPem === undefined) return undefined;
  return { certPem, keyPem };
}

async function ensureCa(
  certFile: string,
  keyFile: string,
  name: string,
  now: Date,
  log: Logger,
): Promise<PemPair> {
  const existing = await readPair(certFile, keyFile);
  if (existing) {
    // Written atomically, so an empty file is damage from elsewhere (or
    // from a release before atomic writes); never start on it silently.
    const empty = existing.certPem.trim() === ""
      ? certFile
      : existing.keyPem.trim() === ""
      ? keyFile
      : undefined;
    if (empty !== undefined) {
      throw new CertificateError(
        empty,
        `the file is empty; ${newCaHint(certFile, keyFile)}`,
      );
    }
    try {
      parseCertificate(existing.certPem);
    } catch (err) {
      throw new CertificateError(
        certFile,
        `not a PEM certificate: ${err}; ${newCaHint(certFile, keyFile)}`,
      );
    }
    return existing;
  }
  for (const [have, missing] of [[certFile, keyFile], [keyFile, certFile]]) {
    if (await readIfExists(have) !== undefined) {
      throw new CertificateError(
        missing,
        `missing while ${have} exists; restore it, or remove both to generate a new CA (clients must then trust the new CA)`,
      );
    }
  }
  const { generateCa } = await import("./_x509.ts");
  const ca = await generateCa(
    `${name}@${Math.floor(now.getTime() / 1000)}`,
    CA_VALIDITY_DAYS,
    now,
  );
  await writeFileAtomic(keyFile, ca.keyPem);
  await writeFileAtomic(certFile, ca.certPem, { mode: PUBLIC_FILE_MODE });
  log.info("generated CA certificate", { file: certFile });
  return ca;
}

/** The client CA: it signs client certificates, and the server trusts it. */
export interface ClientCa {
  /** PEM certificate and PKCS#8 key. */
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

/**
 * The client CA under `<dataDir>/tls/` (`client-ca.crt`, `client-ca.key`),
 * generated on first use (`CN=hyperplane-client-ca@<unix time>`, 10 years)
 * and reused later, with the same rules as the serving CA: never replaced
 * silently, a damaged or half-missing pair is a {@linkcode CertificateError}.
 * It is separate from the serving CA so that trusting the server does not
 * mean accepting every certificate the serving CA could sign, and the other
 * way round (as kube-apiserver's `--client-ca-file`).
 */
export async function ensureClientCa(opts: {
  dataDir: string;
  logger?: Logger;
  now?: Date;
}): Promise<ClientCa> {
  const dir = `${opts.dataDir}/tls`;
  const certFile = `${dir}/${TLS_FILES.clientCaCert}`;
  const keyFile = `${dir}/${TLS_FILES.clientCaKey}`;
  const pair = await ensureCa(
    certFile,
    keyFile,
    "hyperplane-client-ca",
    opts.now ?? new Date(),
    opts.logger ?? silentLogger,
  );
  try {
    if (!keyMatchesCertificate(pair.keyPem, parseCertificate(pair.certPem))) {
      throw new Error("the key does not belong to the CA certificate");
    }
  } catch (err) {
    throw new CertificateError(
      keyFile,
      `unusable client CA: ${err}; ${newCaHint(certFile, keyFile)}`,
      { cause: err },
    );
  }
  return { ...pair, certFile, keyFile };
}

/** What {@linkcode issueClientCertificate} should put in the certificate. */
export interface ClientCertificateRequest {
  /** The user name (CN). */
  user: string;
  /** The groups (one O each). */
  groups?: string[];
  /** How long it is valid, in milliseconds from now. */
  validForMs: number;
  now?: Date;
}

/**
 * Issues a client certificate (new P-256 key, EKU clientAuth) for a user
 * and groups, signed by the client CA: what `hyperplane kubeconfig` hands
 * out.
 */
export async function issueClientCertificate(
  ca: ClientCa,
  req: ClientCertificateRequest,
): Promise<PemPair> {
  const { issueLeaf, loadIssuer } = await import("./_x509.ts");
  const now = req.now ?? new Date();
  return await issueLeaf(await loadIssuer(ca), {
    commonName: req.user,
    organizations: req.groups ?? [],
    usage: "client",
    days: 1,
    notAfter: new Date(now.getTime() + req.validForMs),
    now,
  });
}

/** What to do about a damaged CA. */
function newCaHint(certFile: string, keyFile: string): string {
  return `restore it from a backup, or delete ${certFile} and ${keyFile} to have a new CA generated (clients must then trust the new CA)`;
}

/** Why an existing serving pair must be reissued, or `undefined` if not. */
function servingProblem(
  pair: PemPair,
  ca: Certificate,
  wanted: Sans,
  now: Date,
): string | undefined {
  let cert;
  try {
    cert = parseCertificate(pair.certPem);
  } catch {
    return "unparseable";
  }
  if (!isSignedBy(cert, ca)) return "other CA";
  if (!keyMatchesCertificate(pair.keyPem, cert)) return "key mismatch";
  if (!sameSans(certificateSans(cert), wanted)) return "SANs changed";
  const { notBefore, notAfter } = validity(cert);
  if (notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) {
    return "expiring";
  }
  if (notBefore.getTime() > now.getTime()) return "not yet valid";
  return undefined;
}

async function providedCertificates(
  certFile: string | undefined,
  keyFile: string | undefined,
): Promise<ServingCertificates> {
  if (!certFile || !keyFile) {
    throw new ServingConfigError(
      "--tls-cert-file and --tls-private-key-file must be given together",
    );
  }
  const read = async (path: string) => {
    const text = await readIfExists(path);
    if (text === undefined) throw new CertificateError(path, "no such file");
    return text;
  };
  const cert = await read(certFile);
  const key = await read(keyFile);
  let chain;
  try {
    chain = parseChain(cert);
  } catch (err) {
    throw new CertificateError(certFile, `not a PEM certificate: ${err}`);
  }
  if (chain.length === 0) {
    throw new CertificateError(certFile, "no PEM certificate found");
  }
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(key)) {
    throw new CertificateError(keyFile, "no PEM private key found");
  }
  const root = chain.at(-1)!;
  return {
    cert,
    key,
    caCert: isSelfSigned(root.cert) ? root.pem : undefined,
    certFile,
    keyFile,
    action: "provided",
  };
}
