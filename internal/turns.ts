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

/**
 * Paused slices wait at one gate, opened by one timer per event-loop turn:
 * all of them resume in that turn and share one budget
 * ({@linkcode TURN_BUDGET_MS}, counted from the gate's opening), so a turn
 * runs at most about that much paused work, not one slice per stream, before
 * timers and I/O get theirs. With ~20 streams in their initial lists (the
 * controllers after a restart with 1,000 clusters) a turn was ~20 × 10 ms
 * and `/readyz` waited 2–3 s. The gate is a `setTimeout(0)`: the runtime
 * clamps chained ones to a few ms, which is what lets I/O in (an always-ready
 * `setImmediate` or `MessageChannel` loop starved it in this runtime).
 */
const waiting: Array<() => void> = [];
/**
 * How long the paused work of one turn may run altogether (ms). 10 ms (one
 * slice) made a cluster's teardown (1,000 events through several streams) 6×
 * slower; 50 ms left it as fast as before (bench/README.md).
 */
export const TURN_BUDGET_MS = 50;
let gateArmed = false;
/** Counts gate openings: the turn a slice resumed in. */
let gateTurn = 0;
/** When the current gate turn opened (`performance.now()`). */
let gateOpenedAt = 0;
/** Where the next slice cut short in this turn is queued (before those that ran). */
let starvedAt = 0;

function openGate(): void {
  gateArmed = false;
  gateTurn++;
  gateOpenedAt = performance.now();
  starvedAt = 0;
  const batch = waiting.splice(0);
  for (const resume of batch) resume();
}

/**
 * Waits for the gate's next opening; a slice that got little this turn
 * (`starved`) is queued before those that ran, in the order they were cut
 * short, so every paused slice gets its budget in turn.
 */
function awaitGate(starved: boolean): Promise<void> {
  return new Promise((resolve) => {
    if (starved) waiting.splice(starvedAt++, 0, resolve);
    else waiting.push(resolve);
    if (!gateArmed) {
      gateArmed = true;
      setTimeout(openGate, 0);
    }
  });
}

/** A stretch of work that lets other tasks run every `ms` milliseconds. */
export class TimeSlice {
  #start = performance.now();
  /** The gate turn this slice resumed in (-1: not resumed by the gate). */
  #turn = -1;

  /** A slice of `ms` milliseconds, starting now. */
  constructor(readonly ms: number) {}

  /**
   * True once this slice has lasted `ms`, or, when it resumed from a pause
   * in this turn, once the turn's paused work has lasted `ms` altogether.
   */
  get due(): boolean {
    const now = performance.now();
    if (now - this.#start >= this.ms) return true;
    return this.#turn === gateTurn && now - gateOpenedAt >= TURN_BUDGET_MS;
  }

  /** Starts a new slice now (e.g. after the work waited anyway). */
  restart(): void {
    this.#start = performance.now();
    this.#turn = -1;
  }

  /**
   * Yields a turn of the event loop (at the shared gate), then starts a new
   * slice.
   */
  async pause(): Promise<void> {
    const starved = this.#turn === gateTurn &&
      performance.now() - this.#start < this.ms / 2;
    await awaitGate(starved);
    this.#start = performance.now();
    this.#turn = gateTurn;
  }
}
