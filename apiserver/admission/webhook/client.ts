/**
 * Calling a webhook: one HTTPS `POST` of the AdmissionReview to where the
 * webhook's `clientConfig` says, trusting its `caBundle` (one
 * `Deno.HttpClient` per distinct bundle, cached, so connections are reused;
 * no bundle: the system roots), bounded by the webhook's `timeoutSeconds`
 * (`AbortSignal.timeout`; the server's close aborts too). A slow webhook
 * holds only the request that called it.
 *
 * `clientConfig.service` has no Service to resolve in hyperplane: it is
 * called as `https://<name>.<namespace>.svc:<port><path>` and works when
 * that name resolves (DNS, /etc/hosts); otherwise the call fails with a
 * message that says so, under the webhook's failure policy.
 *
 * Every failure to get a well-formed answer is a
 * {@linkcode CallingWebhookError} worded as upstream's
 * (`failed calling webhook "x": failed to call webhook: Post "…": …`).
 *
 * @module
 */

import type { ClientConfig, Webhook } from "./types.ts";

/** Upstream's `ErrCallingWebhook`: the failure policy decides. */
export class CallingWebhookError extends Error {
  readonly webhookName: string;
  readonly reason: string;
  constructor(webhookName: string, reason: string) {
    super(`failed calling webhook ${JSON.stringify(webhookName)}: ${reason}`);
    this.name = "CallingWebhookError";
    this.webhookName = webhookName;
    this.reason = reason;
  }
}

/** `fetch` with Deno's `client` option (tests may stand in). */
export type WebhookFetch = (
  url: string,
  init: RequestInit & { client?: Deno.HttpClient },
) => Promise<Response>;

/** Options for {@linkcode WebhookClients}. */
export interface WebhookClientsOptions {
  /** Aborts calls in flight when the server closes. */
  signal?: AbortSignal;
  /** Default: the global `fetch`. */
  fetch?: WebhookFetch;
  /** Largest answer read (default 10 MiB); larger is a call failure. */
  maxResponseBytes?: number;
  /** At most this many cached clients (default 64; the oldest is closed). */
  maxClients?: number;
}

const DEFAULT_MAX_RESPONSE = 10 * 1024 * 1024;

/** The URL a webhook is called at (before the `timeout` parameter). */
export function webhookUrl(cc: ClientConfig): string {
  if (cc.url) return cc.url;
  const s = cc.service!;
  const path = s.path ?? "";
  return `https://${s.name}.${s.namespace}.svc:${s.port ?? 443}${path}`;
}

function caPem(name: string, caBundle: string): string {
  let pem: string;
  try {
    const bytes = Uint8Array.from(atob(caBundle), (c) => c.charCodeAt(0));
    pem = new TextDecoder().decode(bytes);
  } catch {
    pem = "";
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    throw new CallingWebhookError(
      name,
      "could not get REST client: unable to load root certificates: unable to parse bytes as PEM block",
    );
  }
  return pem;
}

/** Deno's fetch says "fetch failed"; the reason is at the end of the cause chain. */
function causeMessage(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err);
  let cause = err instanceof Error ? err.cause : undefined;
  for (let i = 0; cause && i < 5; i++) {
    msg = cause instanceof Error ? cause.message : String(cause);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return msg;
}

const STALE_CONNECTION =
  /broken pipe|connection reset|connection closed|stream closed|IncompleteMessage|channel closed/i;

function goLikeReason(
  err: unknown,
  url: string,
  cc: ClientConfig,
): string {
  const msg = causeMessage(err);
  const u = new URL(url);
  const host = u.port ? u.host : `${u.hostname}:443`;
  let detail: string;
  if (/Connection refused/i.test(msg)) {
    detail = `dial tcp ${host}: connect: connection refused`;
  } else if (/UnknownIssuer|BadSignature|unknown ?issuer/i.test(msg)) {
    detail =
      "tls: failed to verify certificate: x509: certificate signed by unknown authority";
  } else if (/NotValidForName|not valid for name/i.test(msg)) {
    detail =
      `tls: failed to verify certificate: x509: certificate is not valid for ${u.hostname}`;
  } else if (/dns error|lookup address|Name or service not known/i.test(msg)) {
    detail = cc.service
      ? `service ${
        JSON.stringify(cc.service.name)
      } not found (hyperplane serves no Services: ${u.hostname} must resolve by DNS)`
      : `dial tcp: lookup ${u.hostname}: no such host`;
  } else {
    detail = msg.replace(/^error sending request for url \([^)]*\): /, "");
  }
  return `failed to call webhook: Post ${JSON.stringify(url)}: ${detail}`;
}

async function readCapped(
  res: Response,
  max: number,
): Promise<string | undefined> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** The HTTPS clients of the webhooks, by CA bundle. */
export class WebhookClients {
  readonly #opts: WebhookClientsOptions;
  readonly #clients = new Map<string, Deno.HttpClient>();

  constructor(opts: WebhookClientsOptions = {}) {
    this.#opts = opts;
  }

  #clientFor(hook: Webhook): Deno.HttpClient | undefined {
    const ca = hook.clientConfig.caBundle;
    if (!ca) return undefined;
    let c = this.#clients.get(ca);
    if (c) {
      // Most recently used last: the oldest is closed first.
      this.#clients.delete(ca);
      this.#clients.set(ca, c);
      return c;
    }
    c = Deno.createHttpClient({ caCerts: [caPem(hook.name, ca)] });
    this.#clients.set(ca, c);
    if (this.#clients.size > (this.#opts.maxClients ?? 64)) {
      const [oldest, client] = this.#clients.entries().next().value!;
      this.#clients.delete(oldest);
      client.close();
    }
    return c;
  }

  /**
   * POSTs `body` (an AdmissionReview) to `hook` and returns its decoded
   * JSON answer; throws {@linkcode CallingWebhookError} on every failure.
   */
  async post(hook: Webhook, body: string): Promise<unknown> {
    const seconds = hook.timeoutSeconds ?? 10;
    const url = `${webhookUrl(hook.clientConfig)}?timeout=${seconds}s`;
    let client: Deno.HttpClient | undefined;
    try {
      client = this.#clientFor(hook);
    } catch (e) {
      if (e instanceof CallingWebhookError) throw e;
      throw new CallingWebhookError(
        hook.name,
        `could not get REST client: ${e instanceof Error ? e.message : e}`,
      );
    }
    const timeout = AbortSignal.timeout(seconds * 1000);
    const signal = this.#opts.signal
      ? AbortSignal.any([timeout, this.#opts.signal])
      : timeout;
    const doFetch = this.#opts.fetch ?? (fetch as WebhookFetch);
    let text: string | undefined;
    let status: number;
    try {
      const send = () =>
        doFetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, */*",
          },
          body,
          signal,
          ...(client ? { client } : {}),
        });
      let res: Response;
      try {
        res = await send();
      } catch (e) {
        // A pooled connection the webhook closed (it restarted): once more
        // on a fresh one, as Go's transport retries an unwritten request.
        if (signal.aborted || !STALE_CONNECTION.test(causeMessage(e))) throw e;
        res = await send();
      }
      status = res.status;
      text = await readCapped(
        res,
        this.#opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE,
      );
    } catch (e) {
      if (timeout.aborted) {
        throw new CallingWebhookError(
          hook.name,
          `failed to call webhook: Post ${
            JSON.stringify(url)
          }: context deadline exceeded`,
        );
      }
      if (this.#opts.signal?.aborted) {
        throw new CallingWebhookError(
          hook.name,
          `failed to call webhook: Post ${
            JSON.stringify(url)
          }: context canceled`,
        );
      }
      throw new CallingWebhookError(
        hook.name,
        goLikeReason(e, url, hook.clientConfig),
      );
    }
    if (text === undefined) {
      throw new CallingWebhookError(
        hook.name,
        `failed to call webhook: the response from ${url} is larger than ${
          this.#opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE
        } bytes`,
      );
    }
    if (status < 200 || status > 299) {
      const trimmed = text.trim();
      const reason = trimmed === ""
        ? `the server responded with the status code ${status} but did not return more information`
        : `an error on the server (${
          JSON.stringify(trimmed.slice(0, 1024))
        }) has prevented the request from succeeding`;
      throw new CallingWebhookError(
        hook.name,
        `failed to call webhook: ${reason}`,
      );
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new CallingWebhookError(
        hook.name,
        `failed to call webhook: ${e instanceof Error ? e.message : e}`,
      );
    }
  }

  /** Closes every cached client. */
  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }
}
