/**
 * Recognising Kubernetes protobuf bodies without loading the protobuf
 * definitions: the media type and the 4-byte magic `k8s\0`.
 *
 * @module
 */

import { parseMediaType } from "../http/media_type.ts";
import { KUBE_PROTOBUF_MEDIA_TYPE } from "./errors.ts";

/** The prefix of every Kubernetes protobuf body: `k8s\0`. */
export const KUBE_PROTOBUF_MAGIC: Uint8Array = new Uint8Array([
  0x6b,
  0x38,
  0x73,
  0x00,
]);

/**
 * True for a `Content-Type` naming Kubernetes protobuf (parameters are
 * ignored).
 *
 * @example
 * ```ts
 * isKubeProtobuf("application/vnd.kubernetes.protobuf"); // true
 * isKubeProtobuf("application/json"); // false
 * ```
 */
export function isKubeProtobuf(
  contentType: string | null | undefined,
): boolean {
  return parseMediaType(contentType ?? "").type === KUBE_PROTOBUF_MEDIA_TYPE;
}
