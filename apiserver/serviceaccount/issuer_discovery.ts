/**
 * Service account issuer discovery, as kube-apiserver serves it:
 * `/.well-known/openid-configuration` (an OpenID Provider configuration
 * naming the issuer and the key set) and `/openid/v1/jwks` (the public
 * signing key), so that other systems (Vault, cloud workload identity, a
 * second API server) can verify service account tokens. Served when the
 * issuer is an `https` URL, as upstream; the key set is at
 * `<issuer>/openid/v1/jwks`.
 *
 * @module
 */

import { fixedJsonResponse } from "../http/response.ts";
import { methodNotAllowedError } from "../status/mod.ts";
import { TOKEN_ALGORITHM } from "./signing_key.ts";
import type { ServiceAccountTokenIssuer } from "./token_issuer.ts";

/** The OpenID Provider configuration path. */
export const OIDC_CONFIGURATION_PATH = "/.well-known/openid-configuration";
/** The key set path. */
export const JWKS_PATH = "/openid/v1/jwks";

/** True for the two discovery paths. */
export function isIssuerDiscoveryPath(path: string): boolean {
  return path === OIDC_CONFIGURATION_PATH || path === JWKS_PATH;
}

/** `<issuer>/openid/v1/jwks`, or `undefined` when the issuer is not https. */
export function jwksUri(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:") return undefined;
  return `${issuer.replace(/\/+$/, "")}${JWKS_PATH}`;
}

const CACHE = { "cache-control": "public, max-age=3600" };

/**
 * The response for a discovery path, or `undefined` when discovery is off
 * (the issuer is not an https URL) so the caller answers 404.
 */
export async function serveIssuerDiscovery(
  req: Request,
  path: string,
  issuer: ServiceAccountTokenIssuer,
): Promise<Response | undefined> {
  const uri = jwksUri(issuer.issuer);
  if (uri === undefined) return undefined;
  if (req.method !== "GET" && req.method !== "HEAD") {
    throw methodNotAllowedError();
  }
  if (path === OIDC_CONFIGURATION_PATH) {
    return fixedJsonResponse(
      {
        issuer: issuer.issuer,
        jwks_uri: uri,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: [TOKEN_ALGORITHM],
      },
      200,
      "application/json",
      CACHE,
    );
  }
  return fixedJsonResponse(
    await issuer.publicKeys(),
    200,
    "application/jwk-set+json",
    CACHE,
  );
}
