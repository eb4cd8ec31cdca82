/**
 * Duration flags in Go's `time.ParseDuration` spelling (`15s`, `500ms`,
 * `1m30s`, `2h`; see `internal/duration.ts`), as a {@linkcode UsageError}
 * naming the flag when the value is not one.
 *
 * @module
 */

import { parseDuration as parseGoDuration } from "../internal/mod.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Parses `15s`, `500ms`, `1m`, `1m30s` into milliseconds; zero (`0`, `0s`)
 * only with `allowZero`. A bad value is a {@linkcode UsageError}.
 */
export function parseDuration(
  flag: string,
  v: string,
  opts: { allowZero?: boolean } = {},
): number {
  const total = parseGoDuration(v);
  if (total === undefined || (total <= 0 && !opts.allowZero)) {
    throw new UsageError(
      `--${flag}: invalid duration ${JSON.stringify(v)} (e.g. 15s, 500ms)`,
    );
  }
  return total;
}
