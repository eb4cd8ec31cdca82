/**
 * The fan-out behind every watch of one log-backed store factory: a single
 * `Log.subscribe` subscription whose events are handed, without blocking,
 * to every registered watcher, plus the periodic bookmark timer.
 *
 * @module
 */

import type { StorageError } from "../errors.ts";
import type { Log, LogEvent } from "./log.ts";

/** What the hub needs of a watcher. */
export interface HubMember {
  /** Whether the member wants BOOKMARK events. */
  readonly allowBookmarks: boolean;
  /** Receives committed events; must not block or throw. */
  deliver(events: LogEvent[]): void;
  /** Asks for a BOOKMARK at a revision `>= target` soon. */
  requestBookmark(target: number): void;
  /** Ends the member (the hub is closing). */
  stop(): void;
  /** Ends the member with an ERROR event: the log lost changes it needed. */
  fail(err: StorageError): void;
}

/** Options for {@linkcode WatchHub}. */
export interface WatchHubOptions {
  /** Period of the bookmark timer (ms). */
  bookmarkIntervalMs: number;
}

/** One subscription to a log, fanned out to many watchers. */
export class WatchHub {
  readonly #log: Log;
  readonly #opts: WatchHubOptions;
  readonly #members = new Set<HubMember>();
  #bookmarkMembers = 0;
  #unsubscribe: (() => void) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #dispatched = 0;
  #closed = false;

  /** Creates a hub over `log`; it subscribes when the first watcher joins. */
  constructor(log: Log, opts: WatchHubOptions) {
    this.#log = log;
    this.#opts = opts;
  }

  /**
   * The highest revision handed to members. Every event at or below it was
   * delivered to every member registered at the time (events arrive in
   * revision order without gaps).
   */
  get dispatched(): number {
    return this.#dispatched;
  }

  /** Registers `member`; it receives every event committed from now on. */
  add(member: HubMember): void {
    if (this.#closed) {
      member.stop();
      return;
    }
    this.#unsubscribe ??= this.#log.subscribe(
      (events) => this.#dispatch(events),
      (err) => this.#fail(err),
    );
    this.#members.add(member);
    if (member.allowBookmarks && this.#bookmarkMembers++ === 0) {
      this.#timer = setInterval(
        () => this.requestProgress(0),
        this.#opts.bookmarkIntervalMs,
      );
    }
  }

  /** Unregisters `member` (idempotent). */
  remove(member: HubMember): void {
    if (!this.#members.delete(member)) return;
    if (member.allowBookmarks && --this.#bookmarkMembers === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Asks every bookmark-enabled member for a BOOKMARK at `>= target`. */
  requestProgress(target: number): void {
    for (const m of this.#members) {
      if (m.allowBookmarks) m.requestBookmark(target);
    }
  }

  #dispatch(events: LogEvent[]): void {
    if (events.length === 0) return;
    const last = events[events.length - 1].revision;
    if (last > this.#dispatched) this.#dispatched = last;
    for (const m of this.#members) m.deliver(events);
  }

  #fail(err: StorageError): void {
    for (const m of [...this.#members]) {
      m.fail(err);
      this.remove(m);
    }
  }

  /** How many watchers are registered. */
  get size(): number {
    return this.#members.size;
  }

  /** Ends every watcher, stops the timer and unsubscribes. */
  close(): void {
    this.#closed = true;
    for (const m of [...this.#members]) {
      m.stop();
      this.remove(m);
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
