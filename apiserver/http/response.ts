/**
 * Building JSON responses and `Status` error responses. Both are
 * {@linkcode ApiResponse}s: the encoding step (`output_encoding.ts`)
 * rewrites them as YAML or pretty JSON when the client negotiated that.
 *
 * @module
 */

import type { ApiError } from "../status/mod.ts";
import { indentJson } from "./pretty_json.ts";

/**
 * A JSON API response (an object, a list, a `Status`, a discovery
 * document) that the encoding step may rewrite as the client negotiated.
 */
export class ApiResponse extends Response {}

/** How `notAcceptableError` starts its message (a failed negotiation). */
const UNACCEPTABLE = "only the following media types are accepted: ";

/** A JSON response with `code` (default 200), negotiated as the client asks. */
export function jsonResponse(
  body: unknown,
  code = 200,
  contentType = "application/json",
  headers: Record<string, string> = {},
): Response {
  return new ApiResponse(JSON.stringify(body) + "\n", {
    status: code,
    headers: { "content-type": contentType, ...headers },
  });
}

/**
 * A JSON response that is never negotiated (a fixed document, as the
 * service account issuer's discovery, which upstream writes as it is).
 */
export function fixedJsonResponse(
  body: unknown,
  code = 200,
  contentType = "application/json",
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status: code,
    headers: { "content-type": contentType, ...headers },
  });
}

/**
 * JSON written as upstream's `WriteRawJSON` (`/version`): always indented,
 * never negotiated (`Accept`, `?pretty=` and `User-Agent` change nothing).
 */
export function rawJsonResponse(body: unknown, code = 200): Response {
  return new Response(indentJson(JSON.stringify(body)), {
    status: code,
    headers: { "content-type": "application/json" },
  });
}

/**
 * The `Status` response of an error. A failed negotiation (406 naming the
 * media types that can be served) is written as upstream writes it, with
 * `WriteRawJSON`: indented JSON whatever the request asked for.
 */
export function errorResponse(err: ApiError): Response {
  if (err.code === 406 && err.message.startsWith(UNACCEPTABLE)) {
    const res = rawJsonResponse(err.toStatus(), err.code);
    for (const [k, v] of Object.entries(err.headers ?? {})) {
      res.headers.set(k, v);
    }
    return res;
  }
  return jsonResponse(err.toStatus(), err.code, "application/json", {
    ...(err.headers ?? {}),
  });
}
