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
