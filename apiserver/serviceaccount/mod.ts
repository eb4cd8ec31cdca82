/**
 * Service account tokens: the signing key and the issuer that signs and
 * verifies the JWTs of the TokenRequest API.
 *
 * @module
 */

export {
  generateSigningKey,
  loadOrCreateSigningKey,
  rememberSigningKey,
  type SigningKey,
  TOKEN_ALGORITHM,
  type VerificationKey,
} from "./signing_key.ts";
export {
  SERVICE_ACCOUNT_USER_PREFIX,
  SERVICE_ACCOUNTS_GROUP,
  serviceAccountGroups,
  serviceAccountUsername,
} from "./user.ts";
export {
  type BoundObject,
  CLUSTER_CLAIM,
  DEFAULT_ISSUER,
  InvalidTokenError,
  type IssuedToken,
  type ServiceAccountClaims,
  ServiceAccountTokenIssuer,
  type TokenIssuerOptions,
  type TokenRequestSpec,
} from "./token_issuer.ts";
export {
  isIssuerDiscoveryPath,
  JWKS_PATH,
  jwksUri,
  OIDC_CONFIGURATION_PATH,
  serveIssuerDiscovery,
} from "./issuer_discovery.ts";
