/**
 * Private files on the local disk: the data directory holds every Secret
 * (the SQLite file), the keys and the admin token, so what the server
 * creates there is readable by its owner only — directories 0700, files
 * 0600 (public certificates may stay 0644) — and every key, certificate,
 * token and kubeconfig is written atomically, so a crash or a full disk
 * leaves the old file or none, never a truncated one.
 *
 * It lives in `storage/` because a backend may import only `storage/` and
 * the sqlite backend needs it for its database files; the serving layer and
 * the service account signing key import it downward. The storage contract
 * itself does not use it.
 *
 * @example
 * ```ts
 * await securePrivateDir("/var/lib/hyperplane", { logger });
 * await writeFileAtomic("/var/lib/hyperplane/auth/tokens.csv", "t,admin,admin\n");
 * ```
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import type { Logger } from "../log/mod.ts";

/** Mode of every directory the server creates for its own files. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file the server writes, unless it is public. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of public files (certificates). */
export const PUBLIC_FILE_MODE = 0o644;

/** Permission bits of group and others. */
const SHARED_BITS = 0o077;

/** True when `err` says the disk (or the user's quota) is full. */
export function isNoSpaceError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return true;
  // SQLite's own words (SQLITE_FULL), when node:sqlite drops the errcode.
  return err instanceof Error &&
    /database or disk is full|No space left on device/i.test(err.message);
}

/**
 * A file could not be written. The old file (or none) is left in place; the
 * message names the file and, for a full disk, says so.
 */
export class FileWriteError extends Error {
  /** The file that was being written. */
  readonly path: string;
  /** True when the disk (or quota) was full. */
  readonly noSpace: boolean;

  constructor(path: string, cause: unknown) {
    const noSpace = isNoSpaceError(cause);
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      noSpace
        ? `cannot write ${path}: the disk is full (${why}); nothing was changed, free some space and retry`
        : `cannot write ${path}: ${why}`,
      { cause },
    );
    this.name = "FileWriteError";
    this.path = path;
    this.noSpace = noSpace;
  }
}

/**
 * Creates `path` and its missing parents with mode 0700. An existing
 * directory is left as it is (it may be the user's, e.g. `~/.kube`).
 */
export async function mkdirPrivate(path: string): Promise<void> {
  await Deno.mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** {@linkcode mkdirPrivate}, synchronously. */
export function mkdirPrivateSync(path: string): void {
  Deno.mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Options for {@linkcode writeFileAtomic}. */
export interface WriteFileOptions {
  /** The file's mode. Default 0600 ({@linkcode PRIVATE_FILE_MODE}). */
  mode?: number;
}

/**
 * Replaces `path` with `data` atomically: a temporary file in the same
 * directory (created 0600), written, fsynced, closed, given `mode`, renamed
 * over `path`, then the directory is fsynced where the platform allows. The
 * directory is created (0700) when missing. On failure the temporary file
 * is removed and a {@linkcode FileWriteError} is thrown; `path` keeps its
 * old content, or stays absent.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: WriteFileOptions = {},
): Promise<void> {
  await writeViaTemp(path, data, opts.mode ?? PRIVATE_FILE_MODE, false);
}

/**
 * Writes `data` to `path` (mode 0600) only if `path` does not exist, as
 * {@linkcode writeFileAtomic} does but without replacing: the complete
 * temporary file is hard-linked to `path`, which fails if another writer
 * got there first. Returns `false` (and leaves `path` alone) in that case.
 */
export async function createFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: WriteFileOptions = {},
): Promise<boolean> {
  return await writeViaTemp(path, data, opts.mode ?? PRIVATE_FILE_MODE, true);
}

async function writeViaTemp(
  path: string,
  data: string | Uint8Array,
  mode: number,
  createOnly: boolean,
): Promise<boolean> {
  const dir = dirname(path);
  const tmp = join(
    dir,
    `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  let created = false;
  try {
    await mkdirPrivate(dir);
    const bytes = typeof data === "string"
      ? new TextEncoder().encode(data)
      : data;
    const file = await Deno.open(tmp, {
      write: true,
      createNew: true,
      mode: PRIVATE_FILE_MODE,
    });
    created = true;
    try {
      for (let off = 0; off < bytes.length;) {
        off += await file.write(bytes.subarray(off));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.chmod(tmp, mode);
    let written = true;
    if (createOnly) {
      try {
        await Deno.link(tmp, path);
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
        written = false;
      }
      created = false;
      await Deno.remove(tmp).catch(() => {});
    } else {
      await Deno.rename(tmp, path);
      created = false;
    }
    await syncDir(dir);
    return written;
  } catch (err) {
    if (created) await Deno.remove(tmp).catch(() => {});
    throw new FileWriteError(path, err);
  }
}

/** fsyncs a directory so a rename in it survives power loss (where possible). */
async function syncDir(dir: string): Promise<void> {
  let handle: Deno.FsFile | undefined;
  try {
    handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // not every platform or file system can open or fsync a directory
  } finally {
    handle?.close();
  }
}

/** Reads a text file, or returns `undefined` when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/**
 * Makes sure the file `path` exists and is private before another library
 * (SQLite) opens it: created empty with mode 0600 when missing, otherwise
 * stripped of group and other permissions. Returns the old mode when it
 * was tightened.
 */
export function ensurePrivateFileSync(path: string): number | undefined {
  try {
    Deno.openSync(path, {
      write: true,
      createNew: true,
      mode: PRIVATE_FILE_MODE,
    }).close();
    return undefined;
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
  return tightenFileSync(path);
}

/**
 * Strips group and other permissions from `path` if it exists. Returns the
 * old mode when it changed.
 */
export function tightenFileSync(path: string): number | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  const mode = info.mode;
  if (mode === null || !info.isFile || (mode & SHARED_BITS) === 0) {
    return undefined;
  }
  Deno.chmodSync(path, mode & 0o7777 & ~SHARED_BITS);
  return mode & 0o7777;
}

/** Options for {@linkcode securePrivateDir}. */
export interface SecurePrivateDirOptions {
  /**
   * Files whose mode is left alone because they are public. Default: files
   * ending in `.crt` (certificates).
   */
  isPublic?: (path: string) => boolean;
  /** Where to log, once, what was tightened. */
  logger?: Logger;
}

/** One path whose mode {@linkcode securePrivateDir} changed. */
export interface Tightened {
  path: string;
  /** The old and new permission bits. */
  from: number;
  to: number;
}

/**
 * Makes `dir` the server's private directory: created with mode 0700 when
 * missing; otherwise it and everything under it lose their group and other
 * permissions (directories become 0700, files 0600), except public files.
 * Symbolic links are neither followed nor changed. Logs one info line
 * listing what an older run (or a hand) had left open, and returns it.
 */
export async function securePrivateDir(
  dir: string,
  opts: SecurePrivateDirOptions = {},
): Promise<Tightened[]> {
  const isPublic = opts.isPublic ?? ((p: string) => p.endsWith(".crt"));
  await mkdirPrivate(dir);
  const tightened: Tightened[] = [];
  const visit = async (path: string, info: Deno.FileInfo) => {
    if (info.isSymlink || info.mode === null) return;
    if (info.isFile && isPublic(path)) return;
    const bits = info.mode & 0o7777;
    if (bits & SHARED_BITS) {
      const to = bits & ~SHARED_BITS;
      await Deno.chmod(path, to);
      tightened.push({ path, from: bits, to });
    }
    if (!info.isDirectory) return;
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      await visit(child, await Deno.lstat(child));
    }
  };
  // The directory itself may be a link to where the data really lives.
  await visit(dir, await Deno.stat(dir));
  if (tightened.length > 0) {
    opts.logger?.info("tightened file modes in the data directory", {
      dir,
      paths: tightened.map((t) =>
        `${t.path} ${t.from.toString(8)}->${t.to.toString(8)}`
      ).join(","),
    });
  }
  return tightened;
}
