/**
 * Test support: builds Kubernetes protobuf bodies from plain objects with
 * the embedded definitions (protobufjs `fromObject` + `encode`). Tests of
 * other folders (the handlers' protobuf bodies) use it too, so it is not a
 * private `_file`; it stays here because it encodes with this folder's
 * embedded definitions, which no other folder may import.
 *
 * @module
 */

import { ROOT, UNKNOWN } from "../_root.ts";
import { KUBE_PROTOBUF_MAGIC } from "../content_type.ts";

/** Encodes `fields` as message `message` (fully-qualified name). */
export function encodeMessage(
  message: string,
  fields: Record<string, unknown>,
): Uint8Array {
  const type = ROOT.lookupType(message);
  return type.encode(type.fromObject(fields)).finish();
}

/** Wraps raw message bytes in the `k8s\0` + `runtime.Unknown` envelope. */
export function wrap(
  apiVersion: string,
  kind: string,
  raw: Uint8Array,
  extra: Record<string, unknown> = {},
): Uint8Array {
  const env = UNKNOWN.encode(UNKNOWN.fromObject({
    typeMeta: { apiVersion, kind },
    raw,
    ...extra,
  })).finish();
  const out = new Uint8Array(KUBE_PROTOBUF_MAGIC.length + env.length);
  out.set(KUBE_PROTOBUF_MAGIC);
  out.set(env, KUBE_PROTOBUF_MAGIC.length);
  return out;
}

/** A complete body for one object. */
export function body(
  apiVersion: string,
  kind: string,
  message: string,
  fields: Record<string, unknown>,
): Uint8Array {
  return wrap(apiVersion, kind, encodeMessage(message, fields));
}

/** Decodes standard base64. */
export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
