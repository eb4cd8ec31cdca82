/**
 * Typed errors for protobuf request bodies. Both are {@linkcode ApiError}s,
 * so a handler that lets them propagate answers with the right `Status`.
 *
 * @module
 */

import { ApiError } from "../status/mod.ts";

/** The Kubernetes protobuf media type. */
export const KUBE_PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/**
 * 400 BadRequest: the body claims to be Kubernetes protobuf but is not
 * well-formed (no `k8s\0` prefix, truncated or invalid message, missing
 * kind, unrepresentable value).
 */
export class ProtobufDecodeError extends ApiError {
  constructor(message: string) {
    super(400, "BadRequest", message);
    this.name = "ProtobufDecodeError";
  }
}

/**
 * 415 UnsupportedMediaType: a well-formed protobuf envelope for a kind that
 * has no protobuf definition here (custom resources, kinds not served).
 * The message starts as upstream's does.
 */
export class UnknownProtobufKindError extends ApiError {
  /** `apiVersion` from the envelope. */
  readonly apiVersion: string;
  /** `kind` from the envelope. */
  readonly kind: string;

  constructor(
    apiVersion: string,
    kind: string,
    accepted: readonly string[] = ["application/json", "application/yaml"],
  ) {
    super(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format ${
        JSON.stringify(KUBE_PROTOBUF_MEDIA_TYPE)
      } - accepted media types include: ${
        accepted.join(", ")
      } (no protobuf decoding for kind ${JSON.stringify(kind)} in ${
        JSON.stringify(apiVersion)
      })`,
    );
    this.name = "UnknownProtobufKindError";
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}
