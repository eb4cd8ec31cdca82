/**
 * {@linkcode PeriodicCompactor}: compacts a revision log on a timer while
 * keeping one interval of history, as kube-apiserver does against etcd: each
 * tick compacts to the revision seen at the previous tick, so watchers and
 * paged lists always have at least one interval to catch up. Used by the
 * backends whose logs compact on their own schedule (SQLite, PostgreSQL);
 * with several replicas each runs it and the log's own compaction makes the
 * later ones no-ops.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";

/** What the compactor drives. */
export interface CompactionTarget {
  currentRevision(): Promise<number>;
  compactedRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
  /** Housekeeping after a tick (e.g. a WAL checkpoint). */
  afterCompaction?(): void;
}

/** Options for {@linkcode PeriodicCompactor}. */
export interface PeriodicCompactorOptions {
  /** Milliseconds between ticks; 0 disables the timer (ticks on demand only). */
  intervalMs: number;
  target: CompactionTarget;
  logger: Logger;
}

/** Compacts a log every interval to the revision of the previous tick. */
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

  /**
   * One tick: compact to the revision seen at the previous tick (if it is
   * newer than the compacted one), then remember the current revision.
   * Overlapping ticks share one run. Failures are logged, never thrown.
   */
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    const { target, logger } = this.#opts;
    try {
      const previous = this.#previous;
      if (previous > 0 && previous > await target.compactedRevision()) {
        await target.compact(previous);
        logger.info("compacted", { revision: previous });
      }
      if (this.#stopped) return;
      this.#previous = await target.currentRevision();
      target.afterCompaction?.();
    } catch (err) {
      if (!this.#stopped) logger.warn("compaction failed", { err });
    }
  }

  /** Stops the timer and waits for a running tick to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
