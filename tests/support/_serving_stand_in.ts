/**
 * A stand-in for `main.ts server` used by `server_test.ts` to exercise the
 * test-server helper on its own: it composes `apiserver/serving` the way the
 * real CLI does (certificates, admin token, kubeconfig, secure server,
 * SIGTERM shutdown) and serves `/version` plus a who-am-I echo.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createLogger } from "../../log/mod.ts";
import {
  bearerTokenAuthenticator,
  ensureAdminToken,
  ensureCertificates,
  serverUrl,
  startSecureServer,
  writeAdminKubeconfig,
} from "../../apiserver/serving/mod.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args.slice(1), // the subcommand
    options: {
      "data-dir": { type: "string" },
      "bind-address": { type: "string", default: "0.0.0.0" },
      "secure-port": { type: "string", default: "6443" },
      "write-kubeconfig": { type: "string" },
      "storage-backend": { type: "string" },
    },
  });
  const dataDir = values["data-dir"]!;
  const logger = createLogger({ level: "debug" });
  const tls = await ensureCertificates({ dataDir, logger });
  const admin = await ensureAdminToken({ dataDir });
  const shutdown = new AbortController();
  Deno.addSignalListener("SIGTERM", () => shutdown.abort());
  const server = await startSecureServer({
    bindAddress: values["bind-address"],
    port: Number(values["secure-port"]),
    tls,
    authenticators: [bearerTokenAuthenticator(admin.tokens)],
    handler: (req, ctx) => {
      const path = new URL(req.url).pathname;
      if (path === "/version") {
        return Promise.resolve(
          Response.json({ major: "1", minor: "35", gitVersion: "v1.35.0" }),
        );
      }
      return Promise.resolve(Response.json({ path, user: ctx.user.username }));
    },
    logger,
    signal: shutdown.signal,
  });
  await writeAdminKubeconfig({
    path: values["write-kubeconfig"] ?? `${dataDir}/admin.kubeconfig`,
    server: serverUrl(values["bind-address"]!, server.port),
    caCert: tls.caCert,
    token: admin.token,
  });
  await server.finished;
  Deno.exit(0);
}
