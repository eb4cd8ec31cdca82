/**
 * Panic recovery: whatever a later stage throws becomes the `Status`
 * response of its `ApiError` (or a 500 InternalError), logged when it is
 * the server's fault; the request body is drained; warnings are attached
 * to every response, errors included.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { errorResponse } from "../http/response.ts";
import { warningHeaderValue } from "../schema/mod.ts";
import { toApiError } from "../status/mod.ts";
import type { Filter } from "./chain.ts";

/** The recovery filter. */
export function recovery(logger: Logger): Filter {
  return async (state, next) => {
    let res: Response;
    try {
      res = await next();
    } catch (e) {
      const err = toApiError(e, state.subject);
      if (err.code >= 500 && err.code !== 503 && err.code !== 504) {
        logger.error("request failed", { error: e, path: state.target.path });
      }
      const req = state.req;
      if (req.body && !req.bodyUsed) await req.body.cancel().catch(() => {});
      res = errorResponse(err);
    }
    for (const w of state.warnings) {
      res.headers.append("Warning", warningHeaderValue(w));
    }
    return res;
  };
}
