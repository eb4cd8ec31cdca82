/**
 * Decoding Kubernetes protobuf request bodies
 * (`application/vnd.kubernetes.protobuf`): the 4-byte magic `k8s\0`, then a
 * `runtime.Unknown` envelope whose `raw` holds the kind's own message. The
 * result is the JSON object kube-apiserver would see for the same request.
 *
 * @module
 */

import protobuf from "protobufjs";
import { messageToGoJson, type PlainMessage } from "./_go_json.ts";
import { META_V1, ROOT, UNKNOWN } from "./_root.ts";
import { KUBE_PROTOBUF_MAGIC } from "./content_type.ts";
import { ProtobufDecodeError, UnknownProtobufKindError } from "./errors.ts";
import { protobufMessageFor } from "./kinds.ts";

/** A decoded Kubernetes object: plain JSON with `apiVersion` and `kind`. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
};

/** What the endpoint implies when the envelope leaves a part empty. */
export interface KindDefaults {
  /** `apiVersion` of the endpoint (`v1`, `rbac.authorization.k8s.io/v1`). */
  apiVersion?: string;
  /** `kind` the endpoint stores. */
  kind?: string;
}

/**
 * Decodes a protobuf request body into the JSON object Go would produce
 * for it. Missing `apiVersion`/`kind` in the envelope are taken from
 * `defaults` (as upstream fills them from the endpoint).
 *
 * Throws {@linkcode ProtobufDecodeError} (400) for malformed input and
 * {@linkcode UnknownProtobufKindError} (415) for a kind without a protobuf
 * definition here.
 *
 * @example
 * ```ts
 * const obj = decodeKubeProtobuf(new Uint8Array(await req.arrayBuffer()));
 * obj.kind; // "ConfigMap"
 * ```
 */
export function decodeKubeProtobuf(
  body: Uint8Array,
  defaults: KindDefaults = {},
): KubeObject {
  if (body.length === 0) throw new ProtobufDecodeError("empty data");
  if (!hasMagic(body)) {
    throw new ProtobufDecodeError(
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
  }
  if (body.length === KUBE_PROTOBUF_MAGIC.length) {
    throw new ProtobufDecodeError("empty body");
  }
  const envelope = decodeMessage(
    UNKNOWN,
    body.subarray(KUBE_PROTOBUF_MAGIC.length),
    "the protobuf envelope (runtime.Unknown)",
  );
  const typeMeta = (envelope.typeMeta ?? {}) as PlainMessage;
  const apiVersion = String(typeMeta.apiVersion ?? "") ||
    (defaults.apiVersion ?? "");
  const kind = String(typeMeta.kind ?? "") || (defaults.kind ?? "");
  if (kind === "") {
    throw new ProtobufDecodeError(
      "Object 'Kind' is missing in the protobuf envelope",
    );
  }
  if (apiVersion === "") {
    throw new ProtobufDecodeError(
      "Object 'apiVersion' is missing in the protobuf envelope",
    );
  }
  const encoding = String(envelope.contentEncoding ?? "");
  if (encoding !== "") {
    throw new ProtobufDecodeError(
      `unsupported protobuf content encoding ${JSON.stringify(encoding)}`,
    );
  }
  const type = kindMessage(apiVersion, kind);
  if (!type) throw new UnknownProtobufKindError(apiVersion, kind);
  const raw = envelope.raw instanceof Uint8Array
    ? envelope.raw
    : new Uint8Array();
  const msg = decodeMessage(type, raw, `the ${kind} message`);
  return { kind, apiVersion, ...messageToGoJson(type, msg, "") };
}

const OBJECT_META = `${META_V1}.ObjectMeta`;

/**
 * True for a message that is an object kind: its `metadata` is an
 * `ObjectMeta` (not a list, a spec or a status).
 */
function isObjectKind(type: protobuf.Type): boolean {
  const meta = type.fields.metadata;
  return meta?.resolvedType?.fullName === `.${OBJECT_META}`;
}

/**
 * The embedded message for `apiVersion`/`kind` (upstream's naming, see
 * `kinds.ts`), when it is there and is an object kind or meta's `Status`
 * or `DeleteOptions`.
 */
function kindMessage(apiVersion: string, kind: string): protobuf.Type | null {
  const name = protobufMessageFor(apiVersion, kind);
  if (!name) return null;
  const found = ROOT.lookup(name);
  if (!(found instanceof protobuf.Type)) return null;
  return name.startsWith(`${META_V1}.`) || isObjectKind(found) ? found : null;
}

/**
 * True when a protobuf body of `apiVersion`/`kind` decodes here (its
 * message text is embedded).
 *
 * @example
 * ```ts
 * decodesProtobuf("v1", "ConfigMap"); // true
 * ```
 */
export function decodesProtobuf(apiVersion: string, kind: string): boolean {
  return kindMessage(apiVersion, kind) !== null;
}

/**
 * The full names of every embedded object-kind message (without the
 * leading dot), e.g. `k8s.io.api.coordination.v1.Lease`: what the
 * decoder can decode besides meta's `Status` and `DeleteOptions`.
 */
export function embeddedKindMessages(): string[] {
  const out: string[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Type) {
        if (isObjectKind(child)) out.push(child.fullName.slice(1));
      } else if ("nestedArray" in child) {
        walk(child as protobuf.NamespaceBase);
      }
    }
  };
  walk(ROOT);
  return out.sort();
}

function hasMagic(body: Uint8Array): boolean {
  return KUBE_PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

function decodeMessage(
  type: protobuf.Type,
  bytes: Uint8Array,
  what: string,
): PlainMessage {
  try {
    return type.toObject(type.decode(bytes), { longs: Number }) as PlainMessage;
  } catch (e) {
    throw new ProtobufDecodeError(
      `${what} could not be decoded: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}
