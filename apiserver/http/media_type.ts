/**
 * Media-type parsing for `Accept` and `Content-Type` headers, the
 * `meta.k8s.io` conversion types, and discovery's negotiation (aggregated
 * discovery). Output negotiation of resources is `negotiate.ts`.
 *
 * @module
 */

/** One media range with its parameters (`application/json;as=Table;v=v1`). */
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Parses one media type; the type and parameter names are lower-cased. */
export function parseMediaType(s: string): MediaType {
  const [head, ...rest] = s.split(";");
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim()
      .replace(/^"(.*)"$/, "$1");
  }
  return { type: head.trim().toLowerCase(), params };
}

/** Parses an `Accept` header into its media ranges, in order. */
export function parseAccept(header: string | null): MediaType[] {
  if (!header) return [];
  return header.split(",").map((s) => s.trim()).filter((s) => s !== "").map(
    parseMediaType,
  );
}

/** The `meta.k8s.io` forms a resource answer can be converted to (`as=`). */
export type ConversionKind =
  | "Table"
  | "PartialObjectMetadata"
  | "PartialObjectMetadataList";

/** A conversion asked for in `Accept` (`as=<kind>;g=meta.k8s.io;v=<v>`). */
export interface Conversion {
  kind: ConversionKind;
  /** `meta.k8s.io` version: `v1` or `v1beta1`. */
  version: string;
}

/** The aggregated discovery version asked for (`v2`, `v2beta1`), if any. */
export function wantsAggregatedDiscovery(
  accept: MediaType[],
): string | undefined {
  for (const m of accept) {
    if (
      m.type === "application/json" &&
      m.params.as === "APIGroupDiscoveryList" &&
      m.params.g === "apidiscovery.k8s.io" &&
      (m.params.v === "v2" || m.params.v === "v2beta1")
    ) {
      return m.params.v;
    }
  }
  return undefined;
}
