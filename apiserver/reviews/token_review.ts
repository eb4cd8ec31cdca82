/**
 * TokenReview (`authentication.k8s.io/v1`, create only): "who is this
 * bearer token?", asked by webhooks and extension servers that delegate
 * authentication (`system:auth-delegator`). The token is checked by the
 * server's own token authenticators (service account tokens and the static
 * tokens of the token file) in the caller's virtual cluster, for the
 * audiences of `spec.audiences` (default: the API server's). The answer
 * has upstream's shape: `status.authenticated`, `status.user`,
 * `status.audiences`, and `status.error` when the token was recognised but
 * is not valid.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import { badRequestError } from "../status/mod.ts";

/** What the token authenticators of the serving layer answer. */
export type TokenReviewResult =
  | { user: UserInfo; audiences: string[] }
  | undefined
  | Error;

/** Checks a token on its own (the serving layer's token authenticators). */
export interface TokenReviewer {
  /** Authenticates `token` for `ctx.cluster` (and `ctx.audiences`, default the API audiences): the user, `undefined` when no authenticator recognizes it, or the error. */
  authenticateToken(
    token: string,
    ctx: { cluster: string; audiences?: string[] },
  ): Promise<TokenReviewResult>;
}

/** The `status` of a TokenReview for `body.spec` in `cluster`. */
export async function reviewToken(
  body: Record<string, unknown>,
  cluster: string,
  reviewer: TokenReviewer | undefined,
): Promise<{ spec: Record<string, unknown>; status: Record<string, unknown> }> {
  const spec = typeof body.spec === "object" && body.spec !== null &&
      !Array.isArray(body.spec)
    ? body.spec as Record<string, unknown>
    : {};
  const { token, audiences } = spec;
  if (typeof token !== "string" || token === "") {
    throw badRequestError(
      "token is required for TokenReview in authentication",
    );
  }
  if (
    audiences !== undefined && audiences !== null &&
    (!Array.isArray(audiences) ||
      audiences.some((a) => typeof a !== "string"))
  ) {
    throw badRequestError("spec.audiences must be a list of strings");
  }
  const wanted = (audiences ?? []) as string[];
  const outSpec: Record<string, unknown> = { token };
  if (wanted.length > 0) outSpec.audiences = wanted;
  const result = await reviewer?.authenticateToken(token, {
    cluster,
    audiences: wanted,
  });
  if (result === undefined) {
    return { spec: outSpec, status: { user: {} } };
  }
  if (result instanceof Error) {
    return {
      spec: outSpec,
      status: { user: {}, error: `[invalid bearer token, ${result.message}]` },
    };
  }
  const user: Record<string, unknown> = { username: result.user.username };
  if (result.user.uid) user.uid = result.user.uid;
  user.groups = result.user.groups;
  if (result.user.extra && Object.keys(result.user.extra).length > 0) {
    user.extra = result.user.extra;
  }
  return {
    spec: outSpec,
    status: { authenticated: true, user, audiences: result.audiences },
  };
}
