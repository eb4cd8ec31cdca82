/**
 * How an encrypted value sits in a backend that stores JSON objects: an
 * envelope object whose `value` is upstream's stored form,
 * `k8s:enc:<provider>:v1:<keyname>:` followed by the ciphertext bytes in
 * base64 (JSON cannot hold raw bytes). Its metadata is empty — backends own
 * `metadata.resourceVersion` and set it as for any object; name, namespace,
 * UID, labels and the data are all inside the ciphertext. `key` repeats the
 * storage key the value was written under (visible in the backend anyway):
 * AES-GCM authenticates the value with it, and list items carry no key of
 * their own.
 *
 * ```json
 * {"apiVersion":"encryption.hyperplane.dev/v1","kind":"EncryptedValue",
 *  "metadata":{},"key":"/registry/secrets/clusters/root/default/s1",
 *  "value":"k8s:enc:aesgcm:v1:key1:q83v…"}
 * ```
 *
 * A value that failed to decrypt travels up to the watch cache as a
 * placeholder (see {@linkcode placeholder}), so one bad object does not stop
 * the cache of its resource; the guard above the cache turns it into the
 * error for that object.
 *
 * @module
 */

import type { KubeObject } from "../object.ts";

/** `apiVersion` of the envelope. */
export const ENVELOPE_API_VERSION = "encryption.hyperplane.dev/v1";
/** `kind` of the envelope. */
export const ENVELOPE_KIND = "EncryptedValue";
/** The field of a placeholder that carries the transformation error. */
export const TRANSFORM_ERROR_FIELD =
  "encryption.hyperplane.dev/transform-error";
/** The field of a placeholder that carries the object's storage key. */
export const TRANSFORM_ERROR_KEY_FIELD =
  "encryption.hyperplane.dev/transform-error-key";

/** A stored encrypted value. */
export interface Envelope extends KubeObject {
  apiVersion: typeof ENVELOPE_API_VERSION;
  kind: typeof ENVELOPE_KIND;
  /** The storage key the value was written under. */
  key: string;
  /** Upstream's prefix, then the ciphertext in base64. */
  value: string;
}

/** True when `obj` is an envelope. */
export function isEnvelope(obj: KubeObject): obj is Envelope {
  return obj.kind === ENVELOPE_KIND &&
    obj.apiVersion === ENVELOPE_API_VERSION &&
    typeof obj.value === "string" && typeof obj.key === "string";
}

/** A new envelope holding `value`. */
export function envelope(key: string, value: string): Envelope {
  return {
    apiVersion: ENVELOPE_API_VERSION,
    kind: ENVELOPE_KIND,
    metadata: {},
    key,
    value,
  };
}

/**
 * Stands for an object that did not decrypt: its name and namespace (from
 * its storage `key`), resourceVersion, key, and the error message for it.
 */
export function placeholder(
  key: string,
  resourceVersion: string | undefined,
  message: string,
): KubeObject {
  const rest = /\/clusters\/[^/]+\/(.+)$/.exec(key)?.[1] ??
    key.slice(key.lastIndexOf("/") + 1);
  const parts = rest.split("/");
  const metadata: KubeObject["metadata"] = { name: parts[parts.length - 1] };
  if (parts.length === 2) metadata.namespace = parts[0];
  metadata.resourceVersion = resourceVersion;
  return {
    metadata,
    [TRANSFORM_ERROR_FIELD]: message,
    [TRANSFORM_ERROR_KEY_FIELD]: key,
  };
}

/** The storage key of a placeholder (`""` when it has none). */
export function placeholderKey(obj: KubeObject): string {
  const k = obj[TRANSFORM_ERROR_KEY_FIELD];
  return typeof k === "string" ? k : "";
}

/** The error message of a placeholder; `undefined` for a real object. */
export function placeholderError(obj: KubeObject): string | undefined {
  const m = obj[TRANSFORM_ERROR_FIELD];
  return typeof m === "string" ? m : undefined;
}
