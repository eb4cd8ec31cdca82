/**
 * TLS in front of `Deno.serve`: `node:net` accepts the connections (with
 * `TCP_NODELAY`), `node:tls` negotiates `h2`/`http/1.1` by ALPN, and the
 * decrypted bytes are relayed to an inner `Deno.serve` on a Unix socket
 * (plain HTTP/1.1, or HTTP/2 with prior knowledge), which handles the
 * requests.
 *
 * The front sees every connection, so it is where hostile ones are dealt
 * with: a handshake timeout, request-header, body and keep-alive idle
 * timeouts (`_front_connection.ts`), a connection cap derived from the
 * file descriptor limit (`connection_limits.ts`), Go's 400 answer to plain
 * HTTP, and a drain for graceful shutdown that closes each connection once
 * it owes no response. A budget of connections with a request in flight
 * (`_admission.ts`) keeps a flood of busy connections from starving new
 * clients: the others wait, paused, in a fair queue, and HTTP/1.1
 * requests that wait too long are answered 429 with `Retry-After`.
 *
 * With `clientAuth`, every client is asked for a certificate (never
 * required); a connection that presents one is relayed where
 * `clientAuth.route` says (server.ts: an inner listener of its own per
 * certificate, which is how the verdict reaches the requests).
 *
 * Why not `Deno.serve`'s own TLS: it cannot ask for client certificates
 * and gives no hook per connection (the timeouts, cap and drain above).
 * It also leaves Nagle's algorithm on (fixable alone by setting
 * `TCP_NODELAY` on the listener, which accepted sockets inherit; see
 * `bench/serving_alternatives.ts`), and a
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
import {
  type CloseReason,
  type ConnectionTimeouts,
  FrontConnection,
} from "./_front_connection.ts";
import { defaultMaxConnections } from "./connection_limits.ts";
import { listen, type Listener } from "./_listener.ts";
import { Deadlines } from "./_deadlines.ts";
import {
  type AdmissionOptions,
  DEFAULT_ADMISSION,
  FrontAdmission,
} from "./_admission.ts";

/** Where the inner server listens. */
export type InnerAddress =
  | { transport: "unix"; path: string }
  | { transport: "tcp"; hostname: string; port: number };

/** The front's connection timeouts, in milliseconds (`0` turns one off). */
export interface FrontTimeouts extends ConnectionTimeouts {
  /** From accepting a connection until its TLS handshake is complete. */
  handshakeMs: number;
}

/** kube-apiserver's (Go's) figures, rounded. */
export const DEFAULT_FRONT_TIMEOUTS: FrontTimeouts = {
  handshakeMs: 10_000,
  headerMs: 30_000,
  bodyMs: 30_000,
  idleMs: 30_000,
};

/** Go's answer to plain HTTP on a TLS port, which clients show as is. */
const PLAIN_HTTP_ANSWER = "HTTP/1.0 400 Bad Request\r\n\r\n" +
  "Client sent an HTTP request to an HTTPS server.\n";

/** How long a closing connection may take to flush what was relayed. */
const FLUSH_MS = 5_000;
/** How long a closing connection lingers once its reply was handed over. */
const LINGER_MS = 500;

/** A TLS record starts with a content type of 20–23 (22: handshake). */
const TLS_HANDSHAKE = 0x16;

/** A listening TLS front. */
export interface TlsFront {
  hostname: string;
  port: number;
  /** Open connections (any state). */
  readonly connections: number;
  /** The connection cap in force. */
  readonly maxConnections: number;
  /** Connections holding an admission slot, and waiting for one. */
  readonly admission: { inFlight: number; waiting: number };
  /**
   * Stops accepting, closes idle
   * connections and every other one once its last owed response has been
   * relayed. Resolves when no connection is left. Idempotent.
   */
  drain(): Promise<void>;
  /**
   * Something in the process ran out of file descriptors: make sure the
   * listener still accepts (see `_listener.ts`).
   */
  outOfDescriptors(): void;
  /**
   * {@linkcode TlsFront.drain}, then cuts what is still open after
   * `graceMs` (default 2 000).
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
  /** Where to relay; a function is asked for every new connection. */
  inner: InnerAddress | (() => InnerAddress);
  logger: Logger;
  /** Overrides of {@linkcode DEFAULT_FRONT_TIMEOUTS}. */
  timeouts?: Partial<FrontTimeouts>;
  /**
   * Connections beyond this are closed as soon as they are accepted.
   * Default: from the file descriptor limit (`connection_limits.ts`).
   */
  maxConnections?: number;
  /**
   * Overrides of {@linkcode DEFAULT_ADMISSION}: the budget of connections
   * with a request in flight (`budget: 0` turns it off), the longest wait
   * for it, and the longest a connection keeps a slot.
   */
  admission?: Partial<AdmissionOptions>;
  /**
   * Ask every client for a certificate (never required). A connection that
   * presents one is relayed where `route` says, given the presented chain
   * (DER, leaf first); the others go to `inner`.
   */
  clientAuth?: {
    route(chain: Uint8Array[]): Promise<FrontRoute>;
  };
}

/** Where one connection is relayed, and what to call when it ends. */
export interface FrontRoute {
  address: InnerAddress;
  release(): void;
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
  const log = opts.logger;
  const timeouts = { ...DEFAULT_FRONT_TIMEOUTS, ...opts.timeouts };
  const maxConnections = opts.maxConnections ?? defaultMaxConnections();
  const admission = new FrontAdmission({
    ...DEFAULT_ADMISSION,
    ...opts.admission,
  });
  const secureContext = tls.createSecureContext({
    cert: opts.cert,
    key: opts.key,
  });
  const sockets = new Set<net.Socket>(); // every accepted one
  const handshaking = new Set<net.Socket>(); // not relayed yet
  const relays = new Set<FrontConnection>();
  let draining = false;
  let drained: (() => void) | undefined;
  const checkDrained = () => {
    if (draining && sockets.size === 0) drained?.();
  };
  // Refusals and failures are logged once per burst, not once per socket.
  let refused = 0;
  const warnOnce = new Set<string>();
  const onTimeout = (why: CloseReason) =>
    log.debug("closing connection", { reason: why });
  // One interval for the header, body and idle timeouts of every connection.
  const deadlines = new Deadlines(
    Math.min(
      ...[timeouts.headerMs, timeouts.bodyMs, timeouts.idleMs].filter((ms) =>
        ms > 0
      ),
      60_000,
    ),
  );

  const accept = (raw: net.Socket) => {
    raw.on("error", () => raw.destroy());
    if (draining || sockets.size >= maxConnections) {
      raw.destroy();
      if (!draining && refused++ === 0) {
        log.warn("connection limit reached, refusing new connections", {
          maxConnections,
        });
      }
      return;
    }
    if (refused > 0) {
      log.info("accepting connections again", { refused });
      refused = 0;
    }
    sockets.add(raw);
    raw.once("close", () => {
      sockets.delete(raw);
      checkDrained();
    });
    raw.setNoDelay(true);
    handshaking.add(raw);
    const handshake = timeouts.handshakeMs > 0
      ? setTimeout(() => {
        log.debug("closing connection", { reason: "handshake" });
        raw.destroy();
      }, timeouts.handshakeMs)
      : undefined;
    raw.once("close", () => {
      clearTimeout(handshake);
      handshaking.delete(raw);
    });
    raw.once("data", (first: Uint8Array) => {
      if (first[0] !== TLS_HANDSHAKE) {
        clearTimeout(handshake);
        if (looksLikeHttp(first)) raw.end(PLAIN_HTTP_ANSWER);
        else raw.destroy();
        return;
      }
      raw.pause();
      raw.unshift(first);
      const outer = new tls.TLSSocket(raw, {
        isServer: true,
        secureContext,
        ALPNProtocols: ["h2", "http/1.1"],
        // Asked for, verified by `clientAuth.route` (the runtime's own
        // verification is not used: it does not report its verdict).
        requestCert: opts.clientAuth !== undefined,
        rejectUnauthorized: false,
      } as tls.TLSSocketOptions);
      outer.on("error", (err: Error) => {
        log.debug("TLS connection failed", { err: err.message });
        outer.destroy();
        raw.destroy();
      });
      outer.once("close", () => raw.destroy());
      outer.once("secure", () => {
        clearTimeout(handshake);
        handshaking.delete(raw);
        if (raw.destroyed) return;
        if (draining) {
          outer.destroy();
          return;
        }
        const chain = opts.clientAuth ? peerChain(outer) : [];
        if (chain.length === 0) return relay(raw, outer, defaultRoute());
        opts.clientAuth!.route(chain).then((route) => {
          if (raw.destroyed || draining) {
            route.release();
            outer.destroy();
            raw.destroy();
            return;
          }
          relay(raw, outer, route);
        }, (err: Error) => {
          log.warn("cannot route a connection with a client certificate", {
            err: err.message,
          });
          outer.destroy();
          raw.destroy();
        });
      });
    });
  };

  const defaultRoute = (): FrontRoute => ({
    address: typeof opts.inner === "function" ? opts.inner() : opts.inner,
    release: () => {},
  });

  const relay = (raw: net.Socket, outer: tls.TLSSocket, route: FrontRoute) => {
    const to = route.address;
    const inner = to.transport === "unix"
      ? net.connect(to.path)
      : net.connect(to.port, to.hostname);
    inner.setNoDelay?.(true);
    const conn = new FrontConnection(
      outer,
      inner,
      timeouts,
      onTimeout,
      deadlines,
      admission,
    );
    relays.add(conn);
    inner.once("close", route.release);
    const drop = () => {
      conn.dispose();
      relays.delete(conn);
      outer.destroy();
      inner.destroy();
      raw.destroy();
    };
    inner.on("error", (err: Error & { code?: string }) => {
      if (err.code && !warnOnce.has(err.code)) {
        warnOnce.add(err.code);
        log.warn("cannot reach the inner server", { err: err.message });
      }
      if (err.code === "EMFILE" || err.code === "ENFILE") listener.suspect();
      drop();
    });
    // The inner side closing is no reason to discard what is still on its
    // way to the client: end (flush, then close_notify) instead; cut later
    // if the client does not take it.
    inner.once("close", (hadError: boolean) => {
      if (hadError) return drop();
      conn.dispose();
      relays.delete(conn);
      const timers: ReturnType<typeof setTimeout>[] = [];
      outer.once("close", () => timers.forEach(clearTimeout));
      timers.push(setTimeout(drop, FLUSH_MS));
      // Once the last bytes are with the kernel, close after a short
      // linger (Go's rstAvoidanceDelay): closing with unread input sends
      // a reset, which can overtake the reply still on its way.
      const linger = () => timers.push(setTimeout(drop, LINGER_MS));
      if (outer.writableFinished) linger();
      else outer.once("finish", linger);
      outer.end();
    });
    outer.once("close", drop);
  };

  let listener: Listener;
  try {
    listener = await listen({
      bindAddress: opts.bindAddress,
      port: opts.port,
      onConnection: accept,
      logger: log,
    });
  } catch (err) {
    throw denoError(err as Error, opts);
  }
  const addr = listener.address;
  let drainP: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const drain = () => {
    drainP ??= (async () => {
      draining = true;
      admission.open(); // held requests go on (and meet the 503 of drain)
      const stopped = listener.close();
      const done = new Promise<void>((resolve) => (drained = resolve));
      for (const s of handshaking) s.destroy(); // no request in them yet
      for (const c of relays) c.drain();
      checkDrained();
      await done;
      await stopped;
    })();
    return drainP;
  };
  return {
    hostname: addr.address,
    port: addr.port,
    get connections() {
      return sockets.size;
    },
    maxConnections,
    admission,
    outOfDescriptors: () => listener.suspect(),
    drain,
    close(graceMs = 2_000) {
      closed ??= (async () => {
        const all = drain();
        let t: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<"late">((r) => {
          t = setTimeout(() => r("late"), graceMs);
        });
        const outcome = await Promise.race([all, late]);
        clearTimeout(t);
        if (outcome === "late") {
          log.warn("cutting connections after the grace period", {
            connections: sockets.size,
          });
          for (const c of relays) c.dispose();
          for (const s of sockets) s.destroy();
          await all;
        }
      })();
      return closed;
    },
  };
}

/** The certificates the client presented (DER, leaf first), if any. */
function peerChain(outer: tls.TLSSocket): Uint8Array[] {
  const leaf = outer.getPeerCertificate(true) as
    | (tls.DetailedPeerCertificate & { raw?: Uint8Array })
    | undefined;
  if (!leaf?.raw || leaf.raw.length === 0) return [];
  const chain: Uint8Array[] = [leaf.raw];
  // Node links the chain through issuerCertificate (self-referencing at
  // the root); Deno gives the leaf only.
  let at = leaf.issuerCertificate as typeof leaf | undefined;
  while (at?.raw && at !== at.issuerCertificate && chain.length < 8) {
    chain.push(at.raw);
    at = at.issuerCertificate as typeof leaf | undefined;
  }
  return chain;
}

/** An HTTP/1.x request line begins with an upper-case method. */
function looksLikeHttp(first: Uint8Array): boolean {
  return first[0] >= 0x41 && first[0] <= 0x5a;
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
