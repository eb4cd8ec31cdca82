/**
 * Giving other tasks a turn during long stretches of work on the one
 * JavaScript thread. Work driven by resolved promises (a backend's pages, a
 * watch's buffered events, an informer's initial list) runs as microtasks:
 * timers and I/O — other requests, `/readyz` — wait until it ends. A
 * {@linkcode TimeSlice} says when a stretch has lasted long enough, and
 * {@linkcode nextTurn} yields a macrotask turn.
 *
 * @example
 * ```ts
 * import { TimeSlice } from "./turns.ts";
 *
 * const slice = new TimeSlice(10);
 * for (const item of [1, 2, 3]) {
 *   if (slice.due) await slice.pause();
 *   console.log(item);
 * }
 * ```
 *
 * @module
 */

/** Lets timers and I/O run (a macrotask turn), not only microtasks. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A stretch of work that lets other tasks run every `ms` milliseconds. */
export class TimeSlice {
  #start = performance.now();

  /** A slice of `ms` milliseconds, starting now. */
  constructor(readonly ms: number) {}

  /** True once this slice has lasted `ms`. */
  get due(): boolean {
    return performance.now() - this.#start >= this.ms;
  }

  /** Starts a new slice now (e.g. after the work waited anyway). */
  restart(): void {
    this.#start = performance.now();
  }

  /** Yields a turn of the event loop, then starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.restart();
  }
}
