/**
 * The fan-out behind every watch of one log-backed store factory: a single
 * `Log.subscribe` subscription whose events are handed, without blocking,
 * to the registered watchers — to a watcher of one resource only that
 * resource's ({@linkcode HubMember.range}) — plus the periodic bookmark
 * timer.
 *
 * It also carries objects that writers hand over ({@linkcode
 * WatchHub.handOver}): a new object whose create is committed reaches the
 * watchers as that object, deep-frozen and shared, instead of each of them
 * (and the watch cache behind them) decoding the stored text again.
 *
 * @module
 */

import type { StorageError } from "../errors.ts";
import { KEY_ROOT } from "../keys.ts";
import type { KubeObject } from "../object.ts";
import type { Log, LogEvent } from "./log.ts";
import { frozenAtRevision } from "./_decode.ts";

/** An object handed over for the create of `value` at its key. */
interface Handed {
  readonly value: string;
  readonly object: KubeObject;
}

/**
 * A committed change as the hub hands it to its members: the log's event,
 * or, for a create whose object was handed over, a copy of it carrying
 * that object (deep-frozen, at the create's revision, shared by every
 * member). The log's own events are never changed.
 */
export interface HubEvent extends LogEvent {
  readonly created?: KubeObject;
}

/** What the hub needs of a watcher. */
export interface HubMember {
  /** Whether the member wants BOOKMARK events. */
  readonly allowBookmarks: boolean;
  /**
   * The resource prefix (`/registry/[<group>/]<resource>/`, from
   * `resourcePrefix`) every key the member watches lies under, when it has
   * one: it is then handed only the events under it — an empty batch when
   * there are none, so it still sees the revision go by. Without one it is
   * handed every event.
   */
  readonly range?: string;
  /**
   * Receives committed events (in revision order; with a `range`, those
   * under it); must not block or throw.
   */
  deliver(events: readonly HubEvent[]): void;
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
  /** Members with a range, by range: each event goes to its resource's only. */
  readonly #ranged = new Map<string, Set<HubMember>>();
  /** Members without a range: every event goes to each. */
  readonly #unranged = new Set<HubMember>();
  #bookmarkMembers = 0;
  #unsubscribe: (() => void) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #dispatched = 0;
  #closed = false;
  /** Handed-over objects by key, until their create is dispatched. */
  readonly #handed = new Map<string, Handed>();

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
    const range = member.range;
    if (range !== undefined && isResourcePrefix(range)) {
      let same = this.#ranged.get(range);
      if (!same) this.#ranged.set(range, same = new Set());
      same.add(member);
    } else this.#unranged.add(member);
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
    if (!this.#unranged.delete(member)) {
      const range = member.range!;
      const same = this.#ranged.get(range);
      same?.delete(member);
      if (same?.size === 0) this.#ranged.delete(range);
    }
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

  /**
   * Offers `object` — plain JSON data that `value`, about to be created at
   * `key`, is the `JSON.stringify` of, no longer changed by its writer — as
   * the decoded form of that create's event. When the create is
   * dispatched while members listen, they get it frozen
   * ({@linkcode HubEvent.created}). Returns the withdrawal, for when the write has
   * settled (a failed create, or one no watcher was told of). A create of
   * the same text at the same key decodes to the same object, so whichever
   * such create is dispatched first may take it.
   */
  handOver(key: string, value: string, object: KubeObject): () => void {
    if (this.#members.size === 0) return noop;
    const handed: Handed = { value, object };
    this.#handed.set(key, handed);
    return () => {
      if (this.#handed.get(key) === handed) this.#handed.delete(key);
    };
  }

  #dispatch(events: LogEvent[]): void {
    if (events.length === 0) return;
    const last = events[events.length - 1].revision;
    if (last > this.#dispatched) this.#dispatched = last;
    const out = this.#handed.size > 0 ? this.#withHanded(events) : events;
    for (const m of this.#unranged) m.deliver(out);
    if (this.#ranged.size === 0) return;
    // By resource: a watcher of one resource does not look at the others'
    // events (every cached resource and custom resource has one).
    const byRange = this.#byRange(out);
    for (const [range, members] of this.#ranged) {
      const batch = byRange.get(range) ?? NONE;
      for (const m of members) m.deliver(batch);
    }
  }

  /**
   * `events` grouped by the members' ranges they lie under, in revision
   * order. A range is a resource prefix, two or three segments long, so
   * the ranges a key lies under are among its first two- and
   * three-segment prefixes: two lookups per event, however many ranges.
   */
  #byRange(events: readonly HubEvent[]): Map<string, HubEvent[]> {
    const byRange = new Map<string, HubEvent[]>();
    const put = (range: string, ev: HubEvent) => {
      const batch = byRange.get(range);
      if (batch) batch.push(ev);
      else byRange.set(range, [ev]);
    };
    for (const ev of events) {
      const key = ev.key;
      const two = key.indexOf("/", ROOT_LENGTH);
      if (two < 0) continue;
      const short = key.slice(0, two + 1);
      if (this.#ranged.has(short)) put(short, ev);
      const three = key.indexOf("/", two + 1);
      if (three < 0) continue;
      const long = key.slice(0, three + 1);
      if (this.#ranged.has(long)) put(long, ev);
    }
    return byRange;
  }

  /** `events`, each create whose object was handed over carrying it. */
  #withHanded(events: LogEvent[]): readonly HubEvent[] {
    let out: HubEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      if (ev.type !== "create") continue;
      const handed = this.#handed.get(ev.key);
      if (handed === undefined || handed.value !== ev.value) continue;
      this.#handed.delete(ev.key);
      out ??= events.slice();
      out[i] = {
        ...ev,
        created: frozenAtRevision(handed.object, ev.revision),
      };
    }
    return out ?? events;
  }

  #fail(err: StorageError): void {
    for (const m of [...this.#members]) {
      m.fail(err);
      this.remove(m);
    }
  }

  /** How many handed-over objects wait for their create's dispatch. */
  get handing(): number {
    return this.#handed.size;
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
    this.#handed.clear();
  }
}

function noop(): void {}

/** An empty batch (a ranged member with nothing under its range). */
const NONE: readonly HubEvent[] = Object.freeze([]);

/** `/registry/`: every key and range starts with it. */
const ROOT = `${KEY_ROOT}/`;
const ROOT_LENGTH = ROOT.length;

/** Whether `range` is `/registry/<a>/` or `/registry/<a>/<b>/`. */
function isResourcePrefix(range: string): boolean {
  if (!range.startsWith(ROOT) || !range.endsWith("/")) return false;
  const segments = range.slice(ROOT_LENGTH, -1).split("/");
  return (segments.length === 1 || segments.length === 2) &&
    segments.every((s) => s !== "");
}
