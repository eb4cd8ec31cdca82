/**
 * Turns a decoded protobuf message into the JSON Go's `encoding/json` writes
 * for the same Kubernetes object: every field follows its Go struct tag
 * (recorded in the `(go)` field option: `omitempty`, `omitzero`, `ptr`),
 * `metav1.Time`/`MicroTime` become RFC 3339 strings (or `null` when zero),
 * `FieldsV1` becomes its raw JSON, `resource.Quantity` its string, `[]byte`
 * becomes base64.
 *
 * @module
 */

import type protobuf from "protobufjs";
import { META_V1 } from "./_root.ts";
import { ProtobufDecodeError } from "./errors.ts";

/** A decoded message as `Type.toObject` returns it (longs as numbers). */
export type PlainMessage = Record<string, unknown>;

interface GoTag {
  omitempty: boolean;
  omitzero: boolean;
  ptr: boolean;
}

const SKIP = Symbol("skip");
const TIME = `.${META_V1}.Time`;
const MICRO_TIME = `.${META_V1}.MicroTime`;
const FIELDS_V1 = `.${META_V1}.FieldsV1`;
const QUANTITY = ".k8s.io.apimachinery.pkg.api.resource.Quantity";
// Go's time.Time{} as Unix seconds, and the years RFC 3339 JSON allows.
const GO_ZERO_TIME = -62135596800;
const MIN_SECONDS = -62167219200; // 0000-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

function goTag(field: protobuf.Field): GoTag {
  const raw = field.options?.["(go)"];
  const flags = typeof raw === "string" ? raw.split(",") : [];
  return {
    omitempty: flags.includes("omitempty"),
    omitzero: flags.includes("omitzero"),
    ptr: flags.includes("ptr"),
  };
}

/** Go JSON for a whole message (a struct), in Go field order. */
export function messageToGoJson(
  type: protobuf.Type,
  msg: PlainMessage,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const present = Object.hasOwn(msg, field.name);
    const v = fieldToGoJson(field, present, msg[field.name], path);
    if (v !== SKIP) out[field.name] = v;
  }
  return out;
}

function fieldToGoJson(
  field: protobuf.Field,
  present: boolean,
  value: unknown,
  parent: string,
): unknown {
  const tag = goTag(field);
  const path = parent === "" ? field.name : `${parent}.${field.name}`;
  if (field.map) {
    const entries = Object.entries((present ? value : {}) as PlainMessage);
    if (entries.length === 0) return tag.omitempty ? SKIP : null;
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      out[k] = valueToGoJson(field, v, `${path}[${k}]`);
    }
    return out;
  }
  if (field.repeated) {
    const items = (present ? value : []) as unknown[];
    if (items.length === 0) return tag.omitempty ? SKIP : null;
    return items.map((v, i) => valueToGoJson(field, v, `${path}[${i}]`));
  }
  if (tag.ptr && !present) return tag.omitempty ? SKIP : null;
  if (field.resolvedType && "fieldsArray" in field.resolvedType) {
    const v = valueToGoJson(field, present ? value : {}, path);
    return tag.omitzero && v === null ? SKIP : v;
  }
  const v = present ? value : zeroOf(field.type);
  if (!tag.ptr && tag.omitempty && isEmpty(v)) return SKIP;
  return valueToGoJson(field, v, path);
}

function valueToGoJson(
  field: protobuf.Field,
  value: unknown,
  path: string,
): unknown {
  const type = field.resolvedType;
  if (type && "fieldsArray" in type) {
    const msg = value as PlainMessage;
    switch (type.fullName) {
      case TIME:
        return timeToGoJson(msg, false, path);
      case MICRO_TIME:
        return timeToGoJson(msg, true, path);
      case FIELDS_V1:
        return fieldsV1ToGoJson(msg, path);
      case QUANTITY: // the zero Quantity prints as "0"
        return typeof msg.string === "string" && msg.string ? msg.string : "0";
    }
    if (type.name === "ExtraValue") {
      const items = (msg.items ?? []) as string[];
      return items.length === 0 ? null : items;
    }
    return messageToGoJson(type, msg, path);
  }
  if (value instanceof Uint8Array) return toBase64(value);
  return value;
}

function zeroOf(protoType: string): unknown {
  switch (protoType) {
    case "string":
      return "";
    case "bool":
      return false;
    case "bytes":
      return new Uint8Array();
    default:
      return 0;
  }
}

function isEmpty(v: unknown): boolean {
  return v === "" || v === 0 || v === false ||
    (v instanceof Uint8Array && v.length === 0);
}

function timeToGoJson(
  msg: PlainMessage,
  micro: boolean,
  path: string,
): string | null {
  // An empty message is the zero time (upstream Time.Unmarshal).
  if (Object.keys(msg).length === 0) return null;
  let seconds = Number(msg.seconds ?? 0);
  // metav1.Time drops nanos on decode; MicroTime keeps them.
  let nanos = micro ? Number(msg.nanos ?? 0) : 0;
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  if (seconds === GO_ZERO_TIME && nanos === 0) return null;
  if (
    !Number.isSafeInteger(seconds) || seconds < MIN_SECONDS ||
    seconds > MAX_SECONDS
  ) {
    throw new ProtobufDecodeError(
      `${path}: time ${msg.seconds}s is outside of the years [0,9999]`,
    );
  }
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  const micros = Math.floor(nanos / 1000).toString().padStart(6, "0");
  return `${iso}.${micros}Z`;
}

function fieldsV1ToGoJson(msg: PlainMessage, path: string): unknown {
  const raw = msg.raw;
  if (!(raw instanceof Uint8Array)) return null;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch (e) {
    throw new ProtobufDecodeError(
      `${path}: fieldsV1 is not valid JSON: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}

/** Standard base64 with padding, as Go encodes `[]byte`. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
