/**
 * `hyperplane server`: the all-in-one control plane (API server and, once
 * they land, the generic controllers) on one storage backend.
 *
 * @module
 */

import type { Backends } from "../registry/mod.ts";
import { join } from "node:path";
import { createLogger, type Logger } from "../log/mod.ts";
import { backendCliFlags, parseFlags } from "./flags.ts";
import {
  SERVING_FLAGS,
  type ServingConfig,
  servingConfig,
  STORAGE_FLAGS,
} from "./common_flags.ts";
import { renderHelp } from "./help.ts";
import { openStorage, selectStorage } from "./open_storage.ts";
import { shutdownSignal } from "./signals.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import { openEncryption } from "../storage/encryption/mod.ts";
import {
  controlSocketPath,
  serveControlSocket,
  type SnapshotHeader,
  startSnapshotSchedule,
} from "../backends/sqlite/mod.ts";
import { securePrivateDir } from "../storage/files.ts";
import {
  createApiServer,
  loadOrCreateSigningKey,
  rememberSigningKey,
  ServiceAccountTokenIssuer,
} from "../apiserver/mod.ts";
import {
  bearerTokenAuthenticator,
  clientCertificateAuthenticator,
  clientCertificateVerifier,
  ensureAdminToken,
  ensureCertificates,
  ensureClientCa,
  serverUrl,
  serviceAccountAuthenticator,
  startSecureServer,
  storedObjectLookup,
  unionTokenAuthenticator,
  writeAdminKubeconfig,
} from "../apiserver/serving/mod.ts";
import { UsageError } from "./usage_error.ts";
import {
  CONTROLLER_NAMES,
  ControllerSelectionError,
  selectControllers,
  startControllers,
} from "../controllers/mod.ts";

/** What `server` and `apiserver` share; `apiserver` runs without controllers. */
export interface ServeCommand {
  name: "server" | "apiserver";
  description: string;
}

/** `server`'s description. */
export const SERVER_COMMAND: ServeCommand = {
  name: "server",
  description:
    "Run the all-in-one control plane: the Kubernetes API for the generic resources on one storage backend.",
};

/** `--controllers`, only for `server` (the all-in-one runs them in-process). */
const CONTROLLER_FLAGS = [{
  name: "controllers",
  description:
    `controllers to run in-process: '*' for all, 'name' to add, '-name' to remove, '-*' for none (${
      CONTROLLER_NAMES.join(", ")
    })`,
  default: "*",
  placeholder: "LIST",
}];

function commandFlags(cmd: ServeCommand) {
  return cmd.name === "server"
    ? [...SERVING_FLAGS, ...CONTROLLER_FLAGS]
    : SERVING_FLAGS;
}

function checkControllers(spec: string): string {
  try {
    selectControllers(spec, CONTROLLER_NAMES);
  } catch (err) {
    if (err instanceof ControllerSelectionError) {
      throw new UsageError(err.message);
    }
    throw err;
  }
  return spec;
}

/** Help text for a serving command. */
export function serveHelp(cmd: ServeCommand, backends: Backends): string {
  const sections = [
    { title: "Serving flags", flags: commandFlags(cmd) },
    { title: "Storage flags", flags: STORAGE_FLAGS },
    ...backends.names().map((name) => ({
      title: `Storage backend "${name}" (${backends.get(name).description})`,
      flags: backendCliFlags(backends).filter((f) =>
        f.name.startsWith(`${name}-`)
      ),
    })),
  ];
  return renderHelp(
    `hyperplane ${cmd.name} [flags]`,
    cmd.description,
    sections,
  );
}

/**
 * A backend that can snapshot itself online (sqlite) gets the control
 * socket `hyperplane snapshot save` talks to, and the scheduled snapshots
 * of `--snapshot-interval`.
 */
async function startSnapshots(
  backend: object,
  config: ServingConfig,
  logger: Logger,
  resources: AsyncDisposableStack,
): Promise<void> {
  const snapshot = (backend as {
    snapshot?: (file: string) => Promise<SnapshotHeader>;
  }).snapshot?.bind(backend);
  if (!snapshot) {
    if (config.snapshotIntervalMs > 0) {
      logger.warn(
        "--snapshot-interval applies to the sqlite backend only (etcd: etcdctl snapshot save)",
      );
    }
    return;
  }
  const socket = await serveControlSocket({
    path: controlSocketPath(config.dataDir),
    snapshot,
    logger: logger.with({ component: "snapshots" }),
  });
  if (socket) resources.defer(() => socket.close());
  if (config.snapshotIntervalMs > 0) {
    const schedule = startSnapshotSchedule({
      dir: join(config.dataDir, "snapshots"),
      intervalMs: config.snapshotIntervalMs,
      retention: config.snapshotRetention,
      snapshot,
      logger: logger.with({ component: "snapshots" }),
    });
    resources.defer(() => schedule.stop());
  }
}

/** Runs a serving command until SIGINT/SIGTERM. Returns the exit status. */
export async function runServe(
  cmd: ServeCommand,
  args: string[],
  backends: Backends,
): Promise<number> {
  const parsed = parseFlags(args, [
    ...commandFlags(cmd),
    ...STORAGE_FLAGS,
    ...backendCliFlags(backends),
  ]);
  if (parsed.values.help) {
    console.log(serveHelp(cmd, backends));
    return 0;
  }
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`);
  }
  const config = servingConfig(parsed);
  const controllerSpec = cmd.name === "server"
    ? checkControllers(String(parsed.values.controllers ?? "*"))
    : undefined;
  const logger = createLogger({ level: config.logLevel }).with({
    component: cmd.name,
  });
  const ctx = { dataDir: config.dataDir, logger };
  const selection = selectStorage(backends, parsed, ctx, args);
  // The data dir holds every Secret and key: 0700, its files 0600.
  await securePrivateDir(config.dataDir, { logger });
  const shutdown = shutdownSignal();
  const started = performance.now();
  const resources = new AsyncDisposableStack();
  try {
    // Read first: a bad file stops the start before storage opens.
    const encryption = config.encryptionProviderConfig === undefined
      ? undefined
      : await openEncryption({
        configFile: config.encryptionProviderConfig,
        automaticReload: config.encryptionProviderConfigAutomaticReload,
        logger,
      });
    if (encryption) resources.defer(() => encryption.close());
    const backend = await openStorage(selection, ctx);
    // Encryption sits below the watch cache: the cache holds plaintext, the
    // backend ciphertext; the guard above makes undecryptable objects 500s.
    const cached = cachedStoreFactory(encryption?.wrap(backend) ?? backend, {
      logger: logger.with({ component: "cacher" }),
    });
    const storage = encryption?.guard(cached) ?? cached;
    resources.defer(() => storage.close());
    await startSnapshots(backend, config, logger, resources);
    logger.info("storage ready", {
      backend: selection.backend.name,
      revision: await storage.currentRevision(),
    });
    const tokenIssuer = new ServiceAccountTokenIssuer({
      issuer: config.serviceAccountIssuer,
      // Every signing key used is remembered (public half), so tokens of a
      // replaced key still verify until they expire (rotation).
      key: async () =>
        rememberSigningKey(
          `${config.dataDir}/pki/service-account.pub`,
          await loadOrCreateSigningKey(config.serviceAccountKeyFile),
        ),
    });
    // A key file given on purpose is checked now; the default one is
    // created (or read) with the first token.
    if (config.serviceAccountKeyFileGiven) await tokenIssuer.load();
    const admin = await ensureAdminToken({ dataDir: config.dataDir });
    const tokenAuthenticators = [
      bearerTokenAuthenticator(admin.tokens, tokenIssuer.apiAudiences),
      serviceAccountAuthenticator({
        issuer: tokenIssuer,
        lookup: storedObjectLookup(storage),
      }),
    ];
    const clientCa = await ensureClientCa({ dataDir: config.dataDir, logger });
    const clientCertificates = await clientCertificatesFrom(
      config.clientCaFile,
      clientCa.certPem,
    );
    const api = await createApiServer({
      storage,
      logger,
      tokenIssuer,
      extraMetrics: encryption?.metricFamilies,
      tokenReviewer: unionTokenAuthenticator(tokenAuthenticators),
      authorizationMode: config.authorizationMode,
      flowControl: {
        maxRequestsInflight: config.maxRequestsInflight,
        maxMutatingRequestsInflight: config.maxMutatingRequestsInflight,
      },
    });
    resources.defer(() => api.close());
    const tls = await ensureCertificates({
      dataDir: config.dataDir,
      sans: config.tlsSans,
      certFile: config.tlsCertFile,
      keyFile: config.tlsPrivateKeyFile,
      logger,
    });
    const server = await startSecureServer({
      bindAddress: config.bindAddress,
      port: config.securePort,
      tls,
      // Upstream's order: client certificates, then bearer tokens.
      authenticators: [
        clientCertificateAuthenticator(),
        ...tokenAuthenticators,
      ],
      clientCertificates,
      handler: api.handler,
      healthChecks: {
        readiness: [
          { name: "storage", check: () => storage.readiness() },
          { name: "api", check: () => api.readiness() },
        ],
      },
      logger,
      signal: shutdown.signal,
      maxConnections: config.maxConnections,
      shutdownDelayMs: config.shutdownDelayMs,
      shutdownGraceMs: config.shutdownGraceMs,
      healthCheckTimeoutMs: config.readycheckTimeoutMs,
    });
    // Closed here too if anything below fails before the server finishes.
    resources.defer(() => server.close());
    await writeAdminKubeconfig({
      path: config.writeKubeconfig,
      server: serverUrl(config.bindAddress, server.port),
      caCert: tls.caCert,
      token: admin.token,
    });
    if (controllerSpec !== undefined) {
      const controllers = startControllers({
        handler: api.handler,
        controllers: controllerSpec,
        rootCA: tls.caCert,
        clientCA: clientCa,
        logger: logger.with({ component: "controllers" }),
        signal: shutdown.signal,
      });
      resources.defer(() => controllers.stop());
    }
    logger.info("ready", {
      kubeconfig: config.writeKubeconfig,
      ms: Math.round(performance.now() - started),
    });
    await server.finished;
  } finally {
    shutdown.dispose();
    await resources.disposeAsync();
  }
  return 0;
}

/** The verifier of `--client-ca-file`, or of the generated client CA. */
async function clientCertificatesFrom(
  file: string | undefined,
  generated: string,
) {
  try {
    return await clientCertificateVerifier(
      file === undefined ? generated : await Deno.readTextFile(file),
    );
  } catch (err) {
    throw new Error(
      `--client-ca-file ${file}: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
}
