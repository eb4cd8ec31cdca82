/**
 * The one abortable sleep: loops that wait between attempts (controllers,
 * the API server's background work) end at once when their owner stops
 * them, leaving no timer behind.
 *
 * @module
 */

/**
 * Waits `ms` milliseconds, or less when `signal` aborts (it resolves then,
 * never rejects).
 *
 * @example
 * ```ts
 * import { sleep } from "./sleep.ts";
 *
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 10);
 * await sleep(60_000, stop.signal); // returns after ~10 ms
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(id);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const id = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
