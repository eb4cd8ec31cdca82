/**
 * Bytes as lower-case hex, and hex digests of text: tokens, certificate
 * serials and fingerprints, and the content hashes of cached documents all
 * write bytes this way.
 *
 * @example
 * ```ts
 * import { digestHex, toHex } from "./hex.ts";
 *
 * toHex(new Uint8Array([0, 255])); // "00ff"
 * await digestHex("SHA-256", "abc"); // "ba7816bf…"
 * ```
 *
 * @module
 */

/** `bytes` as lower-case hex, two digits per byte. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return Array.from(view, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The `algorithm` (WebCrypto name) digest of `data` (text: UTF-8), hex. */
export async function digestHex(
  algorithm: "SHA-256" | "SHA-512",
  data: string | Uint8Array<ArrayBuffer>,
): Promise<string> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  return toHex(await crypto.subtle.digest(algorithm, bytes));
}

/**
 * A random certificate serial number as hex: 16 random bytes read as a
 * positive DER INTEGER without a leading zero byte (RFC 5280 §4.1.2.2: at
 * most 20 octets, positive; CA/Browser Forum: ≥ 64 random bits).
 */
export function randomSerialHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // a positive INTEGER
  if (bytes[0] === 0) bytes[0] = 1; // and no leading zero byte
  return toHex(bytes);
}
