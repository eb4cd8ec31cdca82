/**
 * Authentication: who is calling. An {@linkcode Authenticator} looks at a
 * request and answers with a user, "not my kind of credentials"
 * (`undefined`), or "credentials present but invalid"
 * ({@linkcode AuthenticationError}). Authenticators are composed with
 * {@linkcode unionAuthenticator}; more (service account tokens, OIDC) can be
 * added later without touching the server.
 *
 * What the connection established (a client certificate, verified at the
 * TLS handshake) reaches authenticators as {@linkcode ConnectionInfo}.
 * Bearer-token authenticators also implement {@linkcode TokenAuthenticator},
 * so that TokenReview can ask them about a token that is not the caller's.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import type { ClientCertificateVerdict } from "./client_certificates.ts";
import { AuthenticationError } from "./errors.ts";

/** What the request's connection established. */
export interface ConnectionInfo {
  /** The verdict on the client certificate, when one was presented. */
  clientCertificate?: ClientCertificateVerdict;
}

/** What an authenticator concluded about one request. */
export type AuthenticationResult = UserInfo | undefined | AuthenticationError;

/** Establishes the user behind a request. */
export interface Authenticator {
  /**
   * A user when the credentials are valid, `undefined` when the request
   * carries none of the kind this authenticator understands, an
   * {@linkcode AuthenticationError} when they are present but invalid.
   */
  authenticate(
    req: Request,
    conn?: ConnectionInfo,
  ): Promise<AuthenticationResult>;
}

/** Where a token is being checked (TokenReview). */
export interface TokenContext {
  /** The virtual cluster the token must be valid in. */
  cluster: string;
  /**
   * Audiences the token must be valid for (at least one); empty or absent:
   * the API server's own.
   */
  audiences?: string[];
}

/** A token's user and the audiences it was found valid for. */
export type TokenResult =
  | { user: UserInfo; audiences: string[] }
  | undefined
  | AuthenticationError;

/** Checks a bearer token on its own (TokenReview). */
export interface TokenAuthenticator {
  /**
   * The user and audiences when the token is valid for one of the wanted
   * audiences, `undefined` when it is not a token of this kind, an
   * {@linkcode AuthenticationError} when it is but is invalid.
   */
  authenticateToken(token: string, ctx: TokenContext): Promise<TokenResult>;
}

/**
 * The audiences an audience-agnostic token (a static one) is valid for,
 * as upstream's `WrapAudienceAgnosticToken`: the API server's audiences,
 * narrowed to the wanted ones; `undefined` when they have none in common.
 */
export function agnosticAudiences(
  apiAudiences: readonly string[],
  wanted: readonly string[] | undefined,
): string[] | undefined {
  if (!wanted || wanted.length === 0) return [...apiAudiences];
  const both = wanted.filter((a) => apiAudiences.includes(a));
  return both.length > 0 ? both : undefined;
}

/** The group every authenticated user belongs to. */
export const AUTHENTICATED_GROUP = "system:authenticated";

/** The user of requests without credentials (allowed on public paths only). */
export const ANONYMOUS_USER: Readonly<UserInfo> = Object.freeze({
  username: "system:anonymous",
  groups: Object.freeze(["system:unauthenticated"]) as string[],
});

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get("authorization");
  if (!header) return undefined;
  const m = /^bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * A copy of `user` the handler may change without touching the token map
 * (cheaper than `structuredClone`, which showed up at ~1 % of a create's CPU).
 */
export function copyUser(user: Readonly<UserInfo>): UserInfo {
  const out: UserInfo = { username: user.username, groups: [...user.groups] };
  if (user.uid !== undefined) out.uid = user.uid;
  if (user.extra !== undefined) {
    out.extra = Object.fromEntries(
      Object.entries(user.extra).map(([k, v]) => [k, [...v]]),
    );
  }
  return out;
}

/**
 * Authenticates `Authorization: Bearer <token>` against a fixed token map
 * (for example from {@linkcode ensureAdminToken} or a token file).
 */
export function bearerTokenAuthenticator(
  tokens: ReadonlyMap<string, UserInfo>,
  apiAudiences: readonly string[] = [],
): Authenticator & TokenAuthenticator {
  return {
    authenticate(req) {
      const token = bearerToken(req);
      if (token === undefined) return Promise.resolve(undefined);
      const user = tokens.get(token);
      return Promise.resolve(
        user ? copyUser(user) : new AuthenticationError("invalid bearer token"),
      );
    },
    authenticateToken(token, ctx) {
      const user = tokens.get(token);
      if (!user) return Promise.resolve(undefined);
      const audiences = agnosticAudiences(apiAudiences, ctx.audiences);
      return Promise.resolve(
        audiences
          ? { user: copyUser(user), audiences }
          : new AuthenticationError(
            "token audiences are invalid for the target audiences",
          ),
      );
    },
  };
}

/**
 * Tries each authenticator in order: the first user wins; otherwise any
 * error is reported (401); otherwise `undefined` (no credentials). Every
 * authenticated user gets the `system:authenticated` group.
 */
export function unionAuthenticator(
  authenticators: readonly Authenticator[],
): Authenticator {
  return {
    async authenticate(req, conn) {
      const errors: string[] = [];
      for (const a of authenticators) {
        let result: AuthenticationResult;
        try {
          result = await a.authenticate(req, conn);
        } catch (err) {
          result = new AuthenticationError(
            err instanceof Error ? err.message : String(err),
          );
        }
        if (result instanceof AuthenticationError) {
          errors.push(result.message);
        } else if (result !== undefined) {
          if (!result.groups.includes(AUTHENTICATED_GROUP)) {
            result = {
              ...result,
              groups: [...result.groups, AUTHENTICATED_GROUP],
            };
          }
          return result;
        }
      }
      if (errors.length > 0) return new AuthenticationError(errors.join("; "));
      return undefined;
    },
  };
}

/**
 * Asks each token authenticator in turn (TokenReview): the first user wins
 * (with the group `system:authenticated`); otherwise the errors, joined;
 * otherwise `undefined` (nobody knows the token).
 */
export function unionTokenAuthenticator(
  authenticators: readonly TokenAuthenticator[],
): TokenAuthenticator {
  return {
    async authenticateToken(token, ctx) {
      const errors: string[] = [];
      for (const a of authenticators) {
        let result: TokenResult;
        try {
          result = await a.authenticateToken(token, ctx);
        } catch (err) {
          result = new AuthenticationError(
            err instanceof Error ? err.message : String(err),
          );
        }
        if (result instanceof AuthenticationError) {
          errors.push(result.message);
        } else if (result !== undefined) {
          const groups = result.user.groups.includes(AUTHENTICATED_GROUP)
            ? result.user.groups
            : [...result.user.groups, AUTHENTICATED_GROUP];
          return { ...result, user: { ...result.user, groups } };
        }
      }
      if (errors.length > 0) return new AuthenticationError(errors.join("; "));
      return undefined;
    },
  };
}
