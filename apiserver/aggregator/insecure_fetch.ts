/**
 * `fetch` for APIServices with `insecureSkipTLSVerify: true` (and no
 * `caBundle`): Deno's HTTP client always verifies the server, so these go
 * through `node:https` with `rejectUnauthorized: false`, still presenting
 * the front-proxy client certificate. Bodies stream both ways, repeated
 * header names stay separate lines, and the signal aborts the request.
 * Upstream discourages the setting, but common extension manifests use it.
 * `node:https` is imported on the first such request, not with the server
 * (it loads `node:http` and its machinery: ~10–30 ms of every start).
 *
 * @module
 */

import type { IncomingMessage } from "node:http";

/** What {@linkcode insecureFetch} sends. */
export interface InsecureRequest {
  method?: string;
  headers: [string, string][];
  body?: ReadableStream<Uint8Array> | null;
  signal?: AbortSignal;
  /** The front proxy's client certificate and key (PEM). */
  cert: string;
  key: string;
}

/** A request to `url` without verifying the server's certificate. */
export async function insecureFetch(
  url: string,
  init: InsecureRequest,
): Promise<Response> {
  const [{ default: https }, { Readable }] = await Promise.all([
    import("node:https"),
    import("node:stream"),
  ]);
  const u = new URL(url);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of init.headers) {
    const k = name.toLowerCase();
    const had = headers[k];
    headers[k] = had === undefined
      ? value
      : Array.isArray(had)
      ? [...had, value]
      : [had, value];
  }
  return new Promise<Response>((resolve, reject) => {
    if (init.signal?.aborted) {
      return reject(init.signal.reason ?? new Error("aborted"));
    }
    const req = https.request({
      hostname: u.hostname.replace(/^\[|\]$/g, ""),
      port: u.port || 443,
      path: u.pathname + u.search,
      method: init.method ?? "GET",
      headers,
      cert: init.cert,
      key: init.key,
      rejectUnauthorized: false,
    }, (res: IncomingMessage) => {
      const out = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        out.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
      }
      const status = res.statusCode ?? 502;
      const body = status === 204 || status === 304 || init.method === "HEAD"
        ? null
        : Readable.toWeb(res) as ReadableStream<Uint8Array>;
      if (!body) res.resume();
      resolve(
        new Response(body, {
          status,
          statusText: res.statusMessage,
          headers: out,
        }),
      );
    });
    const abort = () => req.destroy(new Error("aborted"));
    init.signal?.addEventListener("abort", abort, { once: true });
    req.on("close", () => init.signal?.removeEventListener("abort", abort));
    req.on("error", reject);
    if (!init.body) {
      req.end();
      return;
    }
    (async () => {
      for await (const chunk of init.body!) {
        if (!req.write(chunk)) {
          await new Promise((r) => req.once("drain", r));
        }
      }
      req.end();
    })().catch((err) => req.destroy(err));
  });
}
