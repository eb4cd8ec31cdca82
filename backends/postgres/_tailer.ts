/**
 * Tails the `log` table and hands every change to the log's subscribers, in
 * revision order, with no gaps — local and remote writes alike. One loop per
 * open log; it reads `revision > last` when woken:
 *
 * - by a `NOTIFY` from another replica's commit (`notified`; a few ms later,
 *   so this replica's own commits, announced too, are usually offered first);
 * - when the `LISTEN` connection is (re-)established — the catch-up read
 *   that covers whatever was committed while it was down;
 * - by a slow safety poll (`safetyPollMs`), which is not on the latency path.
 *
 * This replica's own commits need no read: the write returns everything its
 * event needs and `offer`s it; it is delivered at once when it is the next
 * revision (revisions are dense: a refused write rolls its increment back),
 * otherwise it waits for the read that fills the gap.
 *
 * No-gap argument: revisions are allocated under one row lock held to commit
 * (see `_schema.ts`), so a statement snapshot that sees revision N sees every
 * revision below it; each round is one statement, so nothing between `last`
 * and what it read can appear later.
 *
 * @module
 */

import type { LogEvent } from "../../storage/log/log.ts";
import type { Logger } from "../../log/mod.ts";
import { expired, type StorageError } from "../../storage/mod.ts";

/** How long a notification waits for this replica's own offer of the change. */
const NOTIFY_DELAY_MS = 3;

/** One round's read: changes after a revision, and the compaction horizon. */
export interface TailBatch {
  events: LogEvent[];
  /** History at or below this revision is gone. */
  compacted: number;
}

/** Options for {@linkcode ChangeTailer}. */
export interface ChangeTailerOptions {
  /** Reads up to `limit` changes with revision > `after` in one statement. */
  fetch(after: number, limit: number): Promise<TailBatch>;
  /** Receives each non-empty batch, in order. */
  deliver(events: LogEvent[]): void;
  /** Told when history was compacted before this replica read it. */
  lost(err: StorageError): void;
  /** The revision already accounted for; tailing starts after it. */
  startAfter: number;
  /** A round at least this often even without notifications. */
  safetyPollMs: number;
  /** Rows per read. Default 1000. */
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
  #failing = false;
  #waiters: { revision: number; resolve: () => void }[] = [];
  #pending = new Map<number, LogEvent>();
  #notified = 0;
  #notifyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: ChangeTailerOptions) {
    this.#opts = opts;
    this.#last = opts.startAfter;
    this.#loop = this.#run();
  }

  /** The last revision delivered (or the start point). */
  get lastRevision(): number {
    return this.#last;
  }

  /**
   * Changes this replica committed: delivered now when they are next in
   * line, else kept until a read fills the gap before them.
   */
  offer(events: LogEvent[]): void {
    if (this.#closed) return;
    for (const e of events) {
      if (e.revision > this.#last) this.#pending.set(e.revision, e);
    }
    if (!this.#flushPending()) this.kick();
  }

  /** A commit notification: read soon unless the change is already here. */
  notified(revision: number): void {
    if (revision > this.#notified) this.#notified = revision;
    if (this.#notifyTimer !== undefined || this.#closed) return;
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = undefined;
      if (this.#notified > this.#last) this.kick();
    }, NOTIFY_DELAY_MS);
  }

  /** Asks for a round now. */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /**
   * Resolves once every change up to `revision` was delivered (or the
   * tailer closed, or `timeoutMs` passed).
   */
  caughtUp(revision: number, timeoutMs: number): Promise<void> {
    if (this.#last >= revision || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiter = { revision, resolve: done };
      this.#waiters.push(waiter);
      this.kick();
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Stops the loop and waits for a round in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#notifyTimer);
    this.#wake?.();
    await this.#loop;
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      await this.#sleep();
      if (this.#closed) break;
      try {
        await this.#drain();
        if (this.#failing) {
          this.#failing = false;
          this.#opts.logger.info("postgres change log tail recovered", {
            after: this.#last,
          });
        }
      } catch (err) {
        if (this.#closed) break;
        if (!this.#failing) {
          this.#failing = true;
          this.#opts.logger.warn(
            "postgres change log tail failed; retrying",
            { error: err, after: this.#last },
          );
        }
        // Back off a little; a notification or local write wakes us sooner.
        await new Promise((r) => setTimeout(r, 200));
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
      this.#timer = setTimeout(() => this.#wake?.(), this.#opts.safetyPollMs);
    });
  }

  async #drain(): Promise<void> {
    const batchSize = this.#opts.batchSize ?? 1000;
    for (;;) {
      const { events, compacted } = await this.#opts.fetch(
        this.#last,
        batchSize,
      );
      if (this.#closed) return;
      if (compacted > this.#last) {
        // This replica fell behind a compaction (e.g. it was cut off from
        // the database for longer than the compaction interval): its
        // watchers cannot be made whole from the log; they end with
        // Expired and their clients list again.
        this.#opts.logger.error(
          "postgres history compacted past this replica's tail; ending watches so clients relist",
          { after: this.#last, compacted },
        );
        this.#opts.lost(expired(this.#last, compacted));
        this.#last = compacted;
        continue;
      }
      // Offers may have moved past part of what was read meanwhile.
      const fresh = events.filter((e) => e.revision > this.#last);
      if (fresh.length > 0) {
        this.#last = fresh[fresh.length - 1].revision;
        this.#opts.deliver(fresh);
      }
      this.#flushPending();
      if (events.length < batchSize) return;
    }
  }

  /** Delivers offered changes that are next in line; true when none waits. */
  #flushPending(): boolean {
    if (this.#pending.size === 0) {
      this.#release();
      return true;
    }
    const ready: LogEvent[] = [];
    for (;;) {
      const ev = this.#pending.get(this.#last + 1);
      if (!ev) break;
      this.#pending.delete(ev.revision);
      this.#last = ev.revision;
      ready.push(ev);
    }
    for (const rev of this.#pending.keys()) {
      if (rev <= this.#last) this.#pending.delete(rev);
    }
    if (ready.length > 0) this.#opts.deliver(ready);
    this.#release();
    return this.#pending.size === 0;
  }

  #release(): void {
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.revision > this.#last) return true;
      w.resolve();
      return false;
    });
  }
}
