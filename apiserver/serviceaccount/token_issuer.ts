/**
 * Service account tokens: JWTs issued by the TokenRequest API
 * (`POST …/serviceaccounts/<name>/token`, `kubectl create token`) and
 * verified by the API server's authenticator. The claims follow upstream's
 * bound tokens (`iss`, `sub` = `system:serviceaccount:<ns>:<name>`, `aud`,
 * `exp`/`iat`/`nbf`, `jti`, and `kubernetes.io` with the namespace, the
 * service account and the object the token is bound to), plus the virtual
 * cluster the service account lives in, so a token is valid in that
 * cluster only.
 *
 * @module
 */

import type { SigningKey } from "./signing_key.ts";
import { TOKEN_ALGORITHM } from "./signing_key.ts";
import { serviceAccountUsername } from "./user.ts";

/** The issuer (and default audience) unless configured: upstream's usual one. */
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The claim naming the virtual cluster of the service account. */
export const CLUSTER_CLAIM = "hyperplane.dev/cluster";

/** An object a token is bound to (upstream: a Secret, Pod or Node). */
export interface BoundObject {
  /** Kind of the object, e.g. `Pod`. */
  kind: string;
  /** Name of the object. */
  name: string;
  /** UID of the object. */
  uid: string;
}

/** What a token says about its holder. */
export interface ServiceAccountClaims {
  /** Virtual cluster of the service account. */
  cluster: string;
  /** Namespace of the service account. */
  namespace: string;
  /** Name of the service account. */
  name: string;
  /** UID of the service account. */
  uid: string;
  /** The object the token is bound to, if any. */
  boundObject?: BoundObject;
  /** Audiences the token is valid for. */
  audiences: string[];
  /** The token's ID (`jti`). */
  id: string;
  /** Expiry, in seconds since the epoch. */
  expiresAt: number;
}

/** How long a verified token is trusted without verifying it again. */
export const VERIFIED_TTL_MS = 10_000;
/** How many verified tokens are remembered. */
const VERIFIED_MAX = 4096;

/** A token request after defaulting. */
export interface TokenRequestSpec {
  /** Virtual cluster of the service account. */
  cluster: string;
  /** Namespace of the service account. */
  namespace: string;
  /** The service account the token is for. */
  serviceAccount: { name: string; uid: string };
  /** Audiences the token is valid for. */
  audiences: string[];
  /** Lifetime of the token in seconds. */
  expirationSeconds: number;
  /** The object the token is bound to, if any. */
  boundObject?: BoundObject;
}

/** An issued token. */
export interface IssuedToken {
  /** The signed JWT. */
  token: string;
  /** When the token expires. */
  expirationTimestamp: Date;
}

/** A token that is ours but not valid (bad signature, expired, wrong audience). */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** Options of {@linkcode ServiceAccountTokenIssuer}. */
export interface TokenIssuerOptions {
  /** The key, loaded when first needed. */
  key: () => Promise<SigningKey>;
  /** `iss` of issued tokens. Default {@linkcode DEFAULT_ISSUER}. */
  issuer?: string;
  /** Audiences the API server accepts (and the default). Default `[issuer]`. */
  apiAudiences?: string[];
  /** Clock (tests). */
  now?: () => Date;
}

/** Issues and verifies service account tokens with one signing key. */
export class ServiceAccountTokenIssuer {
  /** The `iss` of the tokens it issues (default {@linkcode DEFAULT_ISSUER}). */
  readonly issuer: string;
  /** The audiences of the API server itself (default: the issuer). */
  readonly apiAudiences: readonly string[];
  #key: () => Promise<SigningKey>;
  #loaded?: Promise<SigningKey>;
  #now: () => Date;
  /** Tokens verified lately (see {@linkcode VERIFIED_TTL_MS}). */
  #verified = new Map<
    string,
    { claims: ServiceAccountClaims; until: number }
  >();

  /** An issuer signing with the key `opts.key` loads. */
  constructor(opts: TokenIssuerOptions) {
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.apiAudiences = opts.apiAudiences ?? [this.issuer];
    this.#key = opts.key;
    this.#now = opts.now ?? (() => new Date());
  }

  #signingKey(): Promise<SigningKey> {
    this.#loaded ??= this.#key().catch((e) => {
      this.#loaded = undefined;
      throw e;
    });
    return this.#loaded;
  }

  /**
   * The public keys tokens are verified with (the signing key's and earlier
   * ones) as a JSON Web Key Set (`/openid/v1/jwks`).
   */
  async publicKeys(): Promise<{ keys: Record<string, unknown>[] }> {
    const { exportJWK } = await import("jose");
    const key = await this.#signingKey();
    const all = key.verificationKeys ?? [key];
    const keys = [];
    for (const k of all) {
      const jwk = await exportJWK(k.publicKey);
      keys.push({ use: "sig", ...jwk, kid: k.keyId, alg: TOKEN_ALGORITHM });
    }
    return { keys };
  }

  /** Loads the signing key now (to fail at start on a bad key file). */
  async load(): Promise<void> {
    await this.#signingKey();
  }

  /** Signs a token for `spec`. */
  async issue(spec: TokenRequestSpec): Promise<IssuedToken> {
    const { SignJWT } = await import("jose");
    const key = await this.#signingKey();
    const iat = Math.floor(this.#now().getTime() / 1000);
    const exp = iat + spec.expirationSeconds;
    const k8s: Record<string, unknown> = {
      namespace: spec.namespace,
      serviceaccount: spec.serviceAccount,
    };
    if (spec.boundObject) {
      k8s[spec.boundObject.kind.toLowerCase()] = {
        name: spec.boundObject.name,
        uid: spec.boundObject.uid,
      };
    }
    const token = await new SignJWT({
      "kubernetes.io": k8s,
      [CLUSTER_CLAIM]: spec.cluster,
    })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.keyId })
      .setIssuer(this.issuer)
      .setSubject(
        serviceAccountUsername(spec.namespace, spec.serviceAccount.name),
      )
      .setAudience(spec.audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(crypto.randomUUID())
      .sign(key.privateKey);
    return { token, expirationTimestamp: new Date(exp * 1000) };
  }

  /**
   * The claims of `token` when it is one of this issuer's and valid;
   * `undefined` when it is not a JWT of this issuer (another authenticator
   * may know it); throws {@linkcode InvalidTokenError} when it is ours but
   * invalid. `audiences` (TokenReview) replaces the API server's audiences:
   * the token must carry one of them.
   */
  async verify(
    token: string,
    audiences?: readonly string[],
  ): Promise<ServiceAccountClaims | undefined> {
    if (token.split(".").length !== 3) return undefined;
    // Other audiences than the server's (TokenReview): no cache.
    if (audiences && audiences.length > 0) {
      return await this.#verifySignature(token, audiences);
    }
    // An ES256 verification costs ~1 ms of CPU: a client sending many
    // requests with one token would spend most of the server on it. As
    // kube-apiserver's token cache (success TTL 10 s, failures not kept),
    // a verified token is trusted again for a while, never past its expiry;
    // the caller still checks that its service account (and bound object)
    // exist on every request.
    const nowMs = this.#now().getTime();
    const hit = this.#verified.get(token);
    if (hit && hit.until > nowMs) return hit.claims;
    if (hit) this.#verified.delete(token);
    const claims = await this.#verifySignature(token);
    if (claims) {
      if (this.#verified.size >= VERIFIED_MAX) {
        // Oldest first: Map keeps insertion order.
        this.#verified.delete(this.#verified.keys().next().value!);
      }
      this.#verified.set(token, {
        claims,
        until: Math.min(nowMs + VERIFIED_TTL_MS, claims.expiresAt * 1000),
      });
    }
    return claims;
  }

  async #verifySignature(
    token: string,
    audiences: readonly string[] = this.apiAudiences,
  ): Promise<ServiceAccountClaims | undefined> {
    const jose = await import("jose");
    let iss: unknown;
    try {
      iss = jose.decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    if (iss !== this.issuer) return undefined;
    const key = await this.#signingKey();
    let payload: Record<string, unknown>;
    try {
      // The key named by `kid` (rotation: earlier keys still verify).
      const verifier = key.verificationKeys
        ? (header: { kid?: string }) => {
          const found = key.verificationKeys!.find((k) =>
            k.keyId === header.kid
          );
          if (!found) throw new Error("unknown key ID");
          return found.publicKey;
        }
        : key.publicKey;
      ({ payload } = await jose.jwtVerify(token, verifier, {
        issuer: this.issuer,
        audience: [...audiences],
        algorithms: [TOKEN_ALGORITHM],
        currentDate: this.#now(),
      }));
    } catch (e) {
      const why = e instanceof jose.errors.JWTExpired
        ? "service account token has expired"
        : e instanceof jose.errors.JWTClaimValidationFailed &&
            e.claim === "aud"
        ? "service account token has an audience this server does not accept"
        : "service account token is not valid";
      throw new InvalidTokenError(why);
    }
    return claimsOf(payload);
  }
}

function claimsOf(p: Record<string, unknown>): ServiceAccountClaims {
  const bad = () => new InvalidTokenError("service account token is malformed");
  const k8s = p["kubernetes.io"] as Record<string, unknown> | undefined;
  const sa = k8s?.serviceaccount as Record<string, unknown> | undefined;
  const cluster = p[CLUSTER_CLAIM];
  if (
    !k8s || !sa || typeof k8s.namespace !== "string" ||
    typeof sa.name !== "string" || typeof sa.uid !== "string" ||
    typeof cluster !== "string" || typeof p.jti !== "string" ||
    typeof p.exp !== "number" ||
    p.sub !== serviceAccountUsername(k8s.namespace, sa.name)
  ) {
    throw bad();
  }
  let boundObject: BoundObject | undefined;
  for (const kind of ["Secret", "Pod", "Node"]) {
    const ref = k8s[kind.toLowerCase()] as Record<string, unknown> | undefined;
    if (ref === undefined) continue;
    if (typeof ref.name !== "string" || typeof ref.uid !== "string") {
      throw bad();
    }
    boundObject = { kind, name: ref.name, uid: ref.uid };
  }
  const aud = p.aud;
  return {
    cluster,
    namespace: k8s.namespace,
    name: sa.name,
    uid: sa.uid,
    boundObject,
    audiences: Array.isArray(aud) ? aud.map(String) : [String(aud)],
    id: p.jti,
    expiresAt: p.exp,
  };
}
