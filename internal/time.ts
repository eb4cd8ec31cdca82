/**
 * Kubernetes timestamps: RFC 3339 in UTC with whole seconds
 * (`metav1.Time`), written the same way everywhere.
 *
 * @module
 */

/**
 * `d` as a Kubernetes timestamp, e.g. `2026-01-02T03:04:05Z`.
 *
 * @example
 * ```ts
 * import { rfc3339 } from "./time.ts";
 *
 * rfc3339(new Date("2026-01-02T03:04:05.678Z")); // "2026-01-02T03:04:05Z"
 * ```
 */
export function rfc3339(d: Date): string {
  // Objects written together share their second: the last one's text is
  // kept (a bootstrap stamps ~60 objects; formatting each was ~1% of the
  // server's CPU while clusters were created).
  const second = Math.floor(d.getTime() / 1000);
  if (second === lastSecond) return lastText;
  const iso = d.toISOString();
  // `YYYY-MM-DDTHH:MM:SS.sssZ`; years outside 0–9999 have a longer form.
  const text = iso.length === 24
    ? `${iso.slice(0, 19)}Z`
    : iso.replace(/\.\d{3}Z$/, "Z");
  lastSecond = second;
  lastText = text;
  return text;
}

let lastSecond = NaN;
let lastText = "";
