/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`)
 * for the built-in kinds hyperplane serves: kubectl's typed clients send
 * them for `create configmap|secret|namespace|…`, `auth can-i`, `auth
 * whoami` and `create token`. Decoding yields the same JSON object the
 * client would have sent as JSON.
 *
 * @example
 * ```ts
 * import { decodeKubeProtobuf, isKubeProtobuf } from "./mod.ts";
 * if (isKubeProtobuf(req.headers.get("content-type"))) {
 *   const obj = decodeKubeProtobuf(new Uint8Array(await req.arrayBuffer()));
 * }
 * ```
 *
 * @module
 */

export {
  decodeKubeProtobuf,
  isKubeProtobuf,
  type KindDefaults,
  KUBE_PROTOBUF_MAGIC,
  type KubeObject,
} from "./decode.ts";
export {
  KUBE_PROTOBUF_MEDIA_TYPE,
  ProtobufDecodeError,
  UnknownProtobufKindError,
} from "./errors.ts";
export {
  PROTOBUF_KINDS,
  type ProtobufKind,
  protobufMessageFor,
} from "./kinds.ts";
