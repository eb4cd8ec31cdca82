/**
 * A {@linkcode Store} for one resource on top of any revision {@linkcode Log}:
 * the generic core every database backend (memory, SQLite, Spanner,
 * PostgreSQL) shares. It follows the semantics of Kubernetes' etcd3 store
 * (`k8s.io/apiserver/pkg/storage/etcd3/store.go` and `watcher.go`).
 *
 * Build stores through {@linkcode LogStoreFactory}; it shares one log and one
 * watch fan-out between all resources.
 *
 * @module
 */

import { invalidObject, notFound, tooLargeResourceVersion } from "../errors.ts";
import { resourcePrefix, type ResourceRef, validatePrefix } from "../keys.ts";
import { encodeObject, type KubeObject } from "../object.ts";
import {
  decodeStored,
  encodeHandedOver,
  encodeStored,
  isPlainNew,
} from "./_decode.ts";
import type {
  DeleteOptions,
  DeletePrefixResult,
  GetOptions,
  GuaranteedUpdateOptions,
  ListOptions,
  ListResult,
  Stats,
  Store,
  Watcher,
  WatchOptions,
} from "../store.ts";
import type { Log } from "./log.ts";
import { canReadSync, type SyncReadingLog } from "./sync_read.ts";
import {
  asStorageError,
  checkObject,
  checkObjectKey,
  checkScanKey,
  parseRV,
} from "./_checks.ts";
import { listFromLog } from "./_list.ts";
import { conditionalDelete, guaranteedUpdate } from "./_writes.ts";
import { startWatch, type WatchDeps } from "./_watcher.ts";

/** A {@linkcode Store} for one resource, backed by a {@linkcode Log}. */
export class LogStore implements Store {
  /** The resource this store serves. */
  readonly resource: ResourceRef;
  readonly #prefix: string;
  readonly #log: Log;
  readonly #watch: WatchDeps;
  readonly #syncLog: SyncReadingLog | undefined;

  /**
   * Creates the store for `resource`. `watch` carries the shared fan-out
   * (see {@linkcode LogStoreFactory}, which is how stores should be made).
   */
  constructor(resource: ResourceRef, log: Log, watch: WatchDeps) {
    this.resource = { ...resource };
    this.#prefix = resourcePrefix(resource);
    this.#log = log;
    this.#syncLog = canReadSync(log) ? log : undefined;
    this.#watch = watch;
  }

  /** Stores a new object at `key`. */
  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.#checkNew(key, obj);
    const data = encodeStored(obj);
    const rev = await this.#log.create(key, data);
    return decodeStored(data, rev, key);
  }

  /**
   * As {@linkcode create}, resolving with the revision only: the stored
   * object is not decoded back, and `obj` (plain JSON data, handed over:
   * `storage/cacher/quiet_creates.ts`) reaches the watchers as the new
   * object, frozen, instead of a decode of the stored text.
   */
  createQuietly(key: string, obj: KubeObject): Promise<number> {
    let data: string;
    let plain: boolean;
    try {
      this.#checkNew(key, obj);
      plain = isPlainNew(obj);
      data = plain ? encodeHandedOver(obj) : encodeObject(obj);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!plain) return this.#log.create(key, data);
    const withdraw = this.#watch.hub.handOver(key, data, obj);
    const created = this.#log.create(key, data);
    created.then(withdraw, withdraw);
    return created;
  }

  /** Checks a new object at `key` before it is encoded. */
  #checkNew(key: string, obj: KubeObject): void {
    checkObjectKey(key, this.#prefix);
    checkObject(key, obj);
    if (obj.metadata.resourceVersion) {
      throw invalidObject(
        key,
        "resourceVersion should not be set on objects to be created",
      );
    }
  }

  /** Reads one object. */
  get(key: string, opts: GetOptions = {}): Promise<KubeObject> {
    let min: number;
    try {
      min = parseRV(opts.resourceVersion);
      // The hot path: a latest read from an embedded log, no promise hops
      // (the log validates the key; the prefix is ours to check).
      if (
        min === 0 && this.#syncLog !== undefined && typeof key === "string" &&
        key.startsWith(this.#prefix)
      ) {
        const rec = this.#syncLog.getLatestSync(key);
        if (!rec) throw notFound(key);
        return Promise.resolve(decodeStored(rec.value, rec.modRevision, key));
      }
      checkObjectKey(key, this.#prefix);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#get(key, min);
  }

  async #get(key: string, min: number): Promise<KubeObject> {
    const rec = await this.#log.get(key);
    if (min > 0) {
      const current = await this.#log.currentRevision();
      if (min > current) throw tooLargeResourceVersion(min, current);
    }
    if (!rec) throw notFound(key);
    return decodeStored(rec.value, rec.modRevision, key);
  }

  /** Lists objects under a prefix (recursive) or one key. */
  list(key: string, opts: ListOptions): Promise<ListResult> {
    return Promise.resolve().then(() =>
      listFromLog(
        this.#log,
        checkScanKey(key, this.#prefix, opts.recursive),
        opts,
      )
    );
  }

  /** Read-modify-write with optimistic concurrency. */
  guaranteedUpdate(
    key: string,
    opts: GuaranteedUpdateOptions,
  ): Promise<KubeObject> {
    return Promise.resolve().then(() => {
      checkObjectKey(key, this.#prefix);
      return guaranteedUpdate(this.#log, key, opts);
    });
  }

  /** Deletes `key` after checking preconditions and `validateDeletion`. */
  delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    return Promise.resolve().then(() => {
      checkObjectKey(key, this.#prefix);
      return conditionalDelete(this.#log, key, opts);
    });
  }

  /** Deletes every object under `prefix` in one write of the log. */
  deletePrefix(prefix: string): Promise<DeletePrefixResult> {
    return Promise.resolve().then(() => {
      validatePrefix(prefix, this.#prefix);
      return this.#log.deletePrefix(prefix);
    });
  }

  /** Starts a watch on a prefix (recursive) or one key. */
  watch(key: string, opts: WatchOptions): Promise<Watcher> {
    return Promise.resolve().then(() =>
      startWatch(
        this.#watch,
        checkScanKey(key, this.#prefix, opts.recursive),
        opts,
        this.#prefix,
      )
    );
  }

  /** Asks every bookmark-enabled watcher of the factory for a BOOKMARK. */
  async requestWatchProgress(): Promise<void> {
    const current = await this.#log.currentRevision();
    this.#watch.hub.requestProgress(current);
  }

  /** Counts the resource's objects (all clusters). */
  async stats(): Promise<Stats> {
    const { count, bytes } = await this.#log.count(this.#prefix);
    return { objectCount: count, estimatedSizeBytes: bytes };
  }

  /** The log's current revision. */
  currentRevision(): Promise<number> {
    return this.#log.currentRevision();
  }

  /** Compacts the whole log up to `revision`. */
  compact(revision: number): Promise<void> {
    return this.#log.compact(revision);
  }

  /** Resolves when the log can serve. */
  async readiness(): Promise<void> {
    try {
      await this.#log.ready();
    } catch (err) {
      throw asStorageError(err);
    }
  }
}
