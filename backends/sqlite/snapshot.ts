/**
 * Snapshots of the sqlite backend: a consistent copy of the database taken
 * while the server runs, in a file with a header and a checksum, and the
 * restore of such a file into a fresh data dir.
 *
 * File format (version 1):
 *
 * ```text
 * HYPERPLANE-SNAPSHOT 1\n
 * {"backend":"sqlite","revision":812,"compactedRevision":700,"createdAt":"…","size":135168,"sha256":"…"}\n
 * <size bytes: the SQLite database>
 * ```
 *
 * The copy is SQLite's `VACUUM INTO`, run on the server's own connection
 * between two group commits ({@linkcode SqliteLog.vacuumInto}), so it holds
 * exactly the writes acknowledged up to `revision`. A restore checks the
 * header, the size and the SHA-256 of the body, then SQLite's
 * `integrity_check` and the revision of a copy in a temporary directory,
 * before it creates anything in the target: a bad file leaves the data dir
 * untouched.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { mkdirPrivate } from "../../storage/files.ts";
import type { SqliteLog } from "./sqlite_log.ts";

/** The first line of every snapshot file. */
export const SNAPSHOT_MAGIC = "HYPERPLANE-SNAPSHOT 1\n";
const MAX_HEADER_BYTES = 64 * 1024;
const CHUNK = 1 << 20;

/** What the header of a snapshot says. */
export interface SnapshotHeader {
  backend: "sqlite";
  /** The revision the snapshot holds (every write up to it). */
  revision: number;
  /** The compacted revision of the copied database. */
  compactedRevision: number;
  /** When it was taken (RFC 3339). */
  createdAt: string;
  /** Bytes of the database that follow the header. */
  size: number;
  /** SHA-256 of those bytes, hex. */
  sha256: string;
}

/** A snapshot could not be written, read or restored; the message says why. */
export class SnapshotError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "SnapshotError";
  }
}

function tempBeside(path: string, what: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.${what}`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function removeQuietly(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
}

/** SHA-256 (hex) of `length` bytes of `file` from `offset`. */
async function hashRange(
  file: string,
  offset: number,
  length: number,
): Promise<string> {
  const hash = createHash("sha256");
  using f = await Deno.open(file, { read: true });
  await f.seek(offset, Deno.SeekMode.Start);
  const buf = new Uint8Array(CHUNK);
  let left = length;
  while (left > 0) {
    const n = await f.read(buf.subarray(0, Math.min(CHUNK, left)));
    if (n === null) break;
    hash.update(buf.subarray(0, n));
    left -= n;
  }
  return hash.digest("hex");
}

/** Appends `length` bytes of `from` (at `offset`) to the open file `to`. */
async function copyRange(
  from: string,
  offset: number,
  length: number,
  to: Deno.FsFile,
): Promise<void> {
  using f = await Deno.open(from, { read: true });
  await f.seek(offset, Deno.SeekMode.Start);
  const buf = new Uint8Array(CHUNK);
  let left = length;
  while (left > 0) {
    const n = await f.read(buf.subarray(0, Math.min(CHUNK, left)));
    if (n === null) throw new SnapshotError(`${from} ended early`);
    let written = 0;
    while (written < n) written += await to.write(buf.subarray(written, n));
    left -= n;
  }
}

/** The revision counter and compacted revision of a database file. */
function readRevisions(
  path: string,
): { revision: number; compacted: number; integrity: string } {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const integrity = (db.prepare("PRAGMA integrity_check").all() as {
      integrity_check: string;
    }[]).map((r) => r.integrity_check).join("; ");
    const meta = (name: string) =>
      Number(
        (db.prepare("SELECT value FROM meta WHERE name = ?").get(name) as {
          value: number;
        } | undefined)?.value ?? 0,
      );
    const maxRow = Number(
      (db.prepare("SELECT COALESCE(MAX(rev), 0) AS rev FROM log").get() as {
        rev: number;
      }).rev,
    );
    return {
      revision: Math.max(meta("revision"), maxRow),
      compacted: meta("compacted"),
      integrity,
    };
  } finally {
    db.close();
  }
}

/**
 * Writes a snapshot of `log`'s database to `file` (created 0600; an
 * existing file is not replaced). The file appears complete or not at all.
 */
export async function writeSnapshot(
  log: SqliteLog,
  file: string,
  now: () => Date = () => new Date(),
): Promise<SnapshotHeader> {
  if (await exists(file)) {
    throw new SnapshotError(`${file} exists; choose a new file name`);
  }
  const copy = tempBeside(file, "db.tmp");
  const out = tempBeside(file, "tmp");
  try {
    const revision = log.vacuumInto(copy);
    await Deno.chmod(copy, 0o600);
    const { compacted, integrity } = readRevisions(copy);
    if (integrity !== "ok") {
      throw new SnapshotError(`the copied database is not sound: ${integrity}`);
    }
    const size = (await Deno.stat(copy)).size;
    const header: SnapshotHeader = {
      backend: "sqlite",
      revision,
      compactedRevision: compacted,
      createdAt: now().toISOString(),
      size,
      sha256: await hashRange(copy, 0, size),
    };
    {
      using f = await Deno.open(out, {
        write: true,
        createNew: true,
        mode: 0o600,
      });
      await f.write(
        new TextEncoder().encode(
          SNAPSHOT_MAGIC + JSON.stringify(header) + "\n",
        ),
      );
      await copyRange(copy, 0, size, f);
      await f.sync();
    }
    // A hard link refuses to replace a file made meanwhile.
    await Deno.link(out, file);
    return header;
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError(
      `cannot write snapshot ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await removeQuietly(copy);
    await removeQuietly(out);
  }
}

/**
 * Reads and checks the header of `file`; `offset` is where the database
 * starts. Only the header is read (see {@linkcode verifySnapshot}).
 */
export async function readSnapshotHeader(
  file: string,
): Promise<{ header: SnapshotHeader; offset: number; fileSize: number }> {
  let head: Uint8Array;
  let fileSize: number;
  try {
    using f = await Deno.open(file, { read: true });
    fileSize = (await f.stat()).size;
    head = new Uint8Array(Math.min(MAX_HEADER_BYTES, fileSize));
    let got = 0;
    while (got < head.length) {
      const n = await f.read(head.subarray(got));
      if (n === null) break;
      got += n;
    }
    head = head.subarray(0, got);
  } catch (err) {
    throw new SnapshotError(
      `cannot read snapshot ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const text = new TextDecoder().decode(head);
  if (!text.startsWith(SNAPSHOT_MAGIC)) {
    throw new SnapshotError(
      `${file} is not a hyperplane snapshot (it does not start with ${
        JSON.stringify(SNAPSHOT_MAGIC.trim())
      })`,
    );
  }
  const end = text.indexOf("\n", SNAPSHOT_MAGIC.length);
  if (end < 0) {
    throw new SnapshotError(`${file}: the snapshot header is cut off`);
  }
  let header: SnapshotHeader;
  try {
    header = JSON.parse(text.slice(SNAPSHOT_MAGIC.length, end));
  } catch {
    throw new SnapshotError(`${file}: the snapshot header is not valid JSON`);
  }
  const offset = new TextEncoder().encode(text.slice(0, end + 1)).length;
  if (
    header?.backend !== "sqlite" || !Number.isSafeInteger(header.revision) ||
    !Number.isSafeInteger(header.size) || header.size <= 0 ||
    typeof header.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(header.sha256)
  ) {
    throw new SnapshotError(
      `${file}: the snapshot header lacks backend "sqlite", revision, size or sha256`,
    );
  }
  return { header, offset, fileSize };
}

/** Checks the header, size and checksum of `file`; returns its header. */
export async function verifySnapshot(file: string): Promise<SnapshotHeader> {
  const { header, offset, fileSize } = await readSnapshotHeader(file);
  if (fileSize !== offset + header.size) {
    throw new SnapshotError(
      `${file} is corrupt: the header promises ${header.size} bytes of database, the file holds ${
        fileSize - offset
      }`,
    );
  }
  const sum = await hashRange(file, offset, header.size);
  if (sum !== header.sha256) {
    throw new SnapshotError(
      `${file} is corrupt: checksum mismatch (sha256 in header ${header.sha256}, of the content ${sum})`,
    );
  }
  return header;
}

/**
 * Restores `file` to the database `dbPath`, which must not exist (restore
 * into a fresh data dir). Everything is checked first on a copy in a
 * temporary directory; on any failure nothing is created at `dbPath` or in
 * its directory.
 */
export async function restoreSnapshot(
  file: string,
  dbPath: string,
): Promise<SnapshotHeader> {
  for (const p of [dbPath, `${dbPath}-wal`, `${dbPath}-journal`]) {
    if (await exists(p)) {
      throw new SnapshotError(
        `${p} exists: a snapshot is restored into a fresh data dir (or a new --sqlite-path), never over a database`,
      );
    }
  }
  const { header, offset, fileSize } = await readSnapshotHeader(file);
  if (fileSize !== offset + header.size) {
    throw new SnapshotError(
      `${file} is corrupt: the header promises ${header.size} bytes of database, the file holds ${
        fileSize - offset
      }; nothing was restored`,
    );
  }
  const scratch = await Deno.makeTempDir({ prefix: "hyperplane-restore-" });
  try {
    const copy = join(scratch, "state.db");
    {
      using f = await Deno.open(copy, {
        write: true,
        createNew: true,
        mode: 0o600,
      });
      await copyRange(file, offset, header.size, f);
    }
    const sum = await hashRange(copy, 0, header.size);
    if (sum !== header.sha256) {
      throw new SnapshotError(
        `${file} is corrupt: checksum mismatch (sha256 in header ${header.sha256}, of the content ${sum}); nothing was restored`,
      );
    }
    let found: ReturnType<typeof readRevisions>;
    try {
      found = readRevisions(copy);
    } catch (err) {
      throw new SnapshotError(
        `${file}: the database in the snapshot cannot be read: ${
          (err as Error).message
        }; nothing was restored`,
      );
    }
    if (found.integrity !== "ok" || found.revision !== header.revision) {
      throw new SnapshotError(
        `${file}: the database in the snapshot is not sound (integrity ${found.integrity}, revision ${found.revision}, header ${header.revision}); nothing was restored`,
      );
    }
    await mkdirPrivate(dirname(dbPath));
    const tmp = tempBeside(dbPath, "tmp");
    try {
      {
        using out = await Deno.open(tmp, {
          write: true,
          createNew: true,
          mode: 0o600,
        });
        await copyRange(copy, 0, header.size, out);
        await out.sync();
      }
      await Deno.link(tmp, dbPath);
    } finally {
      await removeQuietly(tmp);
    }
    return header;
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}
