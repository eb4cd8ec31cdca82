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

/** The impersonation filter. */
export function impersonation(authorizer: Authorizer, logger: Logger): Filter {
  return async (state, next) => {
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
