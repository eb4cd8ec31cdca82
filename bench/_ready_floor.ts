/**
 * The floors `start_ab.ts` prints beside the server's start (issue 21,
 * target 5): how soon this runtime can answer an HTTPS `/readyz` at all.
 *
 * - `idle`: prints `up` and waits (the runtime's own start).
 * - `serve`: `Deno.serve` over TLS answering `ok`, printing `up` once
 *   listening.
 * - `node-tls`: the same after loading `node:tls`, `node:net` and
 *   `node:sqlite` — runtime modules the server cannot start without (its
 *   TLS front and its default backend).
 *
 * ```sh
 * deno run -A bench/_ready_floor.ts serve <cert.pem> <key.pem> <port>
 * ```
 *
 * @module
 */

const [mode, certFile, keyFile, port] = Deno.args;
const up = () => Deno.stdout.writeSync(new TextEncoder().encode("up\n"));

if (mode === "idle") {
  up();
  setInterval(() => {}, 60_000);
} else {
  if (mode === "node-tls") {
    await import("node:tls");
    await import("node:net");
    await import("node:sqlite");
  }
  Deno.serve({
    hostname: "127.0.0.1",
    port: Number(port),
    cert: Deno.readTextFileSync(certFile),
    key: Deno.readTextFileSync(keyFile),
    onListen: up,
  }, () => new Response("ok"));
}
