/**
 * The key service account tokens are signed with: an ECDSA P-256 (ES256)
 * private key in a PKCS#8 PEM file, created on first use when missing (mode
 * 0600), or an in-memory key for tests. Replicas that accept each other's
 * tokens share one key file (`--service-account-key-file`).
 *
 * @module
 */

import type { CryptoKey as JoseKey } from "jose";
import { createFileAtomic, readIfExists } from "../../storage/files.ts";

/** A loaded signing key: the private half signs, the public half verifies. */
export interface SigningKey {
  privateKey: JoseKey;
  publicKey: JoseKey;
  /** The JWT `kid`: base64url SHA-256 of the public key's DER (as upstream). */
  keyId: string;
}

/** The JWT algorithm of service account tokens. */
export const TOKEN_ALGORITHM = "ES256";

async function keyIdOf(publicKey: JoseKey): Promise<string> {
  const der = new Uint8Array(
    await crypto.subtle.exportKey("spki", publicKey as CryptoKey),
  );
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  const { base64url } = await import("jose");
  return base64url.encode(digest);
}

async function fromPrivate(privateKey: JoseKey): Promise<SigningKey> {
  const jose = await import("jose");
  const jwk = await jose.exportJWK(privateKey);
  delete jwk.d;
  const publicKey = await jose.importJWK(
    { ...jwk, alg: TOKEN_ALGORITHM },
    TOKEN_ALGORITHM,
    { extractable: true },
  ) as JoseKey;
  return { privateKey, publicKey, keyId: await keyIdOf(publicKey) };
}

/** A fresh in-memory key (tests, or a server without a data dir). */
export async function generateSigningKey(): Promise<SigningKey> {
  const jose = await import("jose");
  const { privateKey } = await jose.generateKeyPair(TOKEN_ALGORITHM, {
    extractable: true,
  });
  return await fromPrivate(privateKey);
}

/**
 * The key in `path`; when the file does not exist a new key is written
 * there first, atomically (mode 0600, directory created 0700): a failed
 * write (a full disk) leaves no file, so the next call simply tries again.
 * When replicas race, the first file written wins and the others use it.
 * An empty file, or one that is not an ES256 PKCS#8 PEM key, is an error
 * that names the file and what to do.
 */
export async function loadOrCreateSigningKey(
  path: string,
): Promise<SigningKey> {
  const jose = await import("jose");
  let pem = await readIfExists(path);
  if (pem === undefined) {
    const key = await generateSigningKey();
    const out = await jose.exportPKCS8(key.privateKey);
    try {
      if (await createFileAtomic(path, out)) return key;
    } catch (e) {
      throw new Error(
        `service account key file: ${
          e instanceof Error ? e.message : String(e)
        }`,
        { cause: e },
      );
    }
    // another replica on the same data dir wrote it first: use theirs
    pem = await Deno.readTextFile(path);
  }
  const fix =
    "restore it, or delete it to have a new one generated (tokens signed with the old key are then rejected)";
  if (pem.trim() === "") {
    throw new Error(`service account key file ${path} is empty; ${fix}`);
  }
  let privateKey: JoseKey;
  try {
    privateKey = await jose.importPKCS8(pem, TOKEN_ALGORITHM, {
      extractable: true,
    }) as JoseKey;
  } catch (e) {
    throw new Error(
      `service account key file ${path}: not an ECDSA P-256 private key in PKCS#8 PEM (${
        e instanceof Error ? e.message : String(e)
      }); ${fix}`,
    );
  }
  return await fromPrivate(privateKey);
}
