/**
 * The HTTPS clients that reach extension servers: each presents the front
 * proxy's client certificate (`--proxy-client-cert-file`/`-key-file`) and
 * trusts the APIService's `caBundle` (none: the system roots). One
 * `Deno.HttpClient` per distinct bundle, cached and closed with the
 * aggregator, so connections are reused across requests.
 *
 * `insecureSkipTLSVerify` (without a `caBundle`) goes through
 * `insecure_fetch.ts` instead: Deno's HTTP client always verifies.
 *
 * @module
 */

import { insecureFetch } from "./insecure_fetch.ts";

/** What an extension server is called with. */
export interface ExtensionRequest {
  method?: string;
  headers: [string, string][];
  body?: ReadableStream<Uint8Array> | null;
  signal?: AbortSignal;
}

/** How an APIService's server is trusted. */
export interface ServerTrust {
  /** PEM, or `""` for the system roots. */
  caBundle: string;
  insecureSkipTLSVerify: boolean;
}

/** The front proxy's client certificate and key (PEM). */
export interface ProxyClientCertificate {
  /** The client certificate chain, PEM. */
  certPem: string;
  /** Its private key, PEM. */
  keyPem: string;
}

/** Cached clients by CA bundle. */
export class ProxyClients {
  readonly #cert: ProxyClientCertificate;
  readonly #clients = new Map<string, Deno.HttpClient>();
  readonly #max: number;

  constructor(cert: ProxyClientCertificate, maxClients = 64) {
    this.#cert = cert;
    this.#max = maxClients;
  }

  /** The client for `caBundle` (PEM; `""` for the system roots). */
  clientFor(caBundle: string): Deno.HttpClient {
    let c = this.#clients.get(caBundle);
    if (c) {
      this.#clients.delete(caBundle);
      this.#clients.set(caBundle, c);
      return c;
    }
    c = Deno.createHttpClient({
      ...(caBundle ? { caCerts: [caBundle] } : {}),
      cert: this.#cert.certPem,
      key: this.#cert.keyPem,
    });
    this.#clients.set(caBundle, c);
    if (this.#clients.size > this.#max) {
      const [oldest, client] = this.#clients.entries().next().value!;
      this.#clients.delete(oldest);
      client.close();
    }
    return c;
  }

  /**
   * Calls `url` on the extension server of an APIService trusted as
   * `trust` says, presenting the front-proxy certificate.
   */
  fetch(
    url: string,
    init: ExtensionRequest,
    trust: ServerTrust,
  ): Promise<Response> {
    if (trust.insecureSkipTLSVerify && !trust.caBundle) {
      return insecureFetch(url, {
        ...init,
        cert: this.#cert.certPem,
        key: this.#cert.keyPem,
      });
    }
    const hasBody = init.body !== undefined && init.body !== null;
    return fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: "manual",
      client: this.clientFor(trust.caBundle),
      signal: init.signal,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
  }

  /** Closes every client. */
  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }
}

/** Deno's fetch says "error sending request"; the reason is at the end of the cause chain. */
export function fetchFailure(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err);
  let cause = err instanceof Error ? err.cause : undefined;
  for (let i = 0; cause && i < 5; i++) {
    msg = cause instanceof Error ? cause.message : String(cause);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (/Connection refused|ECONNREFUSED/i.test(msg)) {
    return "connect: connection refused";
  }
  if (/UnknownIssuer|BadSignature|unknown ?issuer/i.test(msg)) {
    return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
  }
  if (/NotValidForName|not valid for name/i.test(msg)) {
    return "tls: failed to verify certificate: x509: certificate is not valid for the requested name";
  }
  if (
    /InvalidContentType|CorruptMessage|wrong version|record overflow/i.test(msg)
  ) {
    return "tls: first record does not look like a TLS handshake";
  }
  return msg.replace(/^error sending request for url \([^)]*\): /, "");
}
