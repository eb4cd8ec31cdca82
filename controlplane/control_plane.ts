/**
 * `createControlPlane`: the one place where a control plane is assembled —
 * storage, authentication, the API server, the in-process controllers and
 * (on `serve()`) the secure server — for `hyperplane server` and for any
 * program that embeds hyperplane. Everything it starts is closed by
 * `close()` in reverse order (`AsyncDisposableStack`).
 *
 * @module
 */

import { loadYaml, preloadLazyPackages } from "../internal/lazy_npm.ts";
import { silentLogger } from "../log/mod.ts";
import { securePrivateDir } from "../storage/files.ts";
import {
  type ApiHandler,
  createApiServer,
  loadOrCreateSigningKey,
  rememberSigningKey,
  ServiceAccountTokenIssuer,
} from "../apiserver/mod.ts";
import {
  adminKubeconfig,
  bearerTokenAuthenticator,
  type ClientCa,
  clientCertificateAuthenticator,
  clientCertificateVerifier,
  createHealthHandler,
  ensureAdminToken,
  ensureCertificates,
  ensureClientCa,
  type HealthChecks,
  issueClientCertificate,
  serverUrl,
  serviceAccountAuthenticator,
  type ServingCertificates,
  startSecureServer,
  storedObjectLookup,
  unionTokenAuthenticator,
  userKubeconfig,
  writeAdminKubeconfig,
} from "../apiserver/serving/mod.ts";
import {
  CONTROLLER_NAMES,
  namespaceSeeds,
  type RunningControllers,
  selectControllers,
  startControllers,
} from "../controllers/mod.ts";
import { openControlPlaneStorage } from "./storage.ts";
import { aggregationOptions } from "./aggregation.ts";
import { resolveResources } from "./resources.ts";
import { type FetchHandler, fetchHandler } from "./fetch_handler.ts";
import { controllerPlan } from "./controllers.ts";
import type { ControlPlaneOptions, ServingOptions } from "./options.ts";

/** A control plane listening on HTTPS (see {@linkcode ControlPlane.serve}). */
export interface ServedControlPlane {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** The bound port. */
  port: number;
  /** The CA (PEM) clients trust; undefined for a certificate of your own. */
  caCert?: string;
  /** Settles when the server has stopped. */
  finished: Promise<void>;
  /** Graceful shutdown (see `startSecureServer`). */
  close(): Promise<void>;
}

/** Who a kubeconfig of {@linkcode ControlPlane.kubeconfig} logs in as. */
export interface ControlPlaneKubeconfigUser {
  /** User name (the client certificate's CN). */
  name: string;
  /** Groups (the certificate's O). */
  groups?: string[];
  /** Virtual cluster the kubeconfig points at; default `root`. */
  cluster?: string;
  /** How long the certificate is valid; default one day. */
  validForMs?: number;
}

/** A running control plane. `await using` closes it. */
export interface ControlPlane extends AsyncDisposable {
  /** The data directory (certificates, tokens, backend files). */
  readonly dataDir: string;
  /** The admin's bearer token (group `system:masters`). */
  readonly adminToken: string;
  /**
   * The API as a fetch-style handler (health endpoints, bearer tokens,
   * anonymous otherwise): hand it to `Deno.serve` or call it in-process.
   */
  readonly handler: FetchHandler;
  /** The API with the caller already authenticated (`{ user }`). */
  readonly api: ApiHandler;
  /** The names of the controllers running in-process. */
  readonly controllers: readonly string[];
  /** Resolves when storage and the API can serve; rejects otherwise. */
  readiness(): Promise<void>;
  /**
   * Resolves once the in-process controllers' informers have all synced for
   * the first time (at once without controllers; a served control plane
   * starts them when it serves), or once the control plane closed.
   */
  controllersSynced(): Promise<void>;
  /**
   * Starts serving HTTPS (TLS, client certificates, health endpoints,
   * graceful shutdown); `opts` override `ControlPlaneOptions.serving`.
   * One server at a time.
   */
  serve(opts?: ServingOptions): Promise<ServedControlPlane>;
  /**
   * A kubeconfig (YAML) for the running server: the admin's token, or a
   * client certificate for `user` signed by the client CA.
   */
  kubeconfig(user?: ControlPlaneKubeconfigUser): Promise<string>;
  /** Stops everything it started, in reverse order. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds and starts a control plane. Every option has a default: the
 * smallest control plane serves every built-in kind from memory.
 *
 * @example
 * ```ts
 * import { createControlPlane } from "./control_plane.ts";
 *
 * await using cp = await createControlPlane({
 *   resources: ["namespaces", "configmaps"],
 * });
 * const res = await cp.handler(
 *   new Request("http://cp/api/v1/namespaces", {
 *     headers: { authorization: `Bearer ${cp.adminToken}` },
 *   }),
 * );
 * console.log(res.status); // 200
 * ```
 */
export async function createControlPlane(
  opts: ControlPlaneOptions = {},
): Promise<ControlPlane> {
  const logger = opts.logger ?? silentLogger;
  const stack = new AsyncDisposableStack();
  try {
    let dataDir = opts.dataDir;
    if (dataDir === undefined) {
      const temporary = await Deno.makeTempDir({ prefix: "hyperplane-" });
      stack.defer(() => Deno.remove(temporary, { recursive: true }));
      dataDir = temporary;
    }
    // The data dir holds every Secret and key: 0700, its files 0600.
    await securePrivateDir(dataDir, { logger });
    const resources = resolveResources(opts.resources);
    const plan = controllerPlan(opts.controllers, resources);
    const ctx = { dataDir, logger };
    const { storage, encryption, backendName } = await openControlPlaneStorage(
      opts,
      ctx,
      stack,
    );
    logger.info("storage ready", {
      backend: backendName,
      revision: await storage.currentRevision(),
    });
    const authn = opts.authentication ?? {};
    const keyFile = authn.serviceAccountKeyFile ??
      `${dataDir}/pki/service-account.key`;
    const tokenIssuer = new ServiceAccountTokenIssuer({
      issuer: authn.serviceAccountIssuer,
      // Every signing key used is remembered (public half), so tokens of a
      // replaced key still verify until they expire (rotation).
      key: async () =>
        rememberSigningKey(
          `${dataDir}/pki/service-account.pub`,
          await loadOrCreateSigningKey(keyFile),
        ),
    });
    // A key file given on purpose is checked now; the default one is
    // created (or read) with the first token.
    if (authn.serviceAccountKeyFile !== undefined) await tokenIssuer.load();
    const admin = await ensureAdminToken({ dataDir });
    const tokens = new Map(admin.tokens);
    for (const [token, user] of authn.tokens ?? []) {
      tokens.set(token, { username: user.username, groups: [...user.groups] });
    }
    const tokenAuthenticators = [
      bearerTokenAuthenticator(tokens, tokenIssuer.apiAudiences),
      serviceAccountAuthenticator({
        issuer: tokenIssuer,
        lookup: storedObjectLookup(storage),
      }),
    ];
    const aggregation = opts.aggregation &&
      await aggregationOptions(opts.aggregation, {
        dataDir,
        clientCaFile: authn.clientCaFile,
        logger,
      });
    const api = await createApiServer({
      aggregation,
      storage,
      logger,
      tokenIssuer,
      resources,
      version: opts.version,
      virtualClusters: opts.virtualClusters,
      extraMetrics: encryption?.metricFamilies,
      tokenReviewer: unionTokenAuthenticator(tokenAuthenticators),
      authorizationMode: opts.authorization?.mode,
      authorizer: opts.authorization?.authorizer,
      admission: opts.admission?.validating,
      mutatingAdmission: opts.admission?.mutating,
      flowControl: opts.flowControl,
      ...opts.apiServer,
    });
    stack.defer(() => api.close());
    const healthChecks: HealthChecks = {
      readiness: [
        { name: "storage", check: () => storage.readiness() },
        { name: "api", check: () => api.readiness() },
      ],
    };

    // Certificates take a while to generate the first time: made now only
    // when serving is configured (controllers then publish the CA and
    // sign CSRs), otherwise by the first serve().
    let tls: ServingCertificates | undefined;
    let clientCa: ClientCa | undefined;
    const prepareCertificates = async (serving: ServingOptions) => {
      tls ??= await ensureCertificates({
        dataDir: dataDir!,
        sans: [...(serving.sans ?? [])],
        certFile: serving.tls?.certFile,
        keyFile: serving.tls?.keyFile,
        logger,
      });
      clientCa ??= await ensureClientCa({ dataDir: dataDir!, logger });
      return { tls, clientCa };
    };
    if (opts.serving) await prepareCertificates(opts.serving);

    // The controllers' informers start by listing everything through the
    // handler. A control plane to be served starts them once `serve()`
    // listens, so `/readyz` (storage ready, bootstrap done) is not queued
    // behind their lists — as kube-apiserver runs its controllers from
    // post-start hooks; one that is not served starts them now.
    let controllers: RunningControllers | undefined;
    // Settles with the controllers' `synced` once they start (or at close).
    let controllersStarted!: (synced: Promise<void>) => void;
    const controllersSynced = new Promise<void>((resolve) =>
      controllersStarted = resolve
    );
    stack.defer(() => controllersStarted(Promise.resolve()));
    const startOwnControllers = () => {
      if (controllers !== undefined || stack.disposed) return;
      const running = startControllers({
        handler: api.handler,
        controllers: plan.builtin,
        custom: plan.custom,
        rootCA: tls?.caCert,
        clientCA: clientCa,
        logger: logger.with({ component: "controllers" }),
      });
      controllers = running;
      controllersStarted(running.synced);
      stack.defer(() => running.stop());
      // The namespaces a new cluster's bootstrap creates start with what
      // these controllers would create in them (no create request each).
      api.seedNamespaces(namespaceSeeds({
        controllers: plan.builtin,
        custom: plan.custom,
        rootCA: tls?.caCert,
      }));
    };
    const controllerNames = [
      ...selectControllers(plan.builtin, CONTROLLER_NAMES),
      ...plan.custom.map((c) => c.name),
    ];
    if (!opts.serving) startOwnControllers();

    let served: ServedControlPlane | undefined;
    const serve = async (
      overrides: ServingOptions = {},
    ): Promise<ServedControlPlane> => {
      if (served) throw new Error("the control plane is already served");
      const o: ServingOptions = { ...opts.serving, ...overrides };
      const certs = await prepareCertificates(o);
      const clientCertificates = await clientCertificatesFrom(
        authn.clientCaFile,
        certs.clientCa.certPem,
      );
      const address = o.address ?? "127.0.0.1";
      const server = await startSecureServer({
        bindAddress: address,
        port: o.port ?? 0,
        tls: certs.tls,
        // Upstream's order: client certificates, then bearer tokens.
        authenticators: [
          clientCertificateAuthenticator(),
          ...tokenAuthenticators,
        ],
        clientCertificates,
        handler: api.handler,
        healthChecks,
        logger,
        maxConnections: o.maxConnections,
        shutdownDelayMs: o.shutdownDelayMs,
        shutdownGraceMs: o.shutdownGraceMs,
        healthCheckTimeoutMs: o.readycheckTimeoutMs,
      });
      // Before the server's own close is deferred: stopped after it.
      startOwnControllers();
      // The packages left out of the start load a moment after it.
      const preload = setTimeout(() => {
        preloadLazyPackages().catch((error) =>
          logger.warn("loading packages after the start failed", { error })
        );
      }, 2_000);
      stack.defer(() => clearTimeout(preload));
      const url = serverUrl(address, server.port);
      const endpoint: ServedControlPlane = {
        url,
        port: server.port,
        caCert: certs.tls.caCert,
        finished: server.finished,
        close: async () => {
          await server.close();
          if (served === endpoint) served = undefined;
        },
      };
      served = endpoint;
      stack.defer(() => endpoint.close());
      if (o.kubeconfigPath !== undefined) {
        await writeAdminKubeconfig({
          path: o.kubeconfigPath,
          server: url,
          caCert: certs.tls.caCert,
          token: admin.token,
        });
      }
      return endpoint;
    };

    const handler = fetchHandler({
      api: api.handler,
      tokens: tokenAuthenticators,
      health: createHealthHandler({
        checks: healthChecks,
        shuttingDown: () => stack.disposed,
        logger,
      }),
    });
    const close = () => stack.disposeAsync();
    return {
      dataDir,
      adminToken: admin.token,
      handler,
      api: api.handler,
      controllers: controllerNames,
      readiness: async () => {
        await storage.readiness();
        await api.readiness();
      },
      controllersSynced: () => controllersSynced,
      serve,
      async kubeconfig(user) {
        if (!served || !tls || !clientCa) {
          throw new Error("kubeconfig: serve() the control plane first");
        }
        if (user === undefined) {
          return (await loadYaml()).stringify(adminKubeconfig({
            server: served.url,
            caCert: tls.caCert,
            token: admin.token,
          }));
        }
        const cert = await issueClientCertificate(clientCa, {
          user: user.name,
          groups: user.groups,
          validForMs: user.validForMs ?? 24 * 3600 * 1000,
        });
        const cluster = user.cluster ?? "root";
        return (await loadYaml()).stringify(userKubeconfig({
          server: cluster === "root"
            ? served.url
            : `${served.url}/clusters/${encodeURIComponent(cluster)}`,
          caCert: tls.caCert,
          clientCert: cert.certPem,
          clientKey: cert.keyPem,
          clusterName: cluster,
          userName: user.name,
        }));
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await stack.disposeAsync();
    throw err;
  }
}

/** The verifier of a client CA file, or of the generated client CA. */
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
      `client CA file ${file}: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
}
