/**
 * The key service account tokens are signed with: an ECDSA P-256 (ES256)
 * private key in a PKCS#8 PEM file, created on first use when missing (mode
 * 0600), or an in-memory key for tests. Replicas that accept each other's
 * tokens share one key file (`--service-account-key-file`).
 *
 * Rotation: the public half of every signing key the server has used is
 * kept in a history file beside the key (`service-account.pub`, PEM
 * `PUBLIC KEY` blocks, 0600). Replace the key file and restart: new tokens
 * are signed with the new key, tokens signed with an older one still verify
 * until they expire, and the JWKS lists every key. Delete a block from the
 * history to stop trusting that key (e.g. after a leak).
 *
 * @module
 */

import type { CryptoKey as JoseKey } from "jose";
import {
  createFileAtomic,
  readIfExists,
  writeFileAtomic,
} from "../../storage/files.ts";

/** A loaded signing key: the private half signs, the public half verifies. */
export interface SigningKey {
  /**
   * The private key (a Web Crypto `CryptoKey`) that signs tokens. Not in the docs:
   * `jose`'s key type is not exported from here.
   *
   * @ignore
   */
  privateKey: JoseKey;
  /**
   * The public key (a Web Crypto `CryptoKey`) that verifies them. Not in the docs:
   * `jose`'s key type is not exported from here.
   *
   * @ignore
   */
  publicKey: JoseKey;
  /** The JWT `kid`: base64url SHA-256 of the public key's DER (as upstream). */
  keyId: string;
  /**
   * Every key tokens may be verified with, this one included (previous
   * signing keys from the history file). Absent: this one only.
   */
  verificationKeys?: VerificationKey[];
}

/** A public key that verifies tokens, with its `kid`. */
export interface VerificationKey {
  /**
   * The public key (a Web Crypto `CryptoKey`). Not in the docs:
   * `jose`'s key type is not exported from here.
   *
   * @ignore
   */
  publicKey: JoseKey;
  /** The key's JWT `kid`. */
  keyId: string;
}

const PUBLIC_KEY_BLOCK =
  /-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+?-----END PUBLIC KEY-----/g;

/**
 * Adds `key`'s public half to the history file `path` (when missing) and
 * returns every key of the history. A block that is not an ES256 public key
 * is an error naming the file.
 */
export async function rememberSigningKey(
  path: string,
  key: SigningKey,
): Promise<SigningKey> {
  const jose = await import("jose");
  const text = await readIfExists(path) ?? "";
  const keys: VerificationKey[] = [];
  for (const block of text.match(PUBLIC_KEY_BLOCK) ?? []) {
    let publicKey: JoseKey;
    try {
      publicKey = await jose.importSPKI(block, TOKEN_ALGORITHM, {
        extractable: true,
      }) as JoseKey;
    } catch (e) {
      throw new Error(
        `service account key history ${path}: a block is not an ECDSA P-256 public key (${
          e instanceof Error ? e.message : String(e)
        }); remove it`,
      );
    }
    keys.push({ publicKey, keyId: await keyIdOf(publicKey) });
  }
  if (!keys.some((k) => k.keyId === key.keyId)) {
    const pem = await jose.exportSPKI(key.publicKey);
    const next = text.trim() === "" ? pem : `${text.trimEnd()}\n${pem}`;
    // 0600 like the rest of the data dir (securePrivateDir would tighten
    // it anyway; only *.crt stay 0644).
    await writeFileAtomic(path, next.endsWith("\n") ? next : `${next}\n`);
    keys.push({ publicKey: key.publicKey, keyId: key.keyId });
  }
  return { ...key, verificationKeys: keys };
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
