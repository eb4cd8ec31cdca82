/**
 * Test fixture for `apiserver/serving`'s tests: a secure server on
 * 127.0.0.1:0 with freshly generated certificates and admin token, and an
 * HTTP client trusting the generated CA.
 *
 * @module
 */

import {
  type ApiHandler,
  bearerTokenAuthenticator,
  ensureAdminToken,
  ensureCertificates,
  type HealthChecks,
  type SecureServer,
  type SecureServerOptions,
  serverUrl,
  startSecureServer,
  writeAdminKubeconfig,
} from "../../apiserver/serving/mod.ts";

/** A running fixture; `dispose()` stops everything and removes the dir. */
export interface Fixture {
  server: SecureServer;
  url: string;
  dataDir: string;
  caCert: string;
  token: string;
  kubeconfigPath: string;
  client: Deno.HttpClient;
  /** `fetch` against the server through the trusting client. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

/** Starts the fixture. */
export async function startFixture(
  handler: ApiHandler,
  opts: { healthChecks?: HealthChecks; shutdownGraceMs?: number } = {},
): Promise<Fixture> {
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-serving-" });
  const tls = await ensureCertificates({ dataDir });
  const admin = await ensureAdminToken({ dataDir });
  const server = await startSecureServer({
    bindAddress: "127.0.0.1",
    port: 0,
    tls,
    authenticators: [bearerTokenAuthenticator(admin.tokens)],
    handler,
    ...opts,
  });
  const url = serverUrl("127.0.0.1", server.port);
  const kubeconfigPath = `${dataDir}/admin.kubeconfig`;
  await writeAdminKubeconfig({
    path: kubeconfigPath,
    server: url,
    caCert: tls.caCert,
    token: admin.token,
  });
  const client = Deno.createHttpClient({ caCerts: [tls.caCert!] });
  return {
    server,
    url,
    dataDir,
    caCert: tls.caCert!,
    token: admin.token,
    kubeconfigPath,
    client,
    fetch: (path, init) => fetch(`${url}${path}`, { ...init, client }),
    async dispose() {
      client.close();
      await server.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** A secure server whose every client is the user `tester` (no groups). */
export interface TesterServer {
  server: SecureServer;
  /** The generated CA, to trust in raw TLS connections. */
  caCert: string;
  /** Stops the server and removes its data dir. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts `handler` behind a secure server on 127.0.0.1:0 with freshly
 * generated certificates, authenticating every client as `tester`, for the
 * serving layer's tests that drive raw connections; `options` are passed on
 * (front timeouts, admission, connection cap, shutdown timings).
 */
export async function startTesterServer(
  handler: ApiHandler,
  options: Partial<
    Omit<SecureServerOptions, "tls" | "authenticators" | "handler">
  > = {},
): Promise<TesterServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-serving-" });
  const tls = await ensureCertificates({ dataDir });
  const server = await startSecureServer({
    bindAddress: "127.0.0.1",
    port: 0,
    tls,
    authenticators: [{
      authenticate: () => Promise.resolve({ username: "tester", groups: [] }),
    }],
    handler,
    ...options,
  });
  const dispose = async () => {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  };
  return {
    server,
    caCert: tls.caCert!,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
