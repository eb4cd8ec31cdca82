/**
 * Durations as Kubernetes flags spell them — Go's `time.ParseDuration`
 * (`30s`, `5m`, `1h30m`, `1.5h`, `250ms`, `0`) — parsed in one place for the
 * CLI and every backend's flag block, so all duration flags accept the same
 * text.
 *
 * @module
 */

/** Milliseconds per unit, Go's units (`µs` and `μs` both mean microseconds). */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** One `<number><unit>` element; Go allows `1.`, `.5` but not `.`. */
const ELEMENT = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
/** A whole duration: one or more elements, nothing else. */
const DURATION = new RegExp(`^(?:${ELEMENT.source})+$`);

/** Go's limit: a duration is an int64 of nanoseconds (about 292 years). */
const MAX_MS = 9_223_372_036_854;

/**
 * The duration in whole milliseconds (rounded), or `undefined` when `text`
 * is not a non-negative Go duration: a sequence of decimal numbers, each
 * with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), optionally after a
 * `+`; `0` alone needs no unit. A bare number such as `5`, a negative
 * duration, spaces and unknown units (`1d`) are refused, as Go refuses them
 * (negative ones are refused here, being no use to a flag).
 *
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 *
 * parseDuration("1m30s"); // 90000
 * parseDuration("5"); // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const s = text.startsWith("+") ? text.slice(1) : text;
  if (s === "0") return 0;
  if (!DURATION.test(s)) return undefined;
  let total = 0;
  // matchAll works on a copy of the regex: no shared lastIndex.
  for (const m of s.matchAll(ELEMENT)) total += Number(m[1]) * UNIT_MS[m[2]];
  return total <= MAX_MS ? Math.round(total) : undefined;
}
