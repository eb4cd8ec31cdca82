/**
 * A revision log (`storage/log/log.ts`) kept in process memory: the storage of the
 * `memory` backend, and a reference implementation of the log contract.
 *
 * Every key keeps its versions (oldest first) so reads at older revisions
 * and `changes()` work until {@linkcode MemoryLog.compact} drops them. Keys
 * are kept in a sorted set, so prefix scans walk them in order without
 * sorting per call. All methods run synchronously inside their promise, so
 * every write is atomic with respect to every other call.
 *
 * @example
 * ```ts
 * const log = new MemoryLog();
 * const rev = await log.create("/registry/things/clusters/root/a", "{}");
 * ```
 *
 * @module
 */

import {
  conflict,
  expired,
  invalidKey,
  keyExists,
  notFound,
  tooLargeResourceVersion,
  unavailable,
} from "../../storage/errors.ts";
import type {
  LogEvent,
  LogListOptions,
  LogListResult,
  LogRecord,
} from "../../storage/log/log.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";
import type { RangeCountingLog } from "../../storage/log/range_count.ts";
import type { SyncReadingLog } from "../../storage/log/sync_read.ts";
import { validateKey, validatePrefix } from "../../storage/keys.ts";
import { SortedKeys } from "./_sorted_keys.ts";

/** One version of a key: a value written at `revision`, or a delete marker. */
interface Version {
  revision: number;
  value: string;
  createRevision: number;
  deleted: boolean;
}

/** Options for {@linkcode MemoryLog}. */
export interface MemoryLogOptions {
  /** Where listener failures are reported. Default: dropped. */
  logger?: Logger;
}

/** The UTF-8 length of `s` without allocating. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The last version with `revision <= at`, or `undefined`. */
function versionAt(
  versions: Version[],
  at: number,
): Version | undefined {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (versions[mid].revision <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : versions[lo - 1];
}

/** A revision log in memory. Data is lost when the process exits. */
export class MemoryLog implements RangeCountingLog, SyncReadingLog {
  /** As etcd, an empty log is at revision 1, so no read ever reports 0. */
  #revision = 1;
  #compacted = 0;
  #closed = false;
  readonly #history = new Map<string, Version[]>();
  readonly #keys = new SortedKeys();
  /** Every retained change, in revision order. */
  #events: LogEvent[] = [];
  readonly #listeners = new Set<(events: LogEvent[]) => void>();
  readonly #logger: Logger;

  /** Creates an empty log (at revision 1, like a fresh etcd). */
  constructor(opts: MemoryLogOptions = {}) {
    this.#logger = opts.logger ?? silentLogger;
  }

  #checkOpen(): void {
    if (this.#closed) throw unavailable("the memory log is closed");
  }

  /** Resolves `at` (0 = latest) to a readable revision, or throws. */
  #readRevision(at: number | undefined): number {
    this.#checkOpen();
    if (!at) return this.#revision;
    if (at > this.#revision) {
      throw tooLargeResourceVersion(at, this.#revision);
    }
    if (at < this.#compacted) throw expired(at, this.#compacted);
    return at;
  }

  #latest(key: string): Version | undefined {
    const versions = this.#history.get(key);
    const v = versions?.[versions.length - 1];
    return v && !v.deleted ? v : undefined;
  }

  #recordAt(key: string, at: number): LogRecord | undefined {
    const versions = this.#history.get(key);
    if (!versions) return undefined;
    const v = versionAt(versions, at);
    if (!v || v.deleted) return undefined;
    return {
      key,
      value: v.value,
      createRevision: v.createRevision,
      modRevision: v.revision,
    };
  }

  #commit(key: string, version: Version, event: LogEvent): number {
    this.#record(key, version, event);
    this.#publish([event]);
    return version.revision;
  }

  /** Stores one change without telling listeners (see {@linkcode #publish}). */
  #record(key: string, version: Version, event: LogEvent): void {
    let versions = this.#history.get(key);
    if (!versions) {
      versions = [];
      this.#history.set(key, versions);
      this.#keys.add(key);
    }
    versions.push(version);
    this.#events.push(event);
  }

  /** Hands one batch of committed changes to every listener. */
  #publish(batch: LogEvent[]): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(batch);
      } catch (err) {
        this.#logger.error("memory log listener failed", { error: err });
      }
    }
  }

  /** The highest committed revision. */
  currentRevision(): Promise<number> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      return this.#revision;
    });
  }

  /** The revision history was last compacted at (0 = never). */
  compactedRevision(): Promise<number> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      return this.#compacted;
    });
  }

  /** The live record of `key` now, read synchronously (`SyncReadingLog`). */
  getLatestSync(key: string): LogRecord | undefined {
    validateKey(key);
    if (key.endsWith("/")) {
      throw invalidKey(key, "an object key may not end with /");
    }
    return this.#recordAt(key, this.#readRevision(0));
  }

  /** The live record of `key` at `atRevision` (0 = latest). */
  get(key: string, atRevision?: number): Promise<LogRecord | undefined> {
    return Promise.resolve().then(() =>
      this.#recordAt(key, this.#readRevision(atRevision))
    );
  }

  /** Live records under `prefix`, in key order. */
  list(prefix: string, opts: LogListOptions = {}): Promise<LogListResult> {
    return Promise.resolve().then(() => {
      const revision = this.#readRevision(opts.atRevision);
      const limit = opts.limit ?? 0;
      const records: LogRecord[] = [];
      let more = false;
      for (const key of this.#keys.scan(prefix, opts.startKey ?? prefix)) {
        const rec = this.#recordAt(key, revision);
        if (!rec) continue;
        if (limit > 0 && records.length >= limit) {
          more = true;
          break;
        }
        records.push(rec);
      }
      return { records, revision, more };
    });
  }

  /** Live keys under `prefix` and their value bytes. */
  count(prefix: string): Promise<{ count: number; bytes: number }> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      let count = 0;
      let bytes = 0;
      for (const key of this.#keys.scan(prefix)) {
        const v = this.#latest(key);
        if (!v) continue;
        count++;
        bytes += utf8Length(v.value);
      }
      return { count, bytes };
    });
  }

  /** Live keys under `prefix` from `startKey` at `atRevision` (0 = latest). */
  countFrom(
    prefix: string,
    startKey: string,
    atRevision: number,
  ): Promise<number> {
    return Promise.resolve().then(() => {
      const revision = this.#readRevision(atRevision);
      let n = 0;
      for (const key of this.#keys.scan(prefix, startKey)) {
        const versions = this.#history.get(key)!;
        const v = versionAt(versions, revision);
        if (v && !v.deleted) n++;
      }
      return n;
    });
  }

  /** Creates `key`; `KeyExists` when it is live. */
  create(key: string, value: string): Promise<number> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      const live = this.#latest(key);
      if (live) throw keyExists(key, live.revision);
      const revision = this.#revision + 1;
      this.#revision = revision;
      return this.#commit(
        key,
        { revision, value, createRevision: revision, deleted: false },
        { type: "create", key, revision, value },
      );
    });
  }

  /** Replaces `key` when its modRevision is `expectedRevision`. */
  update(
    key: string,
    value: string,
    expectedRevision: number,
  ): Promise<number> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      const live = this.#latest(key);
      if (!live) throw notFound(key);
      if (live.revision !== expectedRevision) throw conflict(key);
      const revision = this.#revision + 1;
      this.#revision = revision;
      return this.#commit(
        key,
        {
          revision,
          value,
          createRevision: live.createRevision,
          deleted: false,
        },
        {
          type: "update",
          key,
          revision,
          value,
          prevValue: live.value,
          prevRevision: live.revision,
        },
      );
    });
  }

  /** Deletes `key` when its modRevision is `expectedRevision`. */
  delete(key: string, expectedRevision: number): Promise<number> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      const live = this.#latest(key);
      if (!live) throw notFound(key);
      if (live.revision !== expectedRevision) throw conflict(key);
      const revision = this.#revision + 1;
      this.#revision = revision;
      return this.#commit(
        key,
        { revision, value: live.value, createRevision: 0, deleted: true },
        {
          type: "delete",
          key,
          revision,
          value: live.value,
          prevValue: live.value,
          prevRevision: live.revision,
        },
      );
    });
  }

  /**
   * Deletes every live key under `prefix` at once: one delete marker each,
   * consecutive revisions in key order, one batch to listeners.
   */
  deletePrefix(
    prefix: string,
  ): Promise<{ deleted: number; revision: number }> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      validatePrefix(prefix);
      const batch: LogEvent[] = [];
      for (const key of [...this.#keys.scan(prefix)]) {
        const live = this.#latest(key);
        if (!live) continue;
        const revision = ++this.#revision;
        const event: LogEvent = {
          type: "delete",
          key,
          revision,
          value: live.value,
          prevValue: live.value,
          prevRevision: live.revision,
        };
        this.#record(
          key,
          { revision, value: live.value, createRevision: 0, deleted: true },
          event,
        );
        batch.push(event);
      }
      if (batch.length > 0) this.#publish(batch);
      return { deleted: batch.length, revision: this.#revision };
    });
  }

  /** Changes under `prefix` after `afterRevision`, oldest first. */
  changes(
    prefix: string,
    afterRevision: number,
    limit = 0,
  ): Promise<LogEvent[]> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      if (afterRevision < this.#compacted) {
        throw expired(afterRevision, this.#compacted);
      }
      const events = this.#events;
      let lo = 0;
      let hi = events.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (events[mid].revision <= afterRevision) lo = mid + 1;
        else hi = mid;
      }
      const out: LogEvent[] = [];
      for (let i = lo; i < events.length; i++) {
        if (!events[i].key.startsWith(prefix)) continue;
        out.push(events[i]);
        if (limit > 0 && out.length >= limit) break;
      }
      return out;
    });
  }

  /** Calls `listener` synchronously after every commit. */
  subscribe(listener: (events: LogEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Drops versions and events no read at or after `revision` needs. */
  compact(revision: number): Promise<void> {
    return Promise.resolve().then(() => {
      this.#checkOpen();
      if (revision > this.#revision) {
        throw tooLargeResourceVersion(revision, this.#revision);
      }
      if (revision <= this.#compacted) return;
      for (const [key, versions] of this.#history) {
        let keep = 0;
        while (
          keep + 1 < versions.length && versions[keep + 1].revision <= revision
        ) keep++;
        // `versions[keep]` is the state at `revision` when it is <= revision;
        // a delete marker there is no longer needed by any read.
        if (versions[keep].revision <= revision && versions[keep].deleted) {
          keep++;
        }
        if (keep >= versions.length) {
          this.#history.delete(key);
          this.#keys.delete(key);
        } else if (keep > 0) versions.splice(0, keep);
      }
      let drop = 0;
      while (
        drop < this.#events.length && this.#events[drop].revision <= revision
      ) drop++;
      this.#events = this.#events.slice(drop);
      this.#compacted = revision;
    });
  }

  /** Resolves while the log is open. */
  ready(): Promise<void> {
    return Promise.resolve().then(() => this.#checkOpen());
  }

  /** Drops listeners; later calls fail with `Unavailable`. */
  close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    return Promise.resolve();
  }
}
