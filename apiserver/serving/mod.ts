/**
 * The serving layer: TLS certificates (generated CA and serving pair, or
 * user-supplied), the admin kubeconfig and token, authentication, health
 * endpoints, and the secure server that hands API requests to an
 * {@linkcode ApiHandler}. See README.md.
 *
 * @example
 * ```ts
 * const tls = await ensureCertificates({ dataDir, sans: ["api.example.com"] });
 * const admin = await ensureAdminToken({ dataDir });
 * const server = await startSecureServer({
 *   bindAddress: "0.0.0.0",
 *   port: 6443,
 *   tls,
 *   authenticators: [bearerTokenAuthenticator(admin.tokens)],
 *   handler,
 *   healthChecks: { readiness: [{ name: "etcd", check: () => store.ready() }] },
 *   logger,
 * });
 * await writeAdminKubeconfig({
 *   path: `${dataDir}/admin.kubeconfig`,
 *   server: serverUrl("0.0.0.0", server.port),
 *   caCert: tls.caCert,
 *   token: admin.token,
 * });
 * ```
 *
 * @module
 */

export type { ApiHandler } from "../request_context.ts";
export {
  CA_VALIDITY_DAYS,
  type CertificateAction,
  type CertificateOptions,
  type ClientCa,
  type ClientCertificateRequest,
  ensureCertificates,
  ensureClientCa,
  issueClientCertificate,
  RENEW_BEFORE_DAYS,
  SERVING_VALIDITY_DAYS,
  type ServingCertificates,
  servingSans,
  TLS_FILES,
} from "./certificates.ts";
export {
  AuthenticationError,
  CertificateError,
  ServingConfigError,
  TokenFileError,
} from "./errors.ts";
export {
  ADMIN_GROUPS,
  ADMIN_USER,
  type AdminToken,
  ensureAdminToken,
  formatTokenRecord,
  loadTokenFile,
  parseTokenFile,
  TOKEN_FILE,
} from "./tokens.ts";
export {
  ANONYMOUS_USER,
  AUTHENTICATED_GROUP,
  type AuthenticationResult,
  type Authenticator,
  bearerToken,
  bearerTokenAuthenticator,
  type ConnectionInfo,
  type TokenAuthenticator,
  type TokenContext,
  type TokenResult,
  unionAuthenticator,
  unionTokenAuthenticator,
} from "./authentication.ts";
export {
  clientCertificateAuthenticator,
  type ClientCertificateVerdict,
  type ClientCertificateVerifier,
  clientCertificateVerifier,
} from "./client_certificates.ts";
export {
  CREDENTIAL_ID_EXTRA,
  type LookedUpObject,
  type ObjectLookup,
  type ObjectRef,
  serviceAccountAuthenticator,
} from "./service_account_authenticator.ts";
export {
  ensureFrontProxyCertificates,
  FRONT_PROXY_CLIENT_CN,
  type FrontProxyCertificates,
} from "./front_proxy.ts";
export { SERVICE_ACCOUNTS_GROUP } from "../serviceaccount/mod.ts";
export { storedObjectLookup } from "./stored_lookup.ts";
export {
  adminKubeconfig,
  type AdminKubeconfigOptions,
  serverUrl,
  userKubeconfig,
  type UserKubeconfigOptions,
  writeAdminKubeconfig,
} from "./kubeconfig.ts";
export {
  createHealthHandler,
  type HealthCheck,
  type HealthChecks,
  type HealthEndpoint,
  type HealthHandler,
  type HealthHandlerOptions,
} from "./health.ts";
export {
  type SecureServer,
  type SecureServerOptions,
  startSecureServer,
} from "./server.ts";
