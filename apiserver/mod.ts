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
export { ApiError, type Status } from "./status/mod.ts";
export {
  DEFAULT_ISSUER,
  generateSigningKey,
  loadOrCreateSigningKey,
  rememberSigningKey,
  ServiceAccountTokenIssuer,
} from "./serviceaccount/mod.ts";
