/**
 * Test helpers for `backends/sqlite`'s tests: fresh temporary databases that
 * clean up after themselves.
 *
 * @module
 */

import {
  SqliteLog,
  type SqliteLogOptions,
} from "../../backends/sqlite/sqlite_log.ts";

/** A temporary directory removed by `[Symbol.asyncDispose]`. */
export interface TempDir extends AsyncDisposable {
  path: string;
}

/** Creates a temporary directory for one test. */
export async function tempDir(): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: "hyperplane-sqlite-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** Opens a `SqliteLog` on `<dir>/state.db`. */
export function openLog(
  dir: string,
  opts: Partial<SqliteLogOptions> = {},
): SqliteLog {
  return new SqliteLog({ path: `${dir}/state.db`, ...opts });
}

/** A key under the configmaps resource of cluster `root`. */
export function cmKey(name: string, namespace = "default"): string {
  return `/registry/configmaps/clusters/root/${namespace}/${name}`;
}

/** The configmaps prefix of cluster `root`. */
export const CM_PREFIX = "/registry/configmaps/clusters/root/";
