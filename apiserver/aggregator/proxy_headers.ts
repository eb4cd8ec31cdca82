/**
 * The headers a delegated request carries to the extension server: the
 * client's own headers minus credentials, hop-by-hop headers and any
 * identity headers the client tried to set, plus the authenticated user as
 * request headers (`X-Remote-User`, `X-Remote-Uid` when the user has one,
 * one `X-Remote-Group` per group,
 * `X-Remote-Extra-<key>` per extra value, the key percent-encoded), which
 * the extension trusts because the connection presents the front-proxy
 * client certificate (upstream's `transport.SetAuthProxyHeaders`).
 *
 * @module
 */

/** The identity sent to the extension. */
export interface ProxiedUser {
  username: string;
  /** Sent as `X-Remote-Uid` when set. */
  uid?: string;
  groups: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

/** The request-header names, as published in `extension-apiserver-authentication`. */
export const REQUEST_HEADERS = {
  username: "X-Remote-User",
  uid: "X-Remote-Uid",
  group: "X-Remote-Group",
  extraPrefix: "X-Remote-Extra-",
} as const;

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/** True for a header that must not pass the proxy in either direction. */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/**
 * The headers to send upstream for a request from `user` with `incoming`
 * headers. `Authorization`, `Impersonate-*` and `X-Remote-*` never pass
 * (the user is already authenticated here; the extension must not be able
 * to be told otherwise).
 *
 * A list of pairs, not `Headers`: `fetch` sends a `Headers` object's
 * repeated names as one comma-joined line, and extension servers (Go's
 * `Header.Values`) read one group per line — `a, b` would be one group.
 */
export function proxyRequestHeaders(
  incoming: Headers,
  user: ProxiedUser,
): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of incoming) {
    const n = name.toLowerCase();
    if (
      isHopByHop(n) || n === "authorization" ||
      n.startsWith("impersonate-") || n.startsWith("x-remote-") ||
      n === "accept-encoding"
    ) {
      continue;
    }
    out.push([name, value]);
  }
  // Bodies are relayed as they come; a compressed answer would be decoded
  // by fetch and passed on with a wrong Content-Encoding.
  out.push(["accept-encoding", "identity"]);
  out.push([REQUEST_HEADERS.username, user.username]);
  if (user.uid) out.push([REQUEST_HEADERS.uid, user.uid]);
  for (const g of user.groups) out.push([REQUEST_HEADERS.group, g]);
  for (const [key, values] of Object.entries(user.extra ?? {})) {
    const name = REQUEST_HEADERS.extraPrefix + encodeURIComponent(key);
    for (const v of values) out.push([name, v]);
  }
  return out;
}

/** The response headers passed back to the client. */
export function proxyResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of upstream) {
    if (!isHopByHop(name)) out.append(name, value);
  }
  return out;
}
