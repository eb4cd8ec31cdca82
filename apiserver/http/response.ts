/**
 * Building JSON responses and `Status` error responses.
 *
 * @module
 */

import type { ApiError } from "../status/mod.ts";

/** A JSON response with `code` (default 200). */
export function jsonResponse(
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

/** The `Status` response of an error. */
export function errorResponse(err: ApiError): Response {
  return jsonResponse(err.toStatus(), err.code, "application/json", {
    ...(err.headers ?? {}),
  });
}
