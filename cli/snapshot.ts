/**
 * `hyperplane snapshot save|restore|verify`: backups of the sqlite backend.
 *
 * - `save <file>` asks the server running on `--data-dir` for a consistent
 *   online copy through its control socket (`<data-dir>/control.sock`, see
 *   `backends/sqlite/snapshot_socket.ts`); with no server running, it opens
 *   the database (`--sqlite-path`, default `<data-dir>/state.db`) itself.
 * - `restore <file>` checks the file (header, size, SHA-256, SQLite's
 *   integrity check) and writes the database into a fresh `--data-dir`
 *   (or a new `--sqlite-path`); a bad file changes nothing.
 * - `verify <file>` checks a file without restoring it.
 *
 * etcd has its own tool (`etcdctl snapshot save|restore`); see README.md.
 *
 * @module
 */

import { join, resolve } from "node:path";
import {
  controlSocketPath,
  ControlSocketUnreachable,
  requestSnapshot,
  restoreSnapshot,
  SnapshotError,
  type SnapshotHeader,
  SqliteLog,
  verifySnapshot,
  writeSnapshot,
} from "../backends/sqlite/mod.ts";
import { type CliFlag, parseFlags } from "./flags.ts";
import { defaultDataDir } from "./common_flags.ts";
import { renderHelp } from "./help.ts";
import { UsageError } from "./usage_error.ts";

const FLAGS: readonly CliFlag[] = [
  {
    name: "data-dir",
    description:
      "the server's data directory (save: where its control socket is; restore: the fresh directory to restore into)",
    placeholder: "DIR",
  },
  {
    name: "sqlite-path",
    description:
      "the database file, when not <data-dir>/state.db (save without a running server; restore: where to write it)",
    placeholder: "FILE",
  },
];

const HELP = renderHelp(
  "hyperplane snapshot save|restore|verify <file> [flags]",
  `Back up and restore the sqlite backend.

  save <file>      write a consistent snapshot while the server runs (asked through
                   <data-dir>/control.sock), or of a stopped server's database
  restore <file>   check <file> and restore it into a fresh --data-dir; the server
                   then starts from it with every object and resourceVersion
  verify <file>    check a snapshot's header, size and checksum

For etcd use 'etcdctl snapshot save|restore'; see README.md.`,
  [{ title: "Flags", flags: FLAGS }],
);

function describe(file: string, h: SnapshotHeader): string {
  return `${file}: revision ${h.revision}, ${h.size} bytes, sha256 ${h.sha256}, taken ${h.createdAt}`;
}

/** Runs `snapshot`. Returns the exit status. */
export async function runSnapshot(args: string[]): Promise<number> {
  const parsed = parseFlags(args, FLAGS);
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const [action, file, ...extra] = parsed.positionals;
  if (!["save", "restore", "verify"].includes(action ?? "")) {
    throw new UsageError(
      `snapshot needs an action: save, restore or verify (see --help)`,
    );
  }
  if (!file) throw new UsageError(`snapshot ${action} needs a file`);
  if (extra.length) throw new UsageError(`unexpected argument: ${extra[0]}`);
  const given = (name: string) => {
    const v = parsed.values[name];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const dataDir = given("data-dir");
  const target = resolve(file);
  try {
    if (action === "verify") {
      console.log(`ok ${describe(target, await verifySnapshot(target))}`);
      return 0;
    }
    if (action === "restore") {
      if (!dataDir && !given("sqlite-path")) {
        throw new UsageError(
          "snapshot restore needs --data-dir (a fresh directory) or --sqlite-path",
        );
      }
      const dir = resolve(dataDir ?? defaultDataDir());
      const dbPath = resolve(given("sqlite-path") ?? join(dir, "state.db"));
      const h = await restoreSnapshot(target, dbPath);
      console.log(
        `restored ${
          describe(target, h)
        } into ${dbPath}; start the server with --data-dir ${dir}${
          given("sqlite-path") ? ` --sqlite-path ${dbPath}` : ""
        }`,
      );
      return 0;
    }
    const dir = resolve(dataDir ?? defaultDataDir());
    const h = await save(dir, given("sqlite-path"), target);
    console.log(`saved ${describe(target, h)}`);
    return 0;
  } catch (err) {
    if (err instanceof SnapshotError) {
      console.error(`hyperplane: snapshot ${action}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/** Online through the control socket, else offline on the database. */
async function save(
  dataDir: string,
  sqlitePath: string | undefined,
  file: string,
): Promise<SnapshotHeader> {
  const socket = controlSocketPath(dataDir);
  try {
    return await requestSnapshot(socket, file);
  } catch (err) {
    if (!(err instanceof ControlSocketUnreachable)) {
      throw new SnapshotError(
        `the server could not write it: ${(err as Error).message}`,
      );
    }
  }
  const dbPath = resolve(sqlitePath ?? join(dataDir, "state.db"));
  try {
    await Deno.stat(dbPath);
  } catch {
    throw new SnapshotError(
      `no server answers on ${socket} and there is no database at ${dbPath}`,
    );
  }
  let log: SqliteLog;
  try {
    log = new SqliteLog({ path: dbPath });
  } catch (err) {
    throw new SnapshotError(
      `no server answers on ${socket}, and ${dbPath} cannot be opened: ${
        (err as Error).message
      }`,
    );
  }
  try {
    return await writeSnapshot(log, file);
  } finally {
    await log.close();
  }
}
