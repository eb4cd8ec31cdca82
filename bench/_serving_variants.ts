/**
 * The servers compared by `serving_alternatives.ts`, one per process:
 * `deno run -A bench/_serving_variants.ts <variant> <port> <cert> <key>
 * <body bytes>`. Each answers every GET with the same JSON body of the
 * given size and prints `listening` once it accepts connections. They
 * exist to measure what each way of terminating TLS costs on this
 * runtime, next to plain HTTP (the ceiling), with a handler that costs
 * nothing.
 *
 * @module
 */

import https from "node:https";
import http2 from "node:http2";
import { silentLogger } from "../log/mod.ts";
import { startSecureServer } from "../apiserver/serving/mod.ts";

/** The variants, with what each one is. */
export const VARIANTS = {
  "plain": "Deno.serve, plain HTTP/1.1 (the ceiling)",
  "deno-tls": "Deno.serve's own TLS (rustls), as shipped",
  "deno-tls-nodelay":
    "Deno.serve's own TLS, TCP_NODELAY set on its listener (inherited by accepted sockets; via FFI setsockopt)",
  "node-https": "node:https server",
  "node-http2": "node:http2 secure server (allowHTTP1)",
  "listentls-relay":
    "Deno.listenTls + a read/write relay to Deno.serve on a Unix socket (no client certificates possible)",
  "front": "hyperplane's startSecureServer (the TLS front), no authenticator",
} as const;

/** A variant's name. */
export type Variant = keyof typeof VARIANTS;

function jsonResponse(body: string): Response {
  return new Response(body, {
    headers: { "content-type": "application/json" },
  });
}

/**
 * Sets `TCP_NODELAY` on the listening socket bound to `port` (Linux:
 * accepted sockets inherit it). Finds the descriptor through
 * `/proc/self/net/tcp*` and `/proc/self/fd`.
 */
function setListenerNoDelay(port: number): void {
  const inodes = new Set<string>();
  for (const file of ["/proc/self/net/tcp", "/proc/self/net/tcp6"]) {
    for (const line of Deno.readTextFileSync(file).split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A") continue; // 0A: LISTEN
      if (parseInt(cols[1].split(":")[1], 16) === port) inodes.add(cols[9]);
    }
  }
  const libc = Deno.dlopen("libc.so.6", {
    setsockopt: {
      parameters: ["i32", "i32", "i32", "buffer", "u32"],
      result: "i32",
    },
  });
  const IPPROTO_TCP = 6, TCP_NODELAY = 1;
  let done = 0;
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    let link = "";
    try {
      link = Deno.readLinkSync(`/proc/self/fd/${entry.name}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (!inode || !inodes.has(inode)) continue;
    const one = new Uint8Array(new Int32Array([1]).buffer);
    if (
      libc.symbols.setsockopt(
        Number(entry.name),
        IPPROTO_TCP,
        TCP_NODELAY,
        one,
        4,
      ) === 0
    ) done++;
  }
  if (done === 0) throw new Error("no listening socket found to set");
}

/** Relays bytes from `from` to `to` until `from` ends. */
async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) break;
      for (let at = 0; at < n;) at += await to.write(buf.subarray(at, n));
    }
    await to.closeWrite();
  } catch {
    // either side went away
  }
}

/** Starts `variant`; `args` as on the command line after it. */
export async function serveVariant(
  variant: string,
  args: string[],
): Promise<void> {
  const [portArg, certFile, keyFile, size] = args;
  const port = Number(portArg);
  const cert = Deno.readTextFileSync(certFile);
  const key = Deno.readTextFileSync(keyFile);
  const body = JSON.stringify({ data: "x".repeat(Number(size) - 11) });
  const ready = () => console.log("listening");
  const hostname = "127.0.0.1";
  switch (variant as Variant) {
    case "plain":
      Deno.serve({ hostname, port, onListen: ready }, () => jsonResponse(body));
      return;
    case "deno-tls":
    case "deno-tls-nodelay":
      Deno.serve(
        { hostname, port, cert, key, onListen: () => {} },
        () => jsonResponse(body),
      );
      if (variant === "deno-tls-nodelay") setListenerNoDelay(port);
      ready();
      return;
    case "node-https":
    case "node-http2": {
      const handler = (_req: unknown, res: {
        writeHead(s: number, h: Record<string, string | number>): void;
        end(b: string): void;
      }) => {
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": body.length,
        });
        res.end(body);
      };
      const options = {
        cert,
        key,
        requestCert: true,
        rejectUnauthorized: false,
      };
      const server = variant === "node-https"
        ? https.createServer(options, handler)
        : http2.createSecureServer({ ...options, allowHTTP1: true }, handler);
      server.listen(port, hostname, ready);
      return;
    }
    case "listentls-relay": {
      const dir = Deno.makeTempDirSync();
      const path = `${dir}/inner.sock`;
      Deno.serve({ path, onListen: () => {} }, () => jsonResponse(body));
      const listener = Deno.listenTls({
        hostname,
        port,
        cert,
        key,
        alpnProtocols: ["http/1.1"],
      });
      ready();
      for await (const conn of listener) {
        (async () => {
          try {
            await conn.handshake();
            const inner = await Deno.connect({ transport: "unix", path });
            await Promise.all([pump(conn, inner), pump(inner, conn)]);
            inner.close();
          } catch {
            // the client went away
          }
          try {
            conn.close();
          } catch {
            // closed already
          }
        })();
      }
      return;
    }
    case "front":
      await startSecureServer({
        bindAddress: hostname,
        port,
        tls: { cert, key },
        authenticators: [],
        // /version is served to anonymous callers.
        handler: () => Promise.resolve(jsonResponse(body)),
        logger: silentLogger,
      });
      ready();
      return;
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

if (import.meta.main) {
  // A clean exit on SIGINT, so that `--cpu-prof` writes its profile.
  Deno.addSignalListener("SIGINT", () => Deno.exit(0));
  await serveVariant(Deno.args[0], Deno.args.slice(1));
}
