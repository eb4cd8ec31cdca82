/**
 * The front proxy's certificates: the client certificate the server
 * presents to extension API servers when it proxies a delegated request
 * (API aggregation), and the CA extension servers verify it against (the
 * `requestheader-client-ca-file` of `extension-apiserver-authentication`).
 * A CA of its own, as upstream recommends: a certificate the client CA
 * signs must not be able to pose as the proxy and assert any user in
 * `X-Remote-User`.
 *
 * Generated under `<data-dir>/tls/` on first start — `front-proxy-ca.crt`
 * / `.key` (10 years) and `front-proxy-client.crt` / `.key`
 * (`CN=front-proxy-client`, EKU clientAuth, one year, reissued when
 * missing, not signed by the CA, or within 90 days of expiry) — unless
 * `--proxy-client-cert-file`/`--proxy-client-key-file` bring a pair
 * (then `--requestheader-client-ca-file` names the CA to publish).
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
import {
  isSignedBy,
  keyMatchesCertificate,
  parseCertificate,
  validity,
} from "./_x509_inspect.ts";
import { CertificateError } from "./errors.ts";

/** The common name of the generated front-proxy client certificate. */
export const FRONT_PROXY_CLIENT_CN = "front-proxy-client";

/** The front proxy's client pair and the CA that signed it (PEM). */
export interface FrontProxyCertificates {
  certPem: string;
  keyPem: string;
  /** The CA bundle extension servers verify the certificate with. */
  caPem: string;
  certFile: string;
  keyFile: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The front proxy's certificates: `certFile`/`keyFile`/`caFile` when given
 * (all read, nothing generated), else generated under `<dataDir>/tls/`.
 */
export async function ensureFrontProxyCertificates(opts: {
  dataDir: string;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  logger?: Logger;
  now?: Date;
}): Promise<FrontProxyCertificates> {
  const log = opts.logger ?? silentLogger;
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) {
      throw new CertificateError(
        opts.certFile ?? opts.keyFile!,
        "--proxy-client-cert-file and --proxy-client-key-file must be given together",
      );
    }
    const read = async (path: string) => {
      const text = await readIfExists(path);
      if (text === undefined) throw new CertificateError(path, "no such file");
      return text;
    };
    const certPem = await read(opts.certFile);
    const keyPem = await read(opts.keyFile);
    if (!opts.caFile) {
      throw new CertificateError(
        opts.certFile,
        "--proxy-client-cert-file needs --requestheader-client-ca-file (the CA extension servers verify it with)",
      );
    }
    const caPem = await read(opts.caFile);
    return {
      certPem,
      keyPem,
      caPem,
      certFile: opts.certFile,
      keyFile: opts.keyFile,
    };
  }
  const dir = `${opts.dataDir}/tls`;
  const now = opts.now ?? new Date();
  const caFile = `${dir}/front-proxy-ca.crt`;
  const caKeyFile = `${dir}/front-proxy-ca.key`;
  const certFile = `${dir}/front-proxy-client.crt`;
  const keyFile = `${dir}/front-proxy-client.key`;
  // @peculiar/x509 (`_x509.ts`) only when something must be issued: a
  // start that reuses the files does not pay for loading it.
  let caPem = await readIfExists(caFile);
  let caKeyPem = await readIfExists(caKeyFile);
  if ((caPem === undefined) !== (caKeyPem === undefined)) {
    throw new CertificateError(
      caPem === undefined ? caFile : caKeyFile,
      `missing (its partner exists); delete ${caFile} and ${caKeyFile} to have a new front-proxy CA generated`,
    );
  }
  if (caPem === undefined || caKeyPem === undefined) {
    const { generateCa } = await import("./_x509.ts");
    const ca = await generateCa(
      `hyperplane-front-proxy-ca@${Math.floor(now.getTime() / 1000)}`,
      3650,
      now,
    );
    caPem = ca.certPem;
    caKeyPem = ca.keyPem;
    await writeFileAtomic(caKeyFile, caKeyPem);
    await writeFileAtomic(caFile, caPem, { mode: PUBLIC_FILE_MODE });
    log.info("generated front-proxy CA certificate", { file: caFile });
  }
  const certPem = await readIfExists(certFile);
  const keyPem = await readIfExists(keyFile);
  if (
    certPem !== undefined && keyPem !== undefined &&
    usable(certPem, keyPem, caPem, now)
  ) {
    return { certPem, keyPem, caPem, certFile, keyFile };
  }
  const { issueLeaf, loadIssuer } = await import("./_x509.ts");
  const pair = await issueLeaf(
    await loadIssuer({ certPem: caPem, keyPem: caKeyPem }),
    { commonName: FRONT_PROXY_CLIENT_CN, usage: "client", days: 365, now },
  );
  await writeFileAtomic(keyFile, pair.keyPem);
  await writeFileAtomic(certFile, pair.certPem, { mode: PUBLIC_FILE_MODE });
  log.info("generated front-proxy client certificate", { file: certFile });
  return { ...pair, caPem, certFile, keyFile };
}

function usable(
  certPem: string,
  keyPem: string,
  caPem: string,
  now: Date,
): boolean {
  try {
    const cert = parseCertificate(certPem);
    if (!isSignedBy(cert, parseCertificate(caPem))) return false;
    if (!keyMatchesCertificate(keyPem, cert)) return false;
    const { notAfter } = validity(cert);
    return notAfter.getTime() - now.getTime() > 90 * DAY_MS;
  } catch {
    return false;
  }
}
