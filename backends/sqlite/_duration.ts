/**
 * Parses Go-style durations as Kubernetes flags spell them: `30s`, `5m`,
 * `1h30m`, `500ms`, `0`.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * The duration in milliseconds, or `undefined` when `text` is not a
 * non-negative duration such as `30s`, `5m`, `1h30m`, `1.5h` or `0`.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "" || !/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}
