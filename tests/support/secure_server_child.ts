/**
 * A bare secure server in a child process, for tests that must constrain
 * the process itself (e.g. its file descriptor limit with `ulimit -n`):
 * `startSecureServer` on 127.0.0.1:0 with fresh certificates, a handler
 * that answers `hello` to anyone, logs on stderr. It prints one JSON line
 * `{ "port": …, "caCert": … }` on stdout once it listens, and shuts down
 * gracefully on SIGTERM.
 *
 * Usage: `deno run -A secure_server_child.ts [maxConnections]`
 *
 * @module
 */

import { createLogger } from "../../log/mod.ts";
import { ensureCertificates } from "../../apiserver/serving/certificates.ts";
import { startSecureServer } from "../../apiserver/serving/server.ts";

const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-child-" });
const tls = await ensureCertificates({ dataDir });
const shutdown = new AbortController();
Deno.addSignalListener("SIGTERM", () => shutdown.abort());
const max = Deno.args[0] ? Number(Deno.args[0]) : undefined;
const server = await startSecureServer({
  bindAddress: "127.0.0.1",
  port: 0,
  tls,
  authenticators: [{
    authenticate: () => Promise.resolve({ username: "tester", groups: [] }),
  }],
  handler: () => Promise.resolve(new Response("hello")),
  logger: createLogger({ level: "info" }),
  signal: shutdown.signal,
  maxConnections: max,
  shutdownGraceMs: 2_000,
});
console.log(JSON.stringify({ port: server.port, caCert: tls.caCert }));
await server.finished;
await Deno.remove(dataDir, { recursive: true });
Deno.exit(0);
