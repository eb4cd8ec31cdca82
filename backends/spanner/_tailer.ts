/**
 * Tails the commit-ordered change log and hands every change to the log's
 * subscribers, in revision order, with no gaps. One loop per open log: it
 * wakes on a local commit (`kick`, no polling delay) or after the poll
 * interval (remote commits from other replicas).
 *
 * No-gap argument: each round is one strong read of `revision > last`. A
 * strong read at timestamp T sees every transaction committed at or before
 * T, and no transaction can later commit at a timestamp ≤ T, so nothing
 * between `last` and T can appear after the round has read past it.
 *
 * @module
 */

import type { LogEvent } from "../../storage/log/log.ts";
import type { Logger } from "../../log/mod.ts";
import { expired, type StorageError } from "../../storage/mod.ts";

/** One round's read: changes after a revision, and the purge horizon. */
export interface TailBatch {
  events: LogEvent[];
  /** Change rows at or below this revision were physically deleted. */
  purged: number;
}

/** Options for {@linkcode ChangeTailer}. */
export interface ChangeTailerOptions {
  /** Reads up to `limit` changes with revision > `after`, strongly. */
  fetch(after: number, limit: number): Promise<TailBatch>;
  /** Receives each non-empty batch, in order. */
  deliver(events: LogEvent[]): void;
  /** Told when changes were purged before this replica read them. */
  lost(err: StorageError): void;
  /** The revision already accounted for; tailing starts after it. */
  startAfter: number;
  /** How often to look for remote commits. */
  pollIntervalMs: number;
  /** Rows per read. Default 500. */
  batchSize?: number;
  logger: Logger;
}

/** The tailing loop; owned by the log, stopped by {@linkcode close}. */
export class ChangeTailer {
  #opts: ChangeTailerOptions;
  #last: number;
  #closed = false;
  #kicked = false;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void>;

  constructor(opts: ChangeTailerOptions) {
    this.#opts = opts;
    this.#last = opts.startAfter;
    this.#loop = this.#run();
  }

  /** The last revision delivered (or the start point). */
  get lastRevision(): number {
    return this.#last;
  }

  /** Asks for a round now (after a local commit). */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** Stops the loop and waits for a round in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      await this.#sleep();
      if (this.#closed) break;
      try {
        await this.#drain();
      } catch (err) {
        if (this.#closed) break;
        this.#opts.logger.warn("spanner change log tail failed; will retry", {
          error: err,
          after: this.#last,
        });
      }
    }
  }

  #sleep(): Promise<void> {
    if (this.#kicked) {
      this.#kicked = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#wake = () => {
        clearTimeout(this.#timer);
        this.#wake = undefined;
        this.#kicked = false;
        resolve();
      };
      this.#timer = setTimeout(() => this.#wake?.(), this.#opts.pollIntervalMs);
    });
  }

  async #drain(): Promise<void> {
    const batchSize = this.#opts.batchSize ?? 500;
    for (;;) {
      const { events, purged } = await this.#opts.fetch(this.#last, batchSize);
      if (this.#closed) return;
      if (purged > this.#last) {
        // Only possible when this replica stalled for longer than the purge
        // margin; its watchers cannot be made whole from the log any more.
        this.#opts.logger.error(
          "spanner change log purged past this replica's tail; ending watches so clients relist",
          { after: this.#last, purged },
        );
        this.#opts.lost(expired(this.#last, purged));
      }
      if (events.length > 0) {
        this.#last = events[events.length - 1].revision;
        this.#opts.deliver(events);
      } else if (purged > this.#last) {
        this.#last = purged;
      }
      if (events.length < batchSize) return;
    }
  }
}
