/**
 * Opens the SQLite file with the pragmas and schema the revision log needs,
 * and takes the process-exclusive lock on it.
 *
 * Schema (see README.md for the reasoning):
 *
 * - `log`: one row per committed change, keyed by the global revision
 *   (`rev INTEGER PRIMARY KEY`, i.e. the rowid, so `changes()` is a range
 *   scan). A delete is a marker row (`deleted = 1`, `value` NULL) whose
 *   `prev_rev` points at the last live row. `log_key_rev` serves reads at an
 *   older revision.
 * - `kv`: the latest live revision of each key (`key PRIMARY KEY`,
 *   WITHOUT ROWID), so latest gets and lists are one ordered range scan
 *   joined to `log` by rowid.
 * - `meta`: the revision counter as of the last compaction and the compacted
 *   revision (the counter of newer writes is `MAX(log.rev)`). A new database
 *   starts at revision 1, as etcd does, so even an empty list carries a
 *   resourceVersion clients do not read as "any" (`"0"`).
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { internal, StorageError, unavailable } from "../../storage/mod.ts";
import {
  ensurePrivateFileSync,
  isNoSpaceError,
  tightenFileSync,
} from "../../storage/files.ts";

/** How a commit is made durable. */
export type SqliteSynchronous = "normal" | "full";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0,
  value TEXT
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 1), ('compacted', 0);
`;

/** True when `err` is SQLite's SQLITE_BUSY / SQLITE_LOCKED. */
export function isLockedError(err: unknown): boolean {
  const code = (err as { errcode?: number })?.errcode;
  if (typeof code === "number") {
    return (code & 0xff) === 5 || (code & 0xff) === 6;
  }
  // Some node:sqlite paths drop `errcode`; the message is SQLite's own.
  return err instanceof Error &&
    /database (table )?is locked|database is busy/.test(err.message);
}

/** True when `err` is SQLite's SQLITE_CONSTRAINT (e.g. a duplicate primary key). */
export function isConstraintError(err: unknown): boolean {
  const code = (err as { errcode?: number })?.errcode;
  if (typeof code === "number") return (code & 0xff) === 19;
  return err instanceof Error && /constraint failed/i.test(err.message);
}

/** True when `err` is SQLite's SQLITE_FULL (or the OS's ENOSPC). */
export function isFullError(err: unknown): boolean {
  const code = (err as { errcode?: number })?.errcode;
  if (typeof code === "number" && (code & 0xff) === 13) return true;
  return isNoSpaceError(err);
}

/**
 * Wraps a SQLite failure in a typed storage error (typed errors pass
 * through). A full disk is an internal error (500) that says so: the
 * failed transaction is rolled back, reads go on, and writes succeed again
 * once space is freed, without a restart.
 */
export function sqliteError(what: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (isLockedError(err)) return unavailable(`sqlite: ${what}: ${msg}`, err);
  if (isFullError(err)) {
    return internal(
      `sqlite: ${what}: the disk holding the database is full (${msg}); ` +
        `nothing was written, reads still work, free disk space and retry`,
      err,
    );
  }
  return internal(`sqlite: ${what}: ${msg}`, err);
}

/** The files SQLite keeps beside the database (WAL mode, rollback journal). */
const COMPANION_SUFFIXES = ["-wal", "-shm", "-journal"];

/**
 * Makes the database file and its companions private before SQLite opens
 * them: the database is created empty with mode 0600 when missing, and it
 * and any existing `-wal`, `-shm` or `-journal` lose group and other
 * permissions. SQLite gives a `-wal` or `-shm` it creates later the mode of
 * the database file, so they are 0600 too. Returns what was tightened as
 * `path oldmode` strings.
 */
export function privateDatabaseFiles(path: string): string[] {
  const tightened: string[] = [];
  const note = (file: string, old: number | undefined) => {
    if (old !== undefined) tightened.push(`${file} ${old.toString(8)}`);
  };
  note(path, ensurePrivateFileSync(path));
  for (const suffix of COMPANION_SUFFIXES) {
    note(path + suffix, tightenFileSync(path + suffix));
  }
  return tightened;
}

/**
 * Opens `path` (creating the file with mode 0600, see
 * {@linkcode privateDatabaseFiles}), sets WAL mode with an exclusive lock held
 * for the life of the connection, and creates the schema. A second opener
 * (another process, or another connection in this one) gets an `Unavailable`
 * error naming the file.
 */
export function openDatabase(
  path: string,
  synchronous: SqliteSynchronous,
): DatabaseSync {
  let db: DatabaseSync;
  try {
    privateDatabaseFiles(path);
    db = new DatabaseSync(path);
  } catch (err) {
    throw unavailable(
      `sqlite: cannot open ${path}: ${(err as Error).message}`,
      err,
    );
  }
  try {
    // Exclusive locking before WAL: no shared-memory index, and the write
    // lock taken by the first write below is kept until close, so no other
    // connection can read or write the file behind our back.
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    // auto_vacuum only takes effect before the first table is created.
    db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    const mode = db.prepare("PRAGMA journal_mode = WAL").get() as {
      journal_mode: string;
    };
    if (mode.journal_mode !== "wal") {
      throw internal(
        `sqlite: ${path}: cannot enable WAL (${mode.journal_mode})`,
      );
    }
    db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    // A commit writes three pages (history, its index, kv), so checkpoints
    // come three times as often as for a one-table database; 4000 pages
    // (~16 MiB, the journal size limit) made creates ~15% faster than 1000.
    db.exec("PRAGMA wal_autocheckpoint = 4000");
    db.exec(`PRAGMA journal_size_limit = ${16 * 1024 * 1024}`);
    db.exec("PRAGMA temp_store = MEMORY");
    // 8 MiB of page cache: filled by any load and never handed back (not
    // even by `PRAGMA shrink_memory`: the pages stay with the allocator).
    // 32 MiB cost ~50 MiB of RSS after 20,000 creates and did not make
    // paged lists of 100,000 objects faster (bench/README.md, "Memory").
    db.exec("PRAGMA cache_size = -8192");
    db.exec("BEGIN IMMEDIATE");
    db.exec(SCHEMA);
    db.exec("COMMIT");
    // The lock is ours now; the timeout only guards against surprises.
    db.exec("PRAGMA busy_timeout = 5000");
    return db;
  } catch (err) {
    try {
      db.close();
    } catch { /* already failing */ }
    if (isLockedError(err)) {
      throw unavailable(
        `sqlite: ${path} is locked by another process or connection ` +
          `(one hyperplane process owns a database file at a time)`,
        err,
      );
    }
    throw sqliteError(`opening ${path}`, err);
  }
}
