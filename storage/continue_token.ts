/**
 * Opaque list continuation tokens, in the same shape as kube-apiserver's:
 * base64 of `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key suffix>"}`.
 * The start key is relative to the listed prefix, so a token cannot be used
 * to read outside the prefix it was issued for.
 *
 * @module
 */

import { invalidArgument } from "./errors.ts";

/** What a continue token carries. */
export interface ContinueToken {
  /** The revision the first page was read at; later pages read at it too. */
  revision: number;
  /** The first key of the next page, relative to the list prefix. */
  startKey: string;
}

/** Encodes a token for the page that starts at `nextKey` (absolute) under `prefix`. */
export function encodeContinue(
  prefix: string,
  nextKey: string,
  revision: number,
): string {
  if (!nextKey.startsWith(prefix)) {
    throw invalidArgument(
      `continue key ${nextKey} is outside prefix ${prefix}`,
    );
  }
  const json = JSON.stringify({
    v: "meta.k8s.io/v1",
    rv: revision,
    start: nextKey.slice(prefix.length),
  });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Decodes a token issued for `prefix`. Returns the absolute start key and the
 * revision. A malformed token is an `InvalidArgument` storage error.
 */
export function decodeContinue(
  prefix: string,
  token: string,
): { startKey: string; revision: number } {
  let parsed: unknown;
  try {
    const b64 = token.replaceAll("-", "+").replaceAll("_", "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    parsed = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))),
    );
  } catch {
    throw invalidArgument("continue key is not valid: malformed token");
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t?.v !== "meta.k8s.io/v1") {
    throw invalidArgument(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
  if (typeof t.rv !== "number" || !Number.isSafeInteger(t.rv) || t.rv <= 0) {
    throw invalidArgument(
      "continue key is not valid: incorrect encoded start resourceVersion",
    );
  }
  if (typeof t.start !== "string" || t.start === "") {
    throw invalidArgument("continue key is not valid: encoded start key empty");
  }
  const start = t.start.replace(/^\/+/, "");
  for (const seg of start.split("/")) {
    if (seg === "." || seg === "..") {
      throw invalidArgument("continue key is not valid: path traversal");
    }
  }
  return { startKey: prefix + start, revision: t.rv };
}
