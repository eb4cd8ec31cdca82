/**
 * The server of `client_cert_load.ts`, in a process of its own so that the
 * load generator does not share its thread: a secure server on 127.0.0.1:0
 * answering `{"user": …}`, with client certificates on or off
 * (`deno run -A bench/_client_cert_server.ts <data-dir> on|off`). Prints
 * its port.
 *
 * @module
 */

import {
  bearerTokenAuthenticator,
  clientCertificateAuthenticator,
  clientCertificateVerifier,
  ensureCertificates,
  ensureClientCa,
  startSecureServer,
} from "../apiserver/serving/mod.ts";

const [dataDir, mode] = Deno.args;
const tls = await ensureCertificates({ dataDir });
const ca = await ensureClientCa({ dataDir });
const server = await startSecureServer({
  bindAddress: "127.0.0.1",
  port: 0,
  tls,
  authenticators: [
    clientCertificateAuthenticator(),
    bearerTokenAuthenticator(
      new Map([["bench-token", { username: "bench", groups: [] }]]),
    ),
  ],
  clientCertificates: mode === "on"
    ? await clientCertificateVerifier(ca.certPem)
    : undefined,
  handler: (_req, ctx) =>
    Promise.resolve(Response.json({ user: ctx.user.username })),
});
console.log(server.port);
