/**
 * The value transformers of upstream's encryption providers, byte for byte
 * in upstream's layout after the `k8s:enc:<provider>:v1:<keyname>:` prefix:
 *
 * - `aesgcm`: 12-byte random nonce ‖ AES-GCM ciphertext ‖ 16-byte tag, with
 *   the storage key as additional authenticated data (a value copied to
 *   another key does not decrypt);
 * - `aescbc`: 16-byte random IV ‖ AES-CBC ciphertext, PKCS#7 padded;
 * - `secretbox`: 24-byte random nonce ‖ XSalsa20-Poly1305 box (tweetnacl).
 *
 * AES runs on `node:crypto` (OpenSSL, synchronous: no promise per value).
 * Decryption failures carry upstream's (Go's) messages.
 *
 * @module
 */

import {
  type CipherGCM,
  createCipheriv,
  createDecipheriv,
  type DecipherGCM,
  randomBytes,
} from "node:crypto";
import { Buffer } from "node:buffer";
import { tweetnacl } from "../../internal/lazy_npm.ts";
import type { ProviderConfig } from "./config.ts";

/** Transforms plaintext bytes to and from what is stored after the prefix. */
export interface ValueTransformer {
  /** `k8s:enc:aesgcm:v1:key1:`; `""` for identity. */
  readonly prefix: string;
  /** `k8s:enc:aesgcm:v1:` (no key name): the metrics label. */
  readonly providerPrefix: string;
  encrypt(plain: Uint8Array, authenticatedData: string): Uint8Array;
  /** Throws an `Error` with upstream's message when the bytes do not decrypt. */
  decrypt(stored: Uint8Array, authenticatedData: string): Uint8Array;
}

/** The prefix every encrypted value starts with. */
export const ENCRYPTED_PREFIX = "k8s:enc:";

const SHORT = "the stored data was shorter than the required size";

function aesName(mode: "gcm" | "cbc", key: Uint8Array): string {
  return `aes-${key.length * 8}-${mode}`;
}

function aesgcm(key: Uint8Array, prefix: string): ValueTransformer {
  const algorithm = aesName("gcm", key);
  return {
    prefix,
    providerPrefix: "k8s:enc:aesgcm:v1:",
    encrypt(plain, ad) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algorithm, key, nonce) as CipherGCM;
      c.setAAD(Buffer.from(ad, "utf8"));
      const body = c.update(plain);
      // GCM is a stream mode: `final` adds no bytes, it only makes the tag.
      const last = c.final();
      // One allocation for nonce ‖ ciphertext ‖ tag (no Buffer.concat).
      const out = new Uint8Array(12 + body.length + last.length + 16);
      out.set(nonce, 0);
      out.set(body, 12);
      out.set(last, 12 + body.length);
      out.set(c.getAuthTag(), out.length - 16);
      return out;
    },
    decrypt(stored, ad) {
      if (stored.length < 12 + 16) throw new Error(SHORT);
      const d = createDecipheriv(
        algorithm,
        key,
        stored.subarray(0, 12),
      ) as DecipherGCM;
      d.setAAD(Buffer.from(ad, "utf8"));
      d.setAuthTag(stored.subarray(stored.length - 16));
      try {
        const body = d.update(stored.subarray(12, stored.length - 16));
        const last = d.final(); // verifies the tag; adds no bytes (GCM)
        return last.length === 0 ? body : Buffer.concat([body, last]);
      } catch {
        throw new Error("cipher: message authentication failed");
      }
    },
  };
}

function aescbc(key: Uint8Array, prefix: string): ValueTransformer {
  const algorithm = aesName("cbc", key);
  return {
    prefix,
    providerPrefix: "k8s:enc:aescbc:v1:",
    encrypt(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(algorithm, key, iv);
      return Buffer.concat([iv, c.update(plain), c.final()]);
    },
    decrypt(stored) {
      if (stored.length < 16) throw new Error(SHORT);
      if ((stored.length - 16) % 16 !== 0) {
        throw new Error("the stored data is not a multiple of the block size");
      }
      const d = createDecipheriv(algorithm, key, stored.subarray(0, 16));
      try {
        return Buffer.concat([d.update(stored.subarray(16)), d.final()]);
      } catch {
        throw new Error("invalid PKCS7 data (empty or not padded)");
      }
    },
  };
}

function secretbox(key: Uint8Array, prefix: string): ValueTransformer {
  const nacl = tweetnacl();
  return {
    prefix,
    providerPrefix: "k8s:enc:secretbox:v1:",
    encrypt(plain) {
      const nonce = randomBytes(24);
      const box = nacl.secretbox(plain, nonce, key);
      return Buffer.concat([nonce, box]);
    },
    decrypt(stored) {
      if (stored.length < 24 + nacl.secretbox.overheadLength) {
        throw new Error(SHORT);
      }
      const out = nacl.secretbox.open(
        stored.subarray(24),
        stored.subarray(0, 24),
        key,
      );
      if (!out) throw new Error("output array too small");
      return out;
    },
  };
}

const IDENTITY: ValueTransformer = {
  prefix: "",
  providerPrefix: "identity",
  encrypt: (plain) => plain,
  decrypt: (stored) => stored,
};

/**
 * One transformer per key, in the order the provider lists them (upstream
 * turns every key into its own prefixed transformer; the first one writes).
 */
export function transformersOf(p: ProviderConfig): ValueTransformer[] {
  if (p.kind === "identity") return [IDENTITY];
  const make = { aesgcm, aescbc, secretbox }[p.kind];
  return p.keys.map((k) =>
    make(k.secret, `${ENCRYPTED_PREFIX}${p.kind}:v1:${k.name}:`)
  );
}
