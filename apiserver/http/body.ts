/**
 * Reading request bodies: size limit, content type (JSON or YAML), and a
 * clear typed error for anything else.
 *
 * @module
 */

import { parse as parseYaml } from "yaml";
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
} from "../protobuf/mod.ts";

/** The largest request body accepted (as kube-apiserver: 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Media types accepted for create/update bodies. */
export const BODY_MEDIA_TYPES = [
  "application/json",
  "application/yaml",
  KUBE_PROTOBUF_MEDIA_TYPE,
];

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
      ? parseYaml(text, {
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
  if (isKubeProtobuf(mediaType)) {
    // Throws ProtobufDecodeError (400) / UnknownProtobufKindError (415).
    const object = await decodeKubeProtobuf(await readBodyBytes(req), defaults);
    checkValueLimits(object, "protobuf"); // fieldsV1 carries raw JSON
    return { object, mediaType };
  }
  const text = await readBodyText(req);
  if (text.trim() === "") throw badRequestError("the request body is empty");
  return { object: parseObjectText(text, mediaType), mediaType, text };
}

/** Reads a create/update body (see {@linkcode readDecodedBody}). */
export async function readObjectBody(
  req: Request,
  defaults: KindDefaults = {},
): Promise<Record<string, unknown>> {
  return (await readDecodedBody(req, defaults)).object;
}
