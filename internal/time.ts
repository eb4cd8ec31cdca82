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
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
