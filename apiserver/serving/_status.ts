/**
 * Minimal `Status` error responses for what the serving layer itself
 * rejects (401, 500, 503 while shutting down); everything else is the API
 * handler's business.
 *
 * @module
 */

/** A JSON `Status` failure response, as kube-apiserver sends. */
export function statusResponse(
  code: number,
  reason: string,
  message: string,
): Response {
  const body = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  return new Response(JSON.stringify(body) + "\n", {
    status: code,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-cache, private",
    },
  });
}

/** The 401 every request with missing or invalid credentials gets. */
export function unauthorized(): Response {
  return statusResponse(401, "Unauthorized", "Unauthorized");
}

/** kube-apiserver's answer to a request that arrives while it drains. */
export function shuttingDownResponse(): Response {
  const res = statusResponse(
    503,
    "ServiceUnavailable",
    "apiserver is shutting down",
  );
  res.headers.set("retry-after", "1");
  return res;
}
