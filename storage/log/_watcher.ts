/**
 * One watch on a log-backed store. It registers with the factory's
 * {@linkcode WatchHub} *before* reading anything, so live changes are
 * buffered while it sends the initial state or replays history; buffered
 * changes at or below the revision already covered are dropped, so the
 * stream has neither gaps nor duplicates. One revision may carry several
 * changes (a bulk delete on a log that stamps one commit time on all of
 * them): while such a revision is open, a change of it is handled once per
 * key.
 *
 * The initial state and the replay are read lazily as the consumer pulls
 * (back-pressure). Live changes cannot wait: each watcher buffers at most
 * `bufferSize` of them and, when a slow consumer lets that overflow, ends
 * with an `Expired` ERROR event so the client re-lists (as kube-apiserver
 * terminates watchers that cannot keep up).
 *
 * @module
 */

import { expired, isStorageError, StorageError } from "../errors.ts";
import type { KubeObject } from "../object.ts";
import { decodeStored } from "./_decode.ts";
import type { Watcher, WatchEvent, WatchOptions } from "../store.ts";
import type { Log, LogEvent, LogListResult } from "./log.ts";
import type { HubEvent, HubMember, WatchHub } from "./_watch_hub.ts";
import {
  asStorageError,
  matcher,
  matchesEverything,
  parseRV,
} from "./_checks.ts";
import { bookmarkEvent, toWatchEvent } from "./_watch_events.ts";
import { storedEvent } from "./_stored_event.ts";

/** Records per read of the initial state, events per read of history. */
const PAGE = 500;

/** What a watch needs from its store. */
export interface WatchDeps {
  log: Log;
  hub: WatchHub;
  /** Live events one watcher may buffer before it is ended. */
  bufferSize: number;
}

/** Where the stream starts. */
type Start =
  /** Send the state at `revision` (first page read), then changes after it. */
  | { kind: "initial"; page: LogListResult; endBookmark: boolean }
  /** Send changes after `revision`, replaying history from `after`. */
  | { kind: "replay"; after: number; current: number }
  /** Send changes after `revision` only. */
  | { kind: "now"; revision: number };

/** A {@linkcode Watcher} over a revision log. */
class LogWatcher implements Watcher, HubMember {
  readonly allowBookmarks: boolean;
  /** The store's resource prefix (the hub hands over only its events). */
  readonly range: string | undefined;
  readonly #deps: WatchDeps;
  readonly #key: string;
  readonly #recursive: boolean;
  readonly #matches: (obj: KubeObject) => boolean;
  readonly #everything: boolean;
  readonly #signal: AbortSignal | undefined;
  #start: Start | undefined;
  #pending: HubEvent[] = [];
  #head = 0;
  #stopped = false;
  #overflowed = false;
  /** Why the log could not keep this watcher whole (set by {@linkcode fail}). */
  #failure: StorageError | undefined;
  #wake: (() => void) | undefined;
  #bookmarkTarget: number | undefined;
  /** Every change at or below this revision has been handled. */
  #covered = 0;
  /**
   * True when `#covered` came from a change, so more changes of that
   * revision may follow; false when it came from a list, a replay's end or
   * a bookmark. The keys handled at it: the first, then (rarely) the rest.
   */
  #open = false;
  #openFirst: string | undefined;
  #openMore: Set<string> | undefined;
  /** No BOOKMARK below this revision (the revision the client asked for). */
  #minBookmark = 0;
  #iterator: AsyncGenerator<WatchEvent> | undefined;

  constructor(
    deps: WatchDeps,
    key: string,
    opts: WatchOptions,
    range: string | undefined,
  ) {
    this.#deps = deps;
    this.range = range;
    this.#key = key;
    this.#recursive = opts.recursive;
    this.#matches = matcher(opts.predicate);
    this.#everything = matchesEverything(opts.predicate);
    this.allowBookmarks = opts.allowBookmarks === true;
    this.#signal = opts.signal;
    this.#signal?.addEventListener("abort", this.#onAbort);
  }

  readonly #onAbort = () => this.stop();

  /** Fixes where the stream starts (called once, right after registering). */
  begin(start: Start): void {
    this.#start = start;
  }

  #matchesKey(key: string): boolean {
    return this.#recursive ? key.startsWith(this.#key) : key === this.#key;
  }

  #buffered(): number {
    return this.#pending.length - this.#head;
  }

  deliver(events: readonly HubEvent[]): void {
    if (this.#stopped || this.#overflowed) return;
    let woken = this.#bookmarkTarget !== undefined;
    for (const ev of events) {
      if (!this.#matchesKey(ev.key)) continue;
      woken = true;
      if (this.#buffered() >= this.#deps.bufferSize) {
        this.#overflowed = true;
        this.#pending = [];
        this.#head = 0;
        this.#deps.hub.remove(this);
        break;
      }
      this.#pending.push(ev);
    }
    // Every watcher of the factory sees every batch: one whose range holds
    // none of it has nothing to do (unless a bookmark waits for the
    // dispatched revision), so its loop is not woken — one wake-up per
    // watcher and batch was most of them (one watch per cached resource).
    if (woken) this.#notify();
  }

  /**
   * Ends the watch with an ERROR event carrying `err` (the log lost track of
   * changes, so the client must list again).
   */
  fail(err: StorageError): void {
    if (this.#stopped || this.#overflowed) return;
    this.#failure = err;
    this.#overflowed = true;
    this.#pending = [];
    this.#head = 0;
    this.#deps.hub.remove(this);
    this.#notify();
  }

  requestBookmark(target: number): void {
    if (this.#stopped || !this.allowBookmarks) return;
    this.#bookmarkTarget = Math.max(this.#bookmarkTarget ?? 0, target);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#release();
    this.#notify();
  }

  #release(): void {
    this.#deps.hub.remove(this);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#pending = [];
    this.#head = 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    this.#iterator ??= this.#run();
    return this.#iterator;
  }

  #overflowError(): StorageError {
    if (this.#failure) return this.#failure;
    return new StorageError(
      "Expired",
      `the watch fell more than ${this.#deps.bufferSize} events behind and was ended; list again`,
      { revision: this.#covered },
    );
  }

  async *#run(): AsyncGenerator<WatchEvent> {
    try {
      if (this.#signal?.aborted) this.#stopped = true;
      yield* this.#begin();
      yield* this.#live();
    } catch (err) {
      if (!this.#stopped) yield { type: "ERROR", error: asStorageError(err) };
    } finally {
      this.#stopped = true;
      this.#release();
    }
  }

  /**
   * Sends where the stream starts. The start is let go here, not kept for
   * the watch's life: an initial state's first page holds up to
   * {@linkcode PAGE} stored values (every watch cache's fill watch kept
   * one, ~8 MB in a server, for as long as the server ran).
   */
  async *#begin(): AsyncGenerator<WatchEvent> {
    const start = this.#start!;
    this.#start = undefined;
    if (start.kind === "initial") yield* this.#initial(start);
    else if (start.kind === "replay") yield* this.#replay(start);
    else {
      this.#cover(start.revision);
      this.#minBookmark = start.revision;
    }
  }

  async *#initial(
    start: Extract<Start, { kind: "initial" }>,
  ): AsyncGenerator<WatchEvent> {
    let page = start.page;
    const revision = page.revision;
    for (;;) {
      for (const rec of page.records) {
        if (this.#stopped) return;
        if (this.#overflowed) throw this.#overflowError();
        if (!this.#matchesKey(rec.key)) continue;
        if (this.#everything) {
          yield storedEvent("ADDED", rec.key, rec.value, rec.modRevision);
          continue;
        }
        const obj = decodeStored(rec.value, rec.modRevision, rec.key);
        if (this.#matches(obj)) {
          yield storedEvent("ADDED", rec.key, rec.value, rec.modRevision, obj);
        }
      }
      const last = page.records[page.records.length - 1];
      if (!page.more || !last || !this.#recursive) break;
      page = await this.#deps.log.list(this.#key, {
        startKey: last.key + "\u0000",
        atRevision: revision,
        limit: PAGE,
      });
    }
    this.#cover(revision);
    this.#minBookmark = revision;
    if (start.endBookmark && !this.#stopped) {
      yield bookmarkEvent(revision, true);
    }
  }

  async *#replay(
    start: Extract<Start, { kind: "replay" }>,
  ): AsyncGenerator<WatchEvent> {
    let after = start.after;
    this.#cover(start.after);
    this.#minBookmark = start.after;
    for (;;) {
      let events: LogEvent[];
      try {
        events = await this.#deps.log.changes(this.#key, after, PAGE);
      } catch (err) {
        if (isStorageError(err, "TooLargeResourceVersion")) break;
        if (isStorageError(err, "Expired")) {
          throw expired(start.after, await this.#deps.log.compactedRevision());
        }
        throw err;
      }
      for (const ev of events) {
        if (this.#stopped) return;
        if (this.#overflowed) throw this.#overflowError();
        const out = this.#handle(ev);
        if (out) yield out;
      }
      if (events.length < PAGE) break;
      after = events[events.length - 1].revision;
    }
    // Everything committed before history was read (at least up to the
    // revision current at registration) is now covered.
    if (start.current > this.#covered) this.#cover(start.current);
  }

  /** Marks everything at or below `revision` as handled (closed). */
  #cover(revision: number): void {
    this.#covered = revision;
    this.#open = false;
    this.#openFirst = undefined;
    this.#openMore = undefined;
  }

  /** Handles one change in revision order; drops what is already covered. */
  #handle(ev: HubEvent): WatchEvent | undefined {
    if (ev.revision < this.#covered) return undefined;
    if (ev.revision === this.#covered) {
      if (
        !this.#open || ev.key === this.#openFirst ||
        this.#openMore?.has(ev.key)
      ) return undefined;
      (this.#openMore ??= new Set()).add(ev.key);
    } else {
      this.#covered = ev.revision;
      this.#open = true;
      this.#openFirst = ev.key;
      this.#openMore = undefined;
    }
    if (!this.#matchesKey(ev.key)) return undefined;
    return toWatchEvent(ev, this.#matches, this.#everything);
  }

  async *#live(): AsyncGenerator<WatchEvent> {
    for (;;) {
      if (this.#stopped) return;
      if (this.#overflowed) throw this.#overflowError();
      if (this.#buffered() > 0) {
        const ev = this.#pending[this.#head++];
        if (this.#head === this.#pending.length) {
          // Drained: let go of the delivered events (and their stored texts)
          // now, not after the next thousand (one idle watcher per resource
          // and view kept ~1,000 events reachable).
          this.#pending.length = 0;
          this.#head = 0;
        } else if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
          this.#pending = this.#pending.slice(this.#head);
          this.#head = 0;
        }
        const out = this.#handle(ev);
        if (out) yield out;
        continue;
      }
      if (this.#bookmarkTarget !== undefined) {
        const rev = Math.max(this.#covered, this.#deps.hub.dispatched);
        if (rev >= this.#bookmarkTarget && rev >= this.#minBookmark) {
          this.#bookmarkTarget = undefined;
          this.#cover(rev);
          yield bookmarkEvent(rev);
          continue;
        }
      }
      await this.#sleep();
    }
  }
}

/**
 * Starts a watch on `key` (checked; a prefix when `opts.recursive`), which
 * lies under the store's resource prefix `range`, when given (the hub then
 * hands the watch only that resource's events). Errors in the arguments
 * reject; an expired start revision is reported as one ERROR event, as
 * upstream.
 */
export async function startWatch(
  deps: WatchDeps,
  key: string,
  opts: WatchOptions,
  range?: string,
): Promise<Watcher> {
  const rv = parseRV(opts.resourceVersion);
  const initial = opts.sendInitialEvents ?? rv === 0;
  const watcher = new LogWatcher(deps, key, opts, range);
  // Register before reading: changes committed from here on are buffered.
  deps.hub.add(watcher);
  try {
    if (initial) {
      const page = await deps.log.list(key, {
        startKey: key,
        limit: opts.recursive ? PAGE : 1,
      });
      watcher.begin({
        kind: "initial",
        page,
        endBookmark: opts.sendInitialEvents === true &&
          opts.allowBookmarks === true,
      });
    } else {
      const current = await deps.log.currentRevision();
      watcher.begin(
        rv === 0
          ? { kind: "now", revision: current }
          : { kind: "replay", after: rv, current },
      );
    }
  } catch (err) {
    watcher.stop();
    throw err;
  }
  return watcher;
}
