/**
 * Impersonation (`Impersonate-*` headers): the caller must be authorized to
 * impersonate each part of the requested identity (see
 * `authz/impersonation.ts`); the rest of the chain then runs as it.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import { impersonatedUser } from "../authz/impersonation.ts";
import type { Filter } from "./chain.ts";

/**
 * True when `headers` holds any `Impersonate-*` header. Most requests have
 * none; one `forEach` over the (lower-cased) names is ~5× cheaper than the
 * iterator the full parse needs to find `Impersonate-Extra-*` keys (~1 µs
 * against ~5 µs per request in a profile of GETs).
 */
export function hasImpersonationHeaders(headers: Headers): boolean {
  let found = false;
  headers.forEach((_value, name) => {
    if (!found && name.startsWith("impersonate-")) found = true;
  });
  return found;
}

/** The impersonation filter. */
export function impersonation(authorizer: Authorizer, logger: Logger): Filter {
  return async (state, next) => {
    if (!hasImpersonationHeaders(state.req.headers)) return await next();
    const user = await impersonatedUser(
      state.req.headers,
      state.user,
      state.cluster,
      authorizer,
    );
    if (user !== state.user) {
      logger.debug("impersonating", { user: state.user.username, as: user });
      state.user = user;
      state.attributes = { ...state.attributes, user };
    }
    return await next();
  };
}
