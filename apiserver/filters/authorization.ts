/**
 * Authorization: the request's attributes (computed once by the
 * request-info filter) are decided by the server's `Authorizer` in the
 * request's own cluster; a denial is 403 Forbidden with upstream's message.
 * Requests across clusters (`/clusters/*`) are checked by the cross-cluster
 * rules first (`routing/wildcard.ts`).
 *
 * @module
 */

import { type Authorizer, denialMessage } from "../authz/authorizer.ts";
import { checkWildcardRequest, WILDCARD_CLUSTER } from "../routing/wildcard.ts";
import { forbiddenError, forbiddenPathError } from "../status/mod.ts";
import type { Filter } from "./chain.ts";

/** The authorization filter. */
export function authorization(authorizer: Authorizer): Filter {
  return async (state, next) => {
    const attrs = state.attributes;
    if (state.cluster === WILDCARD_CLUSTER) {
      checkWildcardRequest(state.info, state.user);
      return await next();
    }
    const decision = await authorizer.authorize(attrs);
    if (!decision.allowed) {
      const reason = decision.reason ?? denialMessage(attrs);
      if (!attrs.isResourceRequest) throw forbiddenPathError(reason);
      throw forbiddenError(
        { group: attrs.apiGroup ?? "", resource: attrs.resource ?? "" },
        attrs.name ?? "",
        reason,
      );
    }
    return await next();
  };
}
