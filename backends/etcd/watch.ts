/**
 * Watches on etcd's own watch API (one gRPC watch stream per storage watch),
 * like `k8s.io/apiserver/pkg/storage/etcd3/watcher.go`: initial state from a
 * consistent list at a revision, then changes from the next revision with
 * `prev_kv` (for predicate transitions and DELETED objects), progress
 * notifications as BOOKMARKs, compaction as an `Expired` ERROR event.
 * Events carry their stored text (`WatchEvent.text`) and decode lazily.
 *
 * When the stream breaks (etcd restarting, leader change) the watch resumes
 * from the revision after the last delivered event, so no event is missed;
 * if history is compacted meanwhile, or etcd stays away longer than the
 * resume deadline, the watch ends with an ERROR event (clients relist).
 *
 * A corrupt value (`CorruptObject`) that a predicate must read, in the
 * initial state or later, ends the watch with an ERROR event naming its key
 * after the events before it, as the revision logs' watch does.
 *
 * @module
 */

import {
  CorruptObjectsError,
  expired,
  INITIAL_EVENTS_END_ANNOTATION,
  isStorageError,
  type KubeObject,
  prefixEnd,
  type StorageError,
  tooLargeResourceVersion,
  unavailable,
  type Watcher,
  type WatchEvent,
  type WatchOptions,
} from "../../storage/mod.ts";
import { mapError, rev, type WatchStream } from "./_client.ts";
import { convertEvent, eventRevision } from "./_events.ts";
import { storedEvent } from "../../storage/log/mod.ts";
import { type EtcdShared, listKvs, parseRv } from "./_read.ts";
import type { IWatchResponse } from "etcd3";

/** Objects per range of a watch's initial state. */
const INITIAL_PAGE = 5_000;

/** How long a broken watch keeps trying to resume before it ends with an ERROR. */
const RESUME_DEADLINE_MS = 30_000;

/** The running watches of one factory, so progress requests and close reach them all. */
export class WatchRegistry {
  readonly #active = new Set<EtcdWatch>();

  /** Adds a running watch. */
  add(w: EtcdWatch): void {
    this.#active.add(w);
  }
  /** Forgets a stopped watch. */
  remove(w: EtcdWatch): void {
    this.#active.delete(w);
  }
  /** Asks etcd for a progress notification on every watch stream. */
  requestProgress(): Promise<void> {
    for (const w of this.#active) w.requestProgress();
    return Promise.resolve();
  }
  /** Stops every watch. */
  stopAll(): void {
    for (const w of [...this.#active]) w.stop();
  }
}

/** One storage watch backed by one etcd watch stream. */
export class EtcdWatch implements Watcher {
  readonly #shared: EtcdShared;
  readonly #registry: WatchRegistry;
  readonly #key: string;
  readonly #rangeEnd?: string;
  readonly #opts: WatchOptions;
  /**
   * Events not yet taken, from `#head` on. Taken by index, not `shift()`:
   * shifting a long array copies it, so a 100,000-object initial burst
   * took seconds (quadratic).
   */
  #queue: (WatchEvent | undefined)[] = [];
  #head = 0;
  #wake?: () => void;
  #done = false;
  #stream?: WatchStream;
  #nextRev: number;
  #lastSent: number;
  #lastBookmark = 0;
  #retryTimer?: ReturnType<typeof setTimeout>;
  #brokenSince = 0;
  #backoffMs = 100;
  #created?: { resolve: () => void; reject: (e: unknown) => void };
  #established = false;
  readonly #onAbort = () => this.stop();

  private constructor(
    shared: EtcdShared,
    registry: WatchRegistry,
    key: string,
    opts: WatchOptions,
    startRev: number,
  ) {
    this.#shared = shared;
    this.#registry = registry;
    this.#opts = opts;
    if (opts.recursive) {
      this.#key = key.endsWith("/") ? key : key + "/";
      this.#rangeEnd = prefixEnd(this.#key);
    } else {
      this.#key = key;
    }
    this.#nextRev = startRev;
    this.#lastSent = startRev - 1;
  }

  /** Starts a watch per the `Store.watch` contract (the key is validated by the caller). */
  static async start(
    shared: EtcdShared,
    registry: WatchRegistry,
    key: string,
    opts: WatchOptions,
  ): Promise<Watcher> {
    const rvNum = parseRv(opts.resourceVersion);
    const sendInitial = opts.sendInitialEvents ?? rvNum === 0;
    const initial: WatchEvent[] = [];
    let startRev: number;
    if (sendInitial) {
      // Pages at one revision (the first page's): one range of everything
      // held the whole response and its decoded messages at once (a
      // 100,000-object fill peaked at ~500 MiB).
      let listRev = 0;
      let token: string | undefined;
      do {
        let page;
        try {
          page = await listKvs(shared, key, {
            recursive: opts.recursive,
            predicate: opts.predicate,
            limit: opts.recursive ? INITIAL_PAGE : undefined,
            continue: token,
          });
        } catch (err) {
          if (!isStorageError(err, "CorruptObject")) throw err;
          // The events before it, then an ERROR naming the (first) key.
          const first = err instanceof CorruptObjectsError
            ? err.errors[0] ?? err
            : err;
          initial.push({ type: "ERROR", error: first as StorageError });
          return EtcdWatch.#ended(shared, registry, key, opts, initial);
        }
        if (token === undefined) {
          listRev = Number(page.resourceVersion);
          if (rvNum > listRev) throw tooLargeResourceVersion(rvNum, listRev);
        }
        // The stored text as it is (decoded on first use): a watch cache's
        // fill keeps text and never needs the objects.
        for (const { kv, object } of page.entries) {
          initial.push(
            storedEvent("ADDED", kv.key, kv.value, kv.modRevision, object),
          );
        }
        token = page.continue;
      } while (token !== undefined);
      if (opts.sendInitialEvents === true && opts.allowBookmarks) {
        initial.push({
          type: "BOOKMARK",
          object: bookmark(listRev, {
            [INITIAL_EVENTS_END_ANNOTATION]: "true",
          }),
        });
      }
      startRev = listRev + 1;
    } else if (rvNum === 0) {
      startRev = (await currentRevision(shared)) + 1;
    } else {
      startRev = rvNum + 1;
    }
    const w = new EtcdWatch(shared, registry, key, opts, startRev);
    w.#queue = initial;
    if (opts.signal?.aborted) {
      w.#done = true;
      return w;
    }
    opts.signal?.addEventListener("abort", w.#onAbort, { once: true });
    registry.add(w);
    try {
      await w.#connect();
    } catch (err) {
      w.stop();
      throw mapError(err, "watch");
    }
    return w;
  }

  /** A watch that only yields `events` (ending with an ERROR) and ends. */
  static #ended(
    shared: EtcdShared,
    registry: WatchRegistry,
    key: string,
    opts: WatchOptions,
    events: WatchEvent[],
  ): Watcher {
    const w = new EtcdWatch(shared, registry, key, opts, 0);
    w.#queue = events;
    w.#done = true;
    return w;
  }

  /** Opens a stream and creates the etcd watch; resolves once etcd confirms it. */
  #connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.#established) this.#created = { resolve, reject };
      else resolve();
      this.#shared.client.watchStream().then((stream) => {
        if (this.#done) {
          stream.cancel();
          return;
        }
        this.#stream = stream;
        stream.on("data", (res: IWatchResponse) => this.#onData(stream, res));
        stream.on("error", (err: Error) => this.#onBroken(stream, err));
        stream.on(
          "end",
          () => this.#onBroken(stream, new Error("stream ended")),
        );
        const keys = this.#shared.client.keys;
        stream.write({
          create_request: {
            key: keys.toEtcd(this.#key),
            range_end: this.#rangeEnd !== undefined
              ? keys.toEtcd(this.#rangeEnd)
              : undefined,
            start_revision: String(this.#nextRev),
            progress_notify: true,
            prev_kv: true,
          },
        });
      }, (err) => this.#onBroken(undefined, err));
    });
  }

  #onData(stream: WatchStream, res: IWatchResponse): void {
    if (this.#done || stream !== this.#stream) return;
    if (res.created) {
      this.#established = true;
      this.#brokenSince = 0;
      this.#backoffMs = 100;
      this.#created?.resolve();
      this.#created = undefined;
    }
    const compactRev = rev(res.compact_revision);
    if (compactRev > 0) {
      this.#fail(expired(this.#nextRev - 1, compactRev));
      return;
    }
    if (res.canceled) {
      this.#fail(
        unavailable(`etcd canceled the watch: ${res.cancel_reason || "?"}`),
      );
      return;
    }
    const events = res.events ?? [];
    if (events.length === 0) {
      if (!res.created) this.#progress(rev(res.header?.revision));
      return;
    }
    // One revision may hold many events (a DeleteRange); etcd never splits
    // a revision across responses, so the floor is fixed per response.
    const floor = this.#nextRev;
    for (const ev of events) {
      const revision = eventRevision(ev);
      if (revision < floor) continue;
      let out: WatchEvent | undefined;
      try {
        out = convertEvent(this.#shared.client.keys, ev, this.#opts.predicate);
      } catch (err) {
        this.#fail(mapError(err, "watch decode"));
        return;
      }
      this.#nextRev = revision + 1;
      if (out) {
        this.#lastSent = revision;
        this.#push(out);
      }
    }
  }

  /**
   * A progress notification at `revision` becomes a BOOKMARK. Where etcd's
   * progress may overtake this watch's events still on their way (etcd#15220,
   * `progress_order.ts`), only the revision this watch has read through is
   * known to be complete, so the BOOKMARK stops there: events arrive in
   * revision order, so none at or below `#nextRev - 1` can still come. Every
   * answer to a progress request gets a BOOKMARK that does not go backwards.
   */
  #progress(revision: number): void {
    if (!this.#opts.allowBookmarks) return;
    const complete = this.#shared.progressInOrder
      ? revision
      : Math.min(revision, this.#nextRev - 1);
    if (complete < this.#lastSent || complete < this.#lastBookmark) return;
    this.#lastSent = complete;
    this.#lastBookmark = complete;
    this.#push({ type: "BOOKMARK", object: bookmark(complete) });
  }

  #onBroken(stream: WatchStream | undefined, err: unknown): void {
    if (this.#done || (stream && stream !== this.#stream)) return;
    this.#stream = undefined;
    try {
      stream?.cancel();
    } catch {
      // already gone
    }
    if (!this.#established && this.#created) {
      // Never established: the caller of watch() gets the error.
      this.#created.reject(err);
      this.#created = undefined;
      return;
    }
    const now = Date.now();
    if (this.#brokenSince === 0) this.#brokenSince = now;
    if (now - this.#brokenSince > RESUME_DEADLINE_MS) {
      this.#fail(mapError(err, "watch"));
      return;
    }
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#done) return;
      this.#connect();
    }, this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, 2000);
  }

  /** Sends a progress request on this watch's stream (a BOOKMARK follows). */
  requestProgress(): void {
    try {
      this.#stream?.write({ progress_request: {} });
    } catch {
      // a broken stream resumes on its own
    }
  }

  #fail(error: StorageError): void {
    this.#push({ type: "ERROR", error });
    this.#finish();
  }

  #push(ev: WatchEvent): void {
    if (this.#done) return;
    this.#queue.push(ev);
    this.#wake?.();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#registry.remove(this);
    this.#opts.signal?.removeEventListener("abort", this.#onAbort);
    this.#created?.resolve();
    this.#created = undefined;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const stream = this.#stream;
    this.#stream = undefined;
    try {
      stream?.cancel();
    } catch {
      // already gone
    }
    this.#wake?.();
  }

  /** Ends the watch; pending events are dropped. */
  stop(): void {
    this.#queue = [];
    this.#head = 0;
    this.#finish();
  }

  /** The next queued event (released from the queue), if any. */
  #take(): WatchEvent | undefined {
    const queue = this.#queue;
    if (this.#head >= queue.length) return undefined;
    const ev = queue[this.#head];
    queue[this.#head++] = undefined;
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= queue.length) {
      // A consumer that never quite catches up: drop the taken slots.
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    return ev;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    try {
      for (;;) {
        const ev = this.#take();
        if (ev) {
          yield ev;
          if (ev.type === "ERROR") return;
          continue;
        }
        if (this.#done) return;
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
      }
    } finally {
      this.stop();
    }
  }
}

function bookmark(
  revision: number,
  annotations?: Record<string, string>,
): KubeObject {
  const metadata: KubeObject["metadata"] = {
    resourceVersion: String(revision),
  };
  if (annotations) metadata.annotations = annotations;
  return { metadata };
}

async function currentRevision(shared: EtcdShared): Promise<number> {
  try {
    return await shared.client.currentRevision();
  } catch (err) {
    throw mapError(err, "watch");
  }
}
