/**
 * Output negotiation, as kube-apiserver's `NegotiateOutputMediaType`: which
 * media type (JSON, YAML, or protobuf — answered in JSON here) and which
 * `meta.k8s.io` conversion an `Accept` header asks of a response, whether
 * it is to be pretty-printed (`?pretty=`, a human `User-Agent`, the
 * `pretty=1` media-type parameter), and when nothing can be served (406).
 * One negotiation serves the resource handlers (which check it before
 * anything is read or written) and the response encoding step
 * (`output_encoding.ts`), which writes YAML or pretty JSON from the JSON a
 * handler answered with.
 *
 * @module
 */

import { type Conversion, parseAccept } from "./media_type.ts";

export type { Conversion, ConversionKind } from "./media_type.ts";

/** The media types a response may be negotiated to. */
export type OutputMediaType =
  | "application/json"
  | "application/yaml"
  | "application/vnd.kubernetes.protobuf";

/** The outcome of a successful negotiation. */
export interface Negotiated {
  /** The media type of the first acceptable media range. */
  mediaType: OutputMediaType;
  /** The conversion that range asks for, if any. */
  conversion?: Conversion;
  /** The range carried `pretty=1`. */
  pretty: boolean;
}

/** What the endpoint can serve. */
export interface NegotiationOptions {
  /**
   * The plain object may be asked for in protobuf (built-in kinds; answered
   * in JSON). Custom resources cannot (upstream's CRD handler serves
   * protobuf for `meta.k8s.io` conversions only).
   */
  protobuf: boolean;
  /** A watch: YAML has no stream form (upstream: 406). */
  stream?: boolean;
  /** `meta.k8s.io` conversions may be asked for (resource endpoints). */
  conversions?: boolean;
  /**
   * With `conversions`: `false` passes `as=Table` ranges over, as upstream
   * for endpoints whose storage has no `TableConvertor` (the reviews,
   * TokenRequest). Default: Tables may be asked for.
   */
  tables?: boolean;
}

/**
 * The media types a response may be negotiated to, in the order each range
 * is tried — also what upstream lists in a 406 for an object or list.
 */
export const OUTPUT_MEDIA_TYPES: readonly OutputMediaType[] = [
  "application/json",
  "application/yaml",
  "application/vnd.kubernetes.protobuf",
];

/** The media types upstream lists in a 406 for a watch. */
export const STREAM_MEDIA_TYPES: readonly string[] = [
  "application/json;stream=watch",
  "application/vnd.kubernetes.protobuf;stream=watch",
];

const PLAIN_JSON: Negotiated = Object.freeze({
  mediaType: "application/json",
  pretty: false,
});

/** `Accept` headers real clients send that need no parsing (plain JSON). */
const PLAIN_HEADERS = new Set([
  "application/json",
  "application/json, */*",
  "*/*",
  "application/vnd.kubernetes.protobuf, */*",
  "application/vnd.kubernetes.protobuf,application/json",
]);

/**
 * Negotiates `accept` as upstream: media ranges in order (q-values are not
 * weighed), each tried against JSON, YAML and protobuf in that order
 * (`*`/`*` and `application/*` mean JSON); a range's `as`/`g`/`v` ask for a
 * conversion (a `meta.k8s.io` `v1`/`v1beta1` Table — JSON or YAML only —,
 * PartialObjectMetadata or PartialObjectMetadataList, where `conversions`
 * allows them; protobuf ranges with a conversion are passed over, as no
 * protobuf is written); `stream` other than `watch` is passed over. No
 * header means JSON. `undefined`: nothing acceptable (406).
 */
export function negotiateOutput(
  accept: string | null,
  opts: NegotiationOptions,
): Negotiated | undefined {
  if (isPlainAccept(accept)) return PLAIN_JSON;
  for (const range of parseAccept(accept)) {
    const [type, sub] = splitType(range.type);
    for (const mediaType of OUTPUT_MEDIA_TYPES) {
      const matches = range.type === mediaType || range.type === "*/*" ||
        (type === "application" && sub === "*");
      if (!matches) continue;
      const got = acceptRange(range.params, mediaType, opts);
      if (got) return got;
    }
  }
  return undefined;
}

/**
 * True for no `Accept` and for the headers kubectl and client-go send for
 * plain JSON (checked without parsing).
 */
export function isPlainAccept(accept: string | null): boolean {
  return accept === null || accept === "" || PLAIN_HEADERS.has(accept);
}

/**
 * Whether a response is to be pretty-printed besides a range's `pretty=1`,
 * as upstream's `isPrettyPrint`: a non-empty `?pretty=` decides
 * (Go's `strconv.ParseBool`; anything else is false), otherwise a
 * `User-Agent` starting with `curl`, `Wget` or `Mozilla/5.0`.
 */
export function isPrettyPrint(
  query: URLSearchParams,
  userAgent: string | null,
): boolean {
  const pp = query.size === 0 ? null : query.get("pretty");
  if (pp) return parseGoBool(pp) === true;
  return userAgent !== null &&
    (userAgent.startsWith("curl") || userAgent.startsWith("Wget") ||
      userAgent.startsWith("Mozilla/5.0"));
}

/** Go's `strconv.ParseBool`: `undefined` for anything it rejects. */
export function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case "1":
    case "t":
    case "T":
    case "TRUE":
    case "true":
    case "True":
      return true;
    case "0":
    case "f":
    case "F":
    case "FALSE":
    case "false":
    case "False":
      return false;
  }
  return undefined;
}

function splitType(t: string): [string, string] {
  const slash = t.indexOf("/");
  return slash < 0 ? [t, ""] : [t.slice(0, slash), t.slice(slash + 1)];
}

/** Upstream's `acceptMediaTypeOptions` with the endpoint's restrictions. */
function acceptRange(
  params: Record<string, string>,
  mediaType: OutputMediaType,
  opts: NegotiationOptions,
): Negotiated | undefined {
  const stream = params.stream;
  if (stream && (stream !== "watch" || mediaType === "application/yaml")) {
    return undefined;
  }
  if (opts.stream && mediaType === "application/yaml") return undefined;
  const pretty = params.pretty === "1";
  const asked = params.as !== undefined || params.g !== undefined ||
    params.v !== undefined;
  if (!asked) {
    if (mediaType === "application/vnd.kubernetes.protobuf" && !opts.protobuf) {
      return undefined;
    }
    return pretty ? { mediaType, pretty } : (
      mediaType === "application/json" ? PLAIN_JSON : { mediaType, pretty }
    );
  }
  const conversion = conversionOf(params);
  if (
    !conversion || !opts.conversions ||
    mediaType === "application/vnd.kubernetes.protobuf" ||
    (conversion.kind === "Table" && opts.tables === false)
  ) {
    return undefined;
  }
  return { mediaType, conversion, pretty };
}

function conversionOf(params: Record<string, string>): Conversion | undefined {
  const { as, g, v } = params;
  if (g !== "meta.k8s.io" || (v !== "v1" && v !== "v1beta1")) return undefined;
  if (
    as === "Table" || as === "PartialObjectMetadata" ||
    as === "PartialObjectMetadataList"
  ) {
    return { kind: as, version: v };
  }
  return undefined;
}
