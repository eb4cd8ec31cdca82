/**
 * Duration flags in Go's `time.ParseDuration` spelling (the subset our flags
 * use): `15s`, `500ms`, `1m30s`, `2h`, or plain seconds.
 *
 * @module
 */

import { UsageError } from "./usage_error.ts";

/**
 * Parses `15s`, `500ms`, `1m`, `1m30s` or plain seconds into milliseconds;
 * zero only with `allowZero`. A bad value is a {@linkcode UsageError}.
 */
export function parseDuration(
  flag: string,
  v: string,
  opts: { allowZero?: boolean } = {},
): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const unit: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const m of v.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    matched += m[0].length;
  }
  if (
    matched === 0 || matched !== v.length ||
    (total <= 0 && !opts.allowZero)
  ) {
    throw new UsageError(
      `--${flag}: invalid duration ${JSON.stringify(v)} (e.g. 15s, 500ms)`,
    );
  }
  return total;
}
