/**
 * Authentication: who is calling. An {@linkcode Authenticator} looks at a
 * request and answers with a user, "not my kind of credentials"
 * (`undefined`), or "credentials present but invalid"
 * ({@linkcode AuthenticationError}). Authenticators are composed with
 * {@linkcode unionAuthenticator}; more (service account tokens, OIDC) can be
 * added later without touching the server.
 *
 * Client certificates are not authenticated: `Deno.serve` does not expose
 * the peer certificate, so there is nothing to verify.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import { AuthenticationError } from "./errors.ts";

/** What an authenticator concluded about one request. */
export type AuthenticationResult = UserInfo | undefined | AuthenticationError;

/** Establishes the user behind a request. */
export interface Authenticator {
  /**
   * A user when the credentials are valid, `undefined` when the request
   * carries none of the kind this authenticator understands, an
   * {@linkcode AuthenticationError} when they are present but invalid.
   */
  authenticate(req: Request): Promise<AuthenticationResult>;
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
): Authenticator {
  return {
    authenticate(req) {
      const token = bearerToken(req);
      if (token === undefined) return Promise.resolve(undefined);
      const user = tokens.get(token);
      return Promise.resolve(
        user ? copyUser(user) : new AuthenticationError("invalid bearer token"),
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
    async authenticate(req) {
      const errors: string[] = [];
      for (const a of authenticators) {
        let result: AuthenticationResult;
        try {
          result = await a.authenticate(req);
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
