/**
 * The request target exactly as the client sent it. `new URL()` resolves
 * dot segments (`/a/../b` → `/b`) and so would let a request act on a path
 * it never named; kube-apiserver never resolves them in API paths. Routing
 * therefore reads the raw target: `Deno.serve` hands it over untouched in
 * `req.url`.
 *
 * @module
 */

/** The raw path and the parsed query of a request URL. */
export interface RawTarget {
  /** The path as sent (percent-encoding kept, dot segments unresolved). */
  path: string;
  /** The query parameters. */
  query: URLSearchParams;
}

/**
 * Splits `url` (absolute, as in `Request.url`) into its raw path and query.
 *
 * @example
 * ```ts
 * rawTarget("https://h/api/v1/namespaces/a/configmaps/..?x=1").path;
 * // "/api/v1/namespaces/a/configmaps/.."
 * ```
 */
export function rawTarget(url: string): RawTarget {
  const scheme = url.indexOf("://");
  let start = scheme < 0 ? 0 : url.indexOf("/", scheme + 3);
  if (start < 0) start = url.length;
  let end = url.length;
  const hash = url.indexOf("#", start);
  if (hash >= 0) end = hash;
  const q = url.indexOf("?", start);
  const pathEnd = q >= 0 && q < end ? q : end;
  const path = url.slice(start, pathEnd) || "/";
  const query = new URLSearchParams(
    q >= 0 && q < end ? url.slice(q + 1, end) : "",
  );
  return { path, query };
}
