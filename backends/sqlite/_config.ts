/**
 * The `--sqlite-*` flag block: its specs, validation (every problem, one
 * line each) and the resolved configuration.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import type { FlagSpec, FlagValues } from "../../registry/mod.ts";
import { parseDuration } from "../../internal/duration.ts";

/** The default of `--sqlite-compaction-interval`. */
export const DEFAULT_COMPACTION_INTERVAL = "5m";

/** The sqlite backend's flags. */
export const SQLITE_FLAGS: readonly FlagSpec[] = [
  {
    name: "sqlite-path",
    description:
      "SQLite database file, created when missing (default <data-dir>/state.db)",
    placeholder: "FILE",
  },
  {
    name: "sqlite-compaction-interval",
    description:
      "how often to compact history, keeping one interval of it (e.g. 30s, 5m, 1h; 0 disables)",
    default: DEFAULT_COMPACTION_INTERVAL,
    placeholder: "DURATION",
  },
];

/** The resolved sqlite configuration. */
export interface SqliteConfig {
  /** Absolute path of the database file. */
  path: string;
  /** Milliseconds between compactions; 0 = never. */
  compactionIntervalMs: number;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (err) {
    // ENOTDIR: some ancestor is a file, so `path` does not exist either.
    if (
      err instanceof Deno.errors.NotFound ||
      err instanceof Deno.errors.NotADirectory
    ) return undefined;
    throw err;
  }
}

/** Why the directory for `file` cannot be created or written, if it cannot. */
function directoryProblem(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    let info: Deno.FileInfo | undefined;
    try {
      info = statOrUndefined(dir);
    } catch (err) {
      return `cannot inspect ${dir}: ${(err as Error).message}`;
    }
    if (info) {
      if (!info.isDirectory) return `${dir} is not a directory`;
      try {
        // The nearest existing ancestor must let us create entries.
        Deno.removeSync(Deno.makeTempDirSync({ dir, prefix: ".hp-probe-" }));
      } catch (err) {
        return `cannot create files in ${dir}: ${(err as Error).message}`;
      }
      return undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return `no existing ancestor of ${file}`;
    dir = parent;
  }
}

/** Resolves the flag values; `problems` lists every invalid value. */
export function resolveConfig(
  values: FlagValues,
  dataDir: string,
): { config: SqliteConfig; problems: string[] } {
  const problems: string[] = [];
  const rawPath = values["sqlite-path"];
  const path = resolve(
    rawPath === undefined || rawPath === ""
      ? join(dataDir, "state.db")
      : rawPath,
  );
  const info = (() => {
    try {
      return statOrUndefined(path);
    } catch {
      return undefined;
    }
  })();
  if (info && !info.isFile) {
    problems.push(`--sqlite-path ${path} exists and is not a file`);
  } else if (!info) {
    const why = directoryProblem(path);
    if (why) {
      problems.push(
        `--sqlite-path ${path}: cannot create its directory: ${why}`,
      );
    }
  }
  const rawInterval = values["sqlite-compaction-interval"] ??
    DEFAULT_COMPACTION_INTERVAL;
  const ms = parseDuration(rawInterval);
  if (ms === undefined) {
    problems.push(
      `--sqlite-compaction-interval ${
        JSON.stringify(rawInterval)
      } is not a duration (use e.g. 30s, 5m, 1h; 0 disables)`,
    );
  }
  return { config: { path, compactionIntervalMs: ms ?? 0 }, problems };
}
