/**
 * Reading request bodies: size limit, content type (JSON or YAML), and a
 * clear typed error for anything else.
 *
 * @module
 */

import { loadYaml, yaml as yamlModule } from "../../internal/lazy_npm.ts";
import {
  badRequestError,
  tooLargeError,
  unsupportedMediaTypeError,
} from "../status/mod.ts";
import { parseMediaType } from "./media_type.ts";
import {
  checkJsonLimits,
  checkValueLimits,
  checkYamlFlowDepth,
} from "./decode_limits.ts";
import {
  decodeKubeProtobuf,
  isKubeProtobuf,
  type KindDefaults,
  KUBE_PROTOBUF_MEDIA_TYPE,
  ProtobufDecodeError,
} from "../protobuf/mod.ts";
import {
  goJsonSyntaxError,
  goJsonTypeName,
  summarizeData,
  TYPE_META_PROBE,
} from "./go_json_errors.ts";

/** The largest request body accepted (as kube-apiserver: 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Media types accepted for create/update bodies. */
export const BODY_MEDIA_TYPES = [
  "application/json",
  "application/yaml",
  KUBE_PROTOBUF_MEDIA_TYPE,
];

/**
 * `check()`'s answer for a request refused before its body is read (a
 * negotiation that fails, a bad query): when `check` throws, the body is
 * cancelled unread first, then the error goes on.
 */
export async function beforeBody<T>(
  req: Request,
  check: () => T,
): Promise<T> {
  try {
    return check();
  } catch (e) {
    await req.body?.cancel();
    throw e;
  }
}

/** Reads the body as bytes, failing with 413 past `limit` bytes. */
export async function readBodyBytes(
  req: Request,
  limit = MAX_BODY_BYTES,
): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) {
    await req.body?.cancel();
    throw tooLargeError(limit);
  }
  if (!req.body) return new Uint8Array();
  // YAML is parsed synchronously after the read: load the parser first.
  if (req.headers.get("content-type")?.includes("yaml")) await loadYaml();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLargeError(limit);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return all;
}

/** Reads the body as UTF-8 text, failing with 413 past `limit` bytes. */
export async function readBodyText(
  req: Request,
  limit = MAX_BODY_BYTES,
): Promise<string> {
  const all = await readBodyBytes(req, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(all);
  } catch {
    throw badRequestError("the request body is not valid UTF-8");
  }
}

/**
 * How many alias expansions a YAML body may make (the `yaml` package's
 * default, stated here because it is what stops "billion laughs" bodies).
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/**
 * Parses JSON or YAML text; the result must be an object. The body's depth
 * and field count are held to the limits of `decode_limits.ts` (JSON before
 * parsing; YAML, whose parser bounds aliases itself, right after).
 */
export function parseObjectText(
  text: string,
  mediaType: string,
): Record<string, unknown> {
  const yaml = mediaType === "application/yaml";
  if (yaml) checkYamlFlowDepth(text);
  else checkJsonLimits(text);
  let value: unknown;
  try {
    // Repeated keys are field validation's to report (last one wins, as
    // upstream's decoder), not a decoding error.
    value = yaml
      ? yamlModule().parse(text, {
        uniqueKeys: false,
        maxAliasCount: MAX_YAML_ALIAS_COUNT,
      })
      : JSON.parse(text);
  } catch (e) {
    throw badRequestError(
      `the body of the request could not be decoded as ${
        mediaType === "application/yaml" ? "YAML" : "JSON"
      }: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequestError(
      "the body of the request must be a JSON object",
    );
  }
  if (yaml) checkValueLimits(value, "YAML");
  return value as Record<string, unknown>;
}

/** A decoded create/update body and where it came from. */
export interface DecodedBody {
  /** The decoded object. */
  object: Record<string, unknown>;
  /** The body's media type (`application/json` when none was given). */
  mediaType: string;
  /** The body text (JSON and YAML bodies; not protobuf). */
  text?: string;
}

/**
 * Reads a create/update body: `application/json` (also when no content type
 * is given), `application/yaml`, or Kubernetes protobuf for the built-in
 * kinds; anything else is 415. Keeps the text so that field validation can
 * find duplicate fields.
 *
 * A body that cannot be decoded is 400 with upstream's words (its
 * `transformDecodeError`): `the object provided is unrecognized (must be of
 * type <kind>): couldn't get version/kind; json parse error: <Go's error>
 * (<the body's start>)` — when `defaults.kind` names the endpoint's kind.
 */
export async function readDecodedBody(
  req: Request,
  defaults: KindDefaults = {},
): Promise<DecodedBody> {
  const ct = parseMediaType(req.headers.get("content-type") ?? "").type;
  const mediaType = ct === "" ? "application/json" : ct;
  if (!BODY_MEDIA_TYPES.includes(mediaType)) {
    await req.body?.cancel();
    throw unsupportedMediaTypeError(mediaType, BODY_MEDIA_TYPES);
  }
  const bytes = await readBodyBytes(req);
  const unrecognized = (reason: string) =>
    defaults.kind
      ? badRequestError(
        `the object provided is unrecognized (must be of type ${defaults.kind}): ${reason} (${
          summarizeData(bytes)
        })`,
      )
      : badRequestError(reason);
  if (isKubeProtobuf(mediaType)) {
    let object: Record<string, unknown>;
    try {
      // Throws ProtobufDecodeError (400) / UnknownProtobufKindError (415).
      object = await decodeKubeProtobuf(bytes, defaults);
    } catch (e) {
      // Failures before the envelope names a kind are "unrecognized".
      if (e instanceof ProtobufDecodeError && ENVELOPE_ERRORS.test(e.message)) {
        throw unrecognized(e.message);
      }
      throw e;
    }
    checkValueLimits(object, "protobuf"); // fieldsV1 carries raw JSON
    return { object, mediaType };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badRequestError("the request body is not valid UTF-8");
  }
  const yaml = mediaType === "application/yaml";
  // Upstream reads an empty YAML document as null, and null as an empty
  // object of the endpoint's kind.
  if (yaml && text.trim() === "") return { object: {}, mediaType, text };
  let value: unknown;
  if (yaml) {
    value = parseYamlBody(text, unrecognized);
  } else {
    checkJsonLimits(text);
    try {
      value = JSON.parse(text);
    } catch (e) {
      const goError = goJsonSyntaxError(text) ?? (e as Error).message;
      throw unrecognized(
        `couldn't get version/kind; json parse error: ${goError}`,
      );
    }
  }
  if (value === null) return { object: {}, mediaType, text };
  const typeMeta = typeMetaError(value);
  if (typeMeta) throw unrecognized(typeMeta);
  if (yaml) checkValueLimits(value, "YAML");
  return { object: value as Record<string, unknown>, mediaType, text };
}

/** Protobuf errors raised before the envelope's kind is known. */
const ENVELOPE_ERRORS =
  /^(empty data|empty body|provided data does not appear|the protobuf envelope)/;

function parseYamlBody(
  text: string,
  unrecognized: (reason: string) => Error,
): unknown {
  checkYamlFlowDepth(text);
  try {
    // Repeated keys are field validation's to report (last one wins, as
    // upstream's decoder), not a decoding error.
    return yamlModule().parse(text, {
      uniqueKeys: false,
      maxAliasCount: MAX_YAML_ALIAS_COUNT,
    });
  } catch (e) {
    const err = e as Error & { linePos?: Array<{ line: number }> };
    const line = err.linePos?.[0]?.line;
    const message = err.message.replace(
      / at line \d+, column \d+:?[\s\S]*$/,
      "",
    );
    throw unrecognized(
      `error converting YAML to JSON: yaml: ${
        line ? `line ${line}: ` : ""
      }${message}`,
    );
  }
}

/**
 * Upstream first reads `apiVersion` and `kind` into a small Go struct: a
 * body that is not an object, or whose `apiVersion`/`kind` are not strings,
 * fails there with `encoding/json`'s words; so does an `apiVersion` with
 * more than one `/`.
 */
function typeMetaError(value: unknown): string | undefined {
  const prefix = "couldn't get version/kind; json parse error: ";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `${prefix}json: cannot unmarshal ${
      goJsonTypeName(value)
    } into Go value of type ${TYPE_META_PROBE}`;
  }
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (
      (k === "apiVersion" || k === "kind") && typeof v !== "string" &&
      v !== null
    ) {
      return `${prefix}json: cannot unmarshal ${
        goJsonTypeName(v)
      } into Go struct field .${k} of type string`;
    }
  }
  const av = obj.apiVersion;
  if (typeof av === "string" && av !== "/" && av.split("/").length > 2) {
    return `unexpected GroupVersion string: ${av}`;
  }
  return undefined;
}

/** Reads a create/update body (see {@linkcode readDecodedBody}). */
export async function readObjectBody(
  req: Request,
  defaults: KindDefaults = {},
): Promise<Record<string, unknown>> {
  return (await readDecodedBody(req, defaults)).object;
}
