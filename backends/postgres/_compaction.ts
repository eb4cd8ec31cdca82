/**
 * Periodic compaction of the postgres log, keeping one interval of history
 * (as kube-apiserver does against etcd): each tick compacts to the revision
 * seen at the previous tick, so watchers and paged lists always have at
 * least one interval to catch up. Every replica runs it; the compaction
 * function serialises them on the `compacted` row, so the second is a no-op.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";

/** Options for {@linkcode PeriodicCompactor}. */
export interface PeriodicCompactorOptions {
  /** Milliseconds between ticks; 0 disables the timer. */
  intervalMs: number;
  current(): Promise<number>;
  compact(revision: number): Promise<void>;
  logger: Logger;
}

/** Compacts every interval to the revision of the previous tick. */
export class PeriodicCompactor {
  readonly #opts: PeriodicCompactorOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #previous = 0;
  #running: Promise<void> | undefined;
  #stopped = false;

  /** Starts the timer (unless `intervalMs` is 0). */
  constructor(opts: PeriodicCompactorOptions) {
    this.#opts = opts;
    if (opts.intervalMs > 0) {
      const timer = setInterval(() => void this.tick(), opts.intervalMs);
      // A compaction timer alone must not keep the process alive.
      Deno.unrefTimer(timer as unknown as number);
      this.#timer = timer;
    }
  }

  /** One tick; overlapping ticks share one run; failures are logged. */
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    const { logger } = this.#opts;
    try {
      if (this.#previous > 0) await this.#opts.compact(this.#previous);
      if (this.#stopped) return;
      this.#previous = await this.#opts.current();
    } catch (err) {
      if (!this.#stopped) logger.warn("postgres compaction failed", { err });
    }
  }

  /** Stops the timer and waits for a running tick. */
  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
