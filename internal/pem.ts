/**
 * Checks of PEM files named on the command line (TLS to a storage backend):
 * a CA bundle or client certificate must hold certificates, a key file a
 * private key, so that a missing, wrong or damaged file is named at start
 * instead of surfacing later as a failed handshake.
 *
 * @module
 */

import { createPrivateKey, X509Certificate } from "node:crypto";

/** What a PEM file must hold. */
export type PemContent = "certificates" | "private key";

const CERTIFICATE_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Why the file at `path` is not a readable PEM file holding `content`, as a
 * phrase to follow the path ("is not a file", "holds no PEM CERTIFICATE
 * block", …), or `undefined` when it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pemFileProblem } from "./pem.ts";
 *
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "hello\n");
 * assert.equal(
 *   pemFileProblem(path, "certificates"),
 *   "holds no PEM CERTIFICATE block",
 * );
 * Deno.removeSync(path);
 * ```
 */
export function pemFileProblem(
  path: string,
  content: PemContent,
): string | undefined {
  let text: string;
  try {
    if (!Deno.statSync(path).isFile) return "is not a file";
    text = Deno.readTextFileSync(path);
  } catch (err) {
    return `cannot be read: ${messageOf(err)}`;
  }
  return content === "certificates"
    ? certificatesProblem(text)
    : privateKeyProblem(text);
}

function certificatesProblem(pem: string): string | undefined {
  const blocks = pem.match(CERTIFICATE_BLOCK);
  if (!blocks) return "holds no PEM CERTIFICATE block";
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `holds a certificate that does not parse (block ${
        i + 1
      } of ${blocks.length}: ${messageOf(err)})`;
    }
  }
  return undefined;
}

function privateKeyProblem(pem: string): string | undefined {
  try {
    createPrivateKey(pem);
    return undefined;
  } catch (err) {
    return `holds no readable PEM private key (${messageOf(err)})`;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
