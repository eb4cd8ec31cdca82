/**
 * {@linkcode ChangeTailer}: the tail-and-catch-up loop of a revision log kept
 * in a database shared by several replicas (PostgreSQL, Spanner). Every
 * replica reads the commit-ordered change table and hands each change to its
 * log's subscribers, in revision order, with no gaps — its own writes and
 * other replicas' alike. Written once here so the backends differ only in
 * how they read a batch (`fetch`) and what wakes the loop.
 *
 * One loop per open log; each round reads `revision > last` until a short
 * batch, and runs when woken:
 *
 * - by {@linkcode ChangeTailer.kick} (a local commit, a re-established
 *   notification channel that needs a catch-up read, a caller waiting);
 * - by {@linkcode ChangeTailer.notified} (another replica's commit
 *   announced; a few ms later, so this replica's own commits, announced too,
 *   are usually offered first);
 * - by the poll timer (`pollIntervalMs`): remote commits where nothing
 *   announces them, or a safety net where something does.
 *
 * A backend with dense revisions (each one used, in order) may also
 * {@linkcode ChangeTailer.offer} its own commits: they are delivered at once
 * when next in line, without reading them back.
 *
 * The no-gap argument is the backend's: each `fetch` must be one consistent
 * read such that no revision at or below the highest it returns can become
 * visible later (PostgreSQL: revisions allocated under one row lock held to
 * commit; Spanner: one strong read).
 *
 * @example
 * ```ts
 * const tailer = new ChangeTailer({
 *   name: "postgres",
 *   fetch: (after, limit) => readChanges(after, limit),
 *   deliver: (events) => fanOut(events),
 *   lost: (err) => endWatches(err),
 *   startAfter: currentRevision,
 *   pollIntervalMs: 10_000,
 *   logger,
 * });
 * tailer.kick();
 * await tailer.close();
 * ```
 *
 * @module
 */

import type { LogEvent } from "./log.ts";
import type { Logger } from "../../log/mod.ts";
import { expired, type StorageError } from "../errors.ts";

/** How long a notification waits for this replica's own offer of the change. */
const NOTIFY_DELAY_MS = 3;
/** The pause after a failed round (a kick or notification ends it sooner). */
const RETRY_DELAY_MS = 200;

/** One round's read: changes after a revision, and the history horizon. */
export interface TailBatch {
  /** Changes with revision > `after`, in revision order. */
  events: LogEvent[];
  /**
   * History at or below this revision can no longer be read from the change
   * table (compacted or physically purged).
   */
  horizon: number;
}

/** Options for {@linkcode ChangeTailer}. */
export interface ChangeTailerOptions {
  /** Names the backend in log lines (`postgres`, `spanner`). */
  name: string;
  /** Reads up to `limit` changes with revision > `after` in one consistent read. */
  fetch(after: number, limit: number): Promise<TailBatch>;
  /** Receives each non-empty batch, in order. */
  deliver(events: LogEvent[]): void;
  /** Told when history went before this replica read it (an `Expired` error). */
  lost(err: StorageError): void;
  /** The revision already accounted for; tailing starts after it. */
  startAfter: number;
  /** A round at least this often even without a kick or notification. */
  pollIntervalMs: number;
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

  /** Starts the loop; it first runs when kicked, notified or polled. */
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
   * line, else kept until a read fills the gap before them. Only for
   * backends whose revisions are dense (a refused write rolls its increment
   * back), since "next in line" is `lastRevision + 1`.
   */
  offer(events: LogEvent[]): void {
    if (this.#closed) return;
    if (
      this.#pending.size === 0 && events.length === 1 &&
      events[0].revision === this.#last + 1
    ) {
      // The common case (a lone write, nothing waiting): what
      // `#flushPending` would deliver, without the round through `#pending`.
      this.#last = events[0].revision;
      this.#opts.deliver(events);
      this.#release();
      return;
    }
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
    const { name, logger } = this.#opts;
    while (!this.#closed) {
      await this.#sleep();
      if (this.#closed) break;
      try {
        await this.#drain();
        if (this.#failing) {
          this.#failing = false;
          logger.info(`${name} change log tail recovered`, {
            after: this.#last,
          });
        }
      } catch (err) {
        if (this.#closed) break;
        if (!this.#failing) {
          this.#failing = true;
          logger.warn(`${name} change log tail failed; retrying`, {
            error: err,
            after: this.#last,
          });
        }
        // Back off a little; a notification or local write wakes us sooner.
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
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
    const batchSize = this.#opts.batchSize ?? 1000;
    for (;;) {
      const { events, horizon } = await this.#opts.fetch(this.#last, batchSize);
      if (this.#closed) return;
      if (horizon > this.#last) {
        // This replica fell behind the history (e.g. it was cut off from
        // the database for longer than the compaction interval): its
        // watchers cannot be made whole from the log; they end with
        // Expired and their clients list again.
        this.#opts.logger.error(
          `${this.#opts.name} change log compacted past this replica's tail; ending watches so clients relist`,
          { after: this.#last, horizon },
        );
        this.#opts.lost(expired(this.#last, horizon));
        this.#last = horizon;
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
