/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`)
 * for the built-in kinds hyperplane serves: kubectl's typed clients send
 * them for `create configmap|secret|namespace|…`, `auth can-i`, `auth
 * whoami` and `create token`. Decoding yields the same JSON object the
 * client would have sent as JSON.
 *
 * The protobuf definitions (and `protobufjs`) are loaded on the first
 * protobuf body, not at start: a server that never sees one does not carry
 * them. `./decode.ts` has the synchronous decoder.
 *
 * @example
 * ```ts
 * import { decodeKubeProtobuf, isKubeProtobuf } from "./mod.ts";
 * if (isKubeProtobuf(req.headers.get("content-type"))) {
 *   const obj = await decodeKubeProtobuf(
 *     new Uint8Array(await req.arrayBuffer()),
 *   );
 * }
 * ```
 *
 * @module
 */

import type { KindDefaults, KubeObject } from "./decode.ts";

export type { KindDefaults, KubeObject } from "./decode.ts";
export { isKubeProtobuf, KUBE_PROTOBUF_MAGIC } from "./content_type.ts";
export {
  KUBE_PROTOBUF_MEDIA_TYPE,
  ProtobufDecodeError,
  UnknownProtobufKindError,
} from "./errors.ts";
export { protobufMessageFor } from "./kinds.ts";

/**
 * Decodes a protobuf request body into the JSON object Go would produce for
 * it (see `decode.ts`), loading the protobuf definitions on first use.
 * Rejects with `ProtobufDecodeError` (400) or `UnknownProtobufKindError`
 * (415).
 */
export async function decodeKubeProtobuf(
  body: Uint8Array,
  defaults: KindDefaults = {},
): Promise<KubeObject> {
  const decode = await import("./decode.ts");
  return decode.decodeKubeProtobuf(body, defaults);
}
