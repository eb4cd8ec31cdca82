/**
 * The API server core: the Kubernetes REST API for the generic resources,
 * served per cluster (`/clusters/<name>/…`). Build it with
 * {@linkcode createApiServer} and hand its `handler` to the serving layer.
 *
 * @module
 */

export {
  type ApiServer,
  type ApiServerOptions,
  createApiServer,
} from "./server.ts";
export type { NamespaceSeed } from "./namespace_seeds.ts";
export type {
  ApiHandler,
  RequestContext,
  UserInfo,
  WatchEventSink,
  WatchObjectEvent,
} from "./request_context.ts";
export {
  type AuthorizationAttributes,
  type AuthorizationDecision,
  type Authorizer,
  defaultAuthorizer,
  SYSTEM_MASTERS,
} from "./authz/authorizer.ts";
export {
  AUTHORIZATION_MODES,
  type AuthorizationMode,
} from "./authz/rbac_setup.ts";
export type {
  AdmissionAttributes,
  AdmissionOperation,
  DeleteAttributes,
  MutatingAdmission,
  RequestAttributes,
  ValidatingAdmission,
  WriteAttributes,
} from "./admission/admission.ts";
export type { NameValidator } from "./validation/names.ts";
export { BUILTIN_RESOURCES, ResourceRegistry } from "./resources/registry.ts";
export type {
  ResourceDefinition,
  SubresourceDefinition,
  TableColumn,
} from "./resources/types.ts";
export type { FieldError, FieldErrorType } from "./validation/field_error.ts";
export {
  kindSchema,
  listSchema,
  type Schema,
  type SchemaType,
  type ValidationRule,
} from "./schema/mod.ts";
export { defaultVersionInfo, type VersionInfo } from "./discovery/version.ts";
export type { GroupVersion } from "./resources/registry.ts";
export {
  ApiError,
  type Status,
  type StatusCause,
  type StatusDetails,
} from "./status/mod.ts";
export {
  DEFAULT_ISSUER,
  generateSigningKey,
  type IssuedToken,
  loadOrCreateSigningKey,
  rememberSigningKey,
  type ServiceAccountClaims,
  ServiceAccountTokenIssuer,
  type SigningKey,
  type TokenIssuerOptions,
  type TokenRequestSpec,
  type VerificationKey,
} from "./serviceaccount/mod.ts";
export type { BoundObject } from "./serviceaccount/mod.ts";
export type { ServiceReference } from "./resources/apiservices.ts";
export type { HistogramSeries, MetricFamily, Sample } from "./metrics/mod.ts";
export type {
  TokenReviewer,
  TokenReviewResult,
} from "./reviews/token_review.ts";
export type {
  AggregationOptions,
  AuthenticationSources,
  ProxyClientCertificate,
  ServiceResolver,
} from "./aggregator/mod.ts";
export type { VirtualClustersMode } from "./tenancy/mod.ts";
// The storage contract and logger types the options and objects above use.
export type * from "../storage/mod.ts";
export type { LogFields, Logger } from "../log/mod.ts";
