/**
 * {@linkcode ResourceTransformer}: upstream's prefix transformers for one
 * resource — the first provider's first key writes, every provider reads the
 * values that carry its prefix, `identity` reads values without one. A value
 * read by anything but the first transformer is *stale*: an update rewrites
 * it even when the object did not change (that is how
 * `kubectl get secrets -A -o json | kubectl replace -f -` re-encrypts
 * everything with a new key).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { KubeObject } from "../object.ts";
import { decodeObject } from "../object.ts";
import { type Envelope, envelope, isEnvelope } from "./envelope.ts";
import type { TransformationMetrics } from "./metrics.ts";
import { ENCRYPTED_PREFIX, type ValueTransformer } from "./providers.ts";

/** A value that did not decrypt; `message` is upstream's reason. */
export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransformError";
  }
}

/** How many trailing base64 characters identify a ciphertext (random bytes). */
const ID_CHARS = 24;
/** On an envelope {@linkcode ResourceTransformer.toStorage} made: its {@linkcode ciphertextId}. */
export const CIPHERTEXT_ID: unique symbol = Symbol("ciphertextId");
type EnvelopeWithId = Envelope & { [CIPHERTEXT_ID]?: string };

/**
 * A short id of an envelope's ciphertext (its last base64 characters: the
 * tag or random ciphertext bytes), cheap to take from a freshly made one.
 */
export function ciphertextId(env: Envelope): string {
  return (env as EnvelopeWithId)[CIPHERTEXT_ID] ?? env.value.slice(-ID_CHARS);
}

/** A value read from storage. */
export interface ReadValue {
  /** The plaintext object, with the stored object's resourceVersion. */
  obj: KubeObject;
  /** True when the first transformer did not write it (rewrite on update). */
  stale: boolean;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The bytes of stored base64: V8's strict decoder for what this layer
 * writes (standard alphabet, padded), `Buffer`'s lenient one for anything
 * else, so odd input decodes exactly as it always did.
 */
function fromBase64(text: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    return Buffer.from(text, "base64");
  }
}

/** The transformers of one resource, in the configuration's order. */
export class ResourceTransformer {
  readonly #list: readonly ValueTransformer[];
  readonly #metrics: TransformationMetrics;
  /** True when writes are encrypted (the first provider is not identity). */
  readonly encrypts: boolean;

  constructor(
    transformers: readonly ValueTransformer[],
    metrics: TransformationMetrics,
  ) {
    this.#list = transformers;
    this.#metrics = metrics;
    this.encrypts = transformers.length > 0 && transformers[0].prefix !== "";
  }

  /** Counts a write that identity passes through unchanged. */
  recordIdentityWrite(): void {
    this.#metrics.record("to_storage", "identity", true);
  }

  /**
   * The stored form of the object whose storage JSON (`encodeObject`) is
   * `json`: an envelope, or the plain object when identity writes.
   */
  toStorage(json: string, key: string): KubeObject {
    const t = this.#list[0];
    if (!this.encrypts) {
      this.#metrics.record("to_storage", t.providerPrefix, true);
      return JSON.parse(json);
    }
    try {
      const bytes = t.encrypt(Buffer.from(json, "utf8"), key);
      this.#metrics.record("to_storage", t.providerPrefix, true);
      // V8's own base64 (a tenth of Buffer's cost in Deno).
      const b64 = bytes.toBase64();
      const env = envelope(key, t.prefix + b64);
      // Cut from the flat base64, not the concatenated value (that would copy it).
      (env as EnvelopeWithId)[CIPHERTEXT_ID] = b64.slice(-ID_CHARS);
      return env;
    } catch (err) {
      this.#metrics.record("to_storage", t.providerPrefix, false);
      throw new TransformError((err as Error).message);
    }
  }

  /**
   * Reads a stored object. Throws a {@linkcode TransformError} when no
   * configured transformer can read it.
   */
  fromStorage(stored: KubeObject, key: string): ReadValue {
    const rv = Number(stored.metadata?.resourceVersion ?? 0);
    if (!isEnvelope(stored)) {
      const i = this.#list.findIndex((t) => t.prefix === "");
      if (i < 0) {
        this.#metrics.record("from_storage", "unknown", false);
        throw new TransformError("no matching prefix found");
      }
      this.#metrics.record("from_storage", "identity", true);
      return { obj: stored, stale: i !== 0 };
    }
    const value = stored.value;
    let identityError: string | undefined;
    for (let i = 0; i < this.#list.length; i++) {
      const t = this.#list[i];
      if (t.prefix === "") {
        if (value.startsWith(ENCRYPTED_PREFIX)) {
          identityError = "identity transformer tried to read encrypted data";
          continue;
        }
      } else if (!value.startsWith(t.prefix)) continue;
      let json: string;
      try {
        const bytes = fromBase64(value.slice(t.prefix.length));
        json = decoder.decode(t.decrypt(bytes, key));
      } catch (err) {
        this.#metrics.record("from_storage", t.providerPrefix, false);
        throw new TransformError((err as Error).message);
      }
      let obj: KubeObject;
      try {
        obj = decodeObject(json, rv);
      } catch (err) {
        this.#metrics.record("from_storage", t.providerPrefix, false);
        throw new TransformError(
          `decrypted data is not an object: ${(err as Error).message}`,
        );
      }
      this.#metrics.record("from_storage", t.providerPrefix, true);
      return { obj, stale: i !== 0 };
    }
    this.#metrics.record("from_storage", "unknown", false);
    throw new TransformError(identityError ?? "no matching prefix found");
  }
}
