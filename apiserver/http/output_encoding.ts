/**
 * The one place a response is written the way the client negotiated it:
 * handlers, discovery and the error path answer JSON (an
 * {@linkcode ApiResponse}); here, when the request asks for YAML, pretty
 * JSON (`?pretty=true`, `curl`/`Wget`/browser `User-Agent`s, `pretty=1`
 * in `Accept`) or nothing that can be served, that JSON is rewritten as
 * kube-apiserver writes it. Everything else — kubectl, client-go, the
 * controllers — passes straight through: the check reads two headers and
 * the query, and the compact JSON fast paths (stored texts, streamed
 * lists) are untouched. Watch streams, OpenAPI, metrics and proxied
 * answers are not `ApiResponse`s and are never rewritten.
 *
 * @module
 */

import { loadYaml } from "../../internal/lazy_npm.ts";
import { notAcceptableError } from "../status/mod.ts";
import {
  isPlainAccept,
  isPrettyPrint,
  type Negotiated,
  negotiateOutput,
  OUTPUT_MEDIA_TYPES,
} from "./negotiate.ts";
import { indentJson } from "./pretty_json.ts";
import { ApiResponse, errorResponse } from "./response.ts";
import { yamlOfJson } from "./yaml_output.ts";

/** Anything but these headers and the query leaves a response as it is. */
const JSONISH = /json|\*\/\*|application\/\*/;
const ASKS_MORE = /yaml|pretty/i;

/**
 * `res` as the request negotiated it: unchanged, unless it is an
 * {@linkcode ApiResponse} in JSON and the request asks for YAML (written
 * with `Content-Type: application/yaml`), for pretty JSON (Go's
 * `json.MarshalIndent` with two spaces, no trailing newline), or for
 * nothing servable — then an error keeps its code and is written as pretty
 * JSON (upstream's `WriteRawJSON`), and a success becomes 406
 * NotAcceptable. (Resource handlers refuse such an `Accept` before they
 * read or write; this catches discovery and the other JSON answers.)
 */
export function encodeForClient(
  req: Request,
  query: URLSearchParams,
  res: Response,
): Response | Promise<Response> {
  // (`res.body` is not read here: the getter makes a stream of the text,
  // which costs a GET ~3 µs and the fast write of a string body.)
  if (!(res instanceof ApiResponse)) return res;
  const accept = req.headers.get("accept");
  const negotiate = accept !== null && !isPlainAccept(accept) &&
    (ASKS_MORE.test(accept) || !JSONISH.test(accept));
  const neg = negotiate
    ? negotiateOutput(accept, { protobuf: true, conversions: true })
    : undefined;
  const pretty = neg?.pretty ||
    isPrettyPrint(query, req.headers.get("user-agent"));
  if (!negotiate && !pretty) return res;
  return rewrite(res, negotiate ? neg : PLAIN, pretty);
}

const PLAIN: Negotiated = { mediaType: "application/json", pretty: false };

async function rewrite(
  res: Response,
  neg: Negotiated | undefined,
  pretty: boolean,
): Promise<Response> {
  if (res.body === null) return res;
  const type = res.headers.get("content-type") ?? "";
  if (type !== "application/json") {
    // Aggregated discovery (a media type with parameters) is only indented.
    if (!pretty || !type.startsWith("application/json")) return res;
    return withBody(res, indentJson(await res.text()), type);
  }
  if (neg === undefined) {
    if (res.status < 400) {
      await res.body?.cancel();
      return errorResponse(notAcceptableError([...OUTPUT_MEDIA_TYPES]));
    }
    return withBody(res, indentJson(await res.text()), type);
  }
  if (neg.mediaType === "application/yaml") {
    const text = await res.text();
    await loadYaml();
    return withBody(res, yamlOfJson(text), "application/yaml");
  }
  if (!pretty) return res;
  return withBody(res, indentJson(await res.text()), type);
}

function withBody(res: Response, body: string, type: string): Response {
  const headers = new Headers(res.headers);
  headers.set("content-type", type);
  headers.delete("content-length");
  return new ApiResponse(body, {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}
