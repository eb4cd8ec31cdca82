/**
 * Requests to an embedded control plane's fetch handler as its admin.
 *
 * @module
 */

/** What {@linkcode adminSender} needs of a control plane. */
export interface AdminHandler {
  readonly adminToken: string;
  handler(req: Request): Response | Promise<Response>;
}

/**
 * A `send(method, path, body?, headers?)` for `cp`: the admin's bearer
 * token, JSON content type (overridable through `headers`), a body sent as
 * is when it is a string and as JSON otherwise.
 */
export function adminSender(
  cp: AdminHandler,
): (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Response> {
  return async (method, path, body, headers = {}) =>
    await cp.handler(
      new Request(`http://cp${path}`, {
        method,
        headers: {
          authorization: `Bearer ${cp.adminToken}`,
          "content-type": "application/json",
          ...headers,
        },
        body: body === undefined
          ? undefined
          : typeof body === "string"
          ? body
          : JSON.stringify(body),
      }),
    );
}
