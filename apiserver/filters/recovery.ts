/**
 * Panic recovery: whatever a later stage throws becomes the `Status`
 * response of its `ApiError` (or a 500 InternalError), logged when it is
 * the server's fault; the request body is drained; every answer, errors
 * included, is written as the client negotiated it (YAML, pretty JSON:
 * `http/output_encoding.ts`) and carries the warnings.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { errorResponse } from "../http/response.ts";
import { encodeForClient } from "../http/output_encoding.ts";
import { warningHeaderValue } from "../schema/mod.ts";
import { toApiError } from "../status/mod.ts";
import type { Filter } from "./chain.ts";

/** The recovery filter. */
export function recovery(logger: Logger): Filter {
  return async (state, next) => {
    let res: Response;
    try {
      res = await next();
      // Written as negotiated (YAML, pretty JSON): reading a streamed list
      // to rewrite it may fail as the handler itself could.
      const encoded = encodeForClient(state.req, state.target.query, res);
      res = encoded instanceof Promise ? await encoded : encoded;
    } catch (e) {
      const err = toApiError(e, state.subject);
      if (err.code >= 500 && err.code !== 503 && err.code !== 504) {
        logger.error("request failed", { error: e, path: state.target.path });
      }
      const req = state.req;
      if (req.body && !req.bodyUsed) await req.body.cancel().catch(() => {});
      res = await encodeForClient(
        state.req,
        state.target.query,
        errorResponse(err),
      );
    }
    for (const w of state.warnings) {
      res.headers.append("Warning", warningHeaderValue(w));
    }
    return res;
  };
}
