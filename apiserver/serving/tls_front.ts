/**
 * TLS in front of `Deno.serve`: `node:tls` accepts the connections (with
 * `TCP_NODELAY`), negotiates `h2`/`http/1.1` by ALPN, and pipes the
 * decrypted bytes to an inner `Deno.serve` on a Unix socket (plain HTTP/1.1,
 * or HTTP/2 with prior knowledge), which handles the requests.
 *
 * Why not `Deno.serve`'s own TLS: it leaves Nagle's algorithm on, and a
 * response whose body is over ~300 bytes goes out as two TLS records in two
 * writes, the second held until the client's delayed ACK — about 40 ms on
 * every such request (measured here: a bare `Deno.serve` over TLS answers
 * 8 keep-alive connections 168 times a second with a 400-byte body, 75,000
 * times with a 10-byte one; through this front both run at full speed).
 *
 * @module
 */

import net from "node:net";
import tls from "node:tls";
import type { Logger } from "../../log/mod.ts";
import { keyMatchesCertificate, parseCertificate } from "./_x509_inspect.ts";

/** Where the inner server listens. */
export type InnerAddress =
  | { transport: "unix"; path: string }
  | { transport: "tcp"; hostname: string; port: number };

/** A listening TLS front. */
export interface TlsFront {
  hostname: string;
  port: number;
  /**
   * Stops accepting; open connections end when their inner connection does
   * (what is in flight is delivered), and are cut after `graceMs` (default
   * 2 000).
   */
  close(graceMs?: number): Promise<void>;
}

/** Options of {@linkcode startTlsFront}. */
export interface TlsFrontOptions {
  bindAddress: string;
  /** `0` picks a free port. */
  port: number;
  cert: string;
  key: string;
  inner: InnerAddress;
  logger: Logger;
}

/** Listens on `bindAddress:port` and relays every connection to `inner`. */
export async function startTlsFront(opts: TlsFrontOptions): Promise<TlsFront> {
  // node:tls would only fail at the first handshake; fail the start instead.
  let cert;
  try {
    cert = parseCertificate(opts.cert);
  } catch (err) {
    throw new Error(
      `the serving certificate is not a PEM certificate: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  if (!keyMatchesCertificate(opts.key, cert)) {
    throw new Error(
      "the serving key is not a PEM private key of the serving certificate",
    );
  }
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({
    cert: opts.cert,
    key: opts.key,
    ALPNProtocols: ["h2", "http/1.1"],
  }, (outer) => {
    outer.setNoDelay(true);
    const inner = opts.inner.transport === "unix"
      ? net.connect(opts.inner.path)
      : net.connect(opts.inner.port, opts.inner.hostname);
    inner.setNoDelay?.(true);
    sockets.add(outer);
    sockets.add(inner);
    const drop = () => {
      outer.destroy();
      inner.destroy();
      sockets.delete(outer);
      sockets.delete(inner);
    };
    outer.on("error", drop).on("close", drop);
    inner.on("error", drop).on("close", drop);
    outer.pipe(inner);
    inner.pipe(outer);
  });
  server.on("tlsClientError", (err: Error) => {
    opts.logger.debug("TLS handshake failed", { err: err.message });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(denoError(err, opts)));
    server.listen(opts.port, opts.bindAddress, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    hostname: addr.address,
    port: addr.port,
    close(graceMs = 2_000) {
      closed ??= (async () => {
        const stopped = new Promise<void>((resolve) =>
          server.close(() => resolve())
        );
        const deadline = Date.now() + graceMs;
        while (sockets.size > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 10));
        }
        for (const s of sockets) s.destroy();
        sockets.clear();
        await stopped;
      })();
      return closed;
    },
  };
}

/** A listen error as the `Deno.errors` class `Deno.serve` would throw. */
function denoError(
  err: Error & { code?: string },
  opts: { bindAddress: string; port: number },
): Error {
  const where = `${opts.bindAddress}:${opts.port}`;
  switch (err.code) {
    case "EADDRINUSE":
      return new Deno.errors.AddrInUse(`address already in use: ${where}`);
    case "EADDRNOTAVAIL":
      return new Deno.errors.AddrNotAvailable(
        `address not available: ${where}`,
      );
    case "EACCES":
      return new Deno.errors.PermissionDenied(
        `permission denied to listen on ${where}`,
      );
    default:
      return err;
  }
}
