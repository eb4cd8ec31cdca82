/**
 * {@linkcode EtcdStore}: the `Store` contract implemented directly on etcd,
 * like `k8s.io/apiserver/pkg/storage/etcd3/store.go`. resourceVersion is the
 * etcd `mod_revision`; writes are compare-and-swap transactions on it. A
 * value that is not a JSON object is a corrupt object (`storage/log`'s
 * `decodeStored`, as every backend): reads and writes of it fail naming the
 * key, and only the unsafe delete (`expectCorrupt`) removes it.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  checkPreconditions,
  conflict,
  decodeObject,
  type DeleteOptions,
  type DeletePrefixResult,
  encodeObject,
  type GetOptions,
  type GuaranteedUpdateOptions,
  invalidKey,
  invalidObject,
  keyExists,
  type KubeObject,
  type ListOptions,
  type ListResult,
  notFound,
  prefixEnd,
  resourcePrefix,
  type ResourceRef,
  type Stats,
  type Store,
  tooLargeResourceVersion,
  validateKey,
  validatePrefix,
  type Watcher,
  type WatchOptions,
} from "../../storage/mod.ts";
import { deleteWhileCorrupt } from "../../storage/log/mod.ts";
import { type KeyValue, mapError, rev, toKeyValue } from "./_client.ts";
import {
  decodeKv,
  type EtcdShared,
  listObjects,
  parseRv,
  readKey,
} from "./_read.ts";
import { EtcdWatch, type WatchRegistry } from "./watch.ts";

/** How many compare-and-swap attempts an update or delete makes before `Conflict`. */
const MAX_ATTEMPTS = 1000;

/** The current state of a key, as a read-modify-write loop sees it. */
interface State {
  obj: KubeObject | null;
  /** The stored JSON (`""` when missing). */
  data: string;
  /** 0 when missing. */
  modRevision: number;
  /** True when read from etcd (not from a caller's cache). */
  fresh: boolean;
}

function stateOf(kv: KeyValue | undefined): State {
  if (!kv) return { obj: null, data: "", modRevision: 0, fresh: true };
  return {
    obj: decodeKv(kv),
    data: kv.value,
    modRevision: kv.modRevision,
    fresh: true,
  };
}

function stateFromCache(obj: KubeObject): State {
  return {
    obj: structuredClone(obj),
    data: encodeObject(obj),
    modRevision: Number(obj.metadata?.resourceVersion ?? 0) || 0,
    fresh: false,
  };
}

/** The txn condition "`key`'s mod_revision is `revision`" (0: absent). */
function modRevisionIs(key: Buffer, revision: number) {
  return {
    key,
    target: "Mod" as const,
    result: "Equal" as const,
    mod_revision: String(revision),
  };
}

/** A `Store` for one resource on a shared etcd connection. */
export class EtcdStore implements Store {
  readonly resource: ResourceRef;
  readonly #shared: EtcdShared;
  readonly #prefix: string;
  readonly #watches: WatchRegistry;

  constructor(
    shared: EtcdShared,
    resource: ResourceRef,
    watches: WatchRegistry,
  ) {
    this.#shared = shared;
    this.resource = resource;
    this.#prefix = resourcePrefix(resource);
    this.#watches = watches;
  }

  #checkKey(key: string): void {
    validateKey(key);
    if (!key.startsWith(this.#prefix)) {
      throw invalidKey(key, `outside the resource prefix ${this.#prefix}`);
    }
  }

  #etcd(key: string) {
    return this.#shared.client.keys.toEtcd(key);
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.#checkKey(key);
    if (obj?.metadata?.resourceVersion) {
      throw invalidObject(
        key,
        "resourceVersion should not be set on objects to be created",
      );
    }
    const data = encodeObject(obj);
    const k = this.#etcd(key);
    let res;
    try {
      res = await this.#shared.client.txn({
        compare: [modRevisionIs(k, 0)],
        success: [{ request_put: { key: k, value: Buffer.from(data) } }],
        failure: [],
      });
    } catch (err) {
      throw mapError(err, "create");
    }
    if (!res.succeeded) throw keyExists(key);
    // A fresh copy equal to what a get returns (one parse, no deep clone).
    return decodeObject(data, rev(res.header?.revision));
  }

  async get(key: string, opts: GetOptions = {}): Promise<KubeObject> {
    this.#checkKey(key);
    const min = parseRv(opts.resourceVersion);
    const { kv, revision } = await readKey(this.#shared, key);
    if (min > 0 && min > revision) {
      throw tooLargeResourceVersion(min, revision);
    }
    if (!kv) throw notFound(key, revision);
    return decodeKv(kv);
  }

  async list(key: string, opts: ListOptions): Promise<ListResult> {
    this.#checkKey(key);
    return await listObjects(this.#shared, key, opts);
  }

  async #readState(key: string): Promise<State> {
    return stateOf((await readKey(this.#shared, key)).kv);
  }

  async guaranteedUpdate(
    key: string,
    opts: GuaranteedUpdateOptions,
  ): Promise<KubeObject> {
    this.#checkKey(key);
    const k = this.#etcd(key);
    let state = opts.cachedExisting
      ? stateFromCache(opts.cachedExisting)
      : await this.#readState(key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (state.obj === null && !opts.ignoreNotFound) throw notFound(key);
      let next: KubeObject;
      try {
        if (state.obj) checkPreconditions(key, state.obj, opts.preconditions);
        next = await opts.tryUpdate(
          state.obj ? structuredClone(state.obj) : null,
        );
      } catch (err) {
        // A stale cached copy may be why it failed: retry once with fresh data.
        if (!state.fresh) {
          state = await this.#readState(key);
          continue;
        }
        throw err;
      }
      const data = encodeObject(next);
      if (state.obj && data === encodeObject(state.obj)) {
        if (!state.fresh) {
          state = await this.#readState(key);
          continue;
        }
        return state.obj;
      }
      let res;
      try {
        res = await this.#shared.client.txn({
          compare: [modRevisionIs(k, state.modRevision)],
          success: [{ request_put: { key: k, value: Buffer.from(data) } }],
          failure: [{ request_range: { key: k } }],
        });
      } catch (err) {
        throw mapError(err, "update");
      }
      if (res.succeeded) {
        return decodeObject(data, rev(res.header?.revision));
      }
      const kv = res.responses?.[0]?.response_range?.kvs?.[0];
      state = stateOf(
        kv ? toKeyValue(this.#shared.client.keys, kv) : undefined,
      );
    }
    throw conflict(key, "too many conflicting updates");
  }

  /**
   * One etcd DeleteRange over `[prefix, prefixEnd(prefix))`: every key goes
   * at one revision. Without `prev_kv`: the count comes back as `deleted`,
   * and watchers get each last state from their own `prev_kv` watch, so
   * the values need not travel back here.
   */
  async deletePrefix(prefix: string): Promise<DeletePrefixResult> {
    validatePrefix(prefix, this.#prefix);
    const keys = this.#shared.client.keys;
    let res;
    try {
      res = await this.#shared.client.deleteRange({
        key: keys.toEtcd(prefix),
        range_end: keys.toEtcd(prefixEnd(prefix)),
      });
    } catch (err) {
      throw mapError(err, "deletePrefix");
    }
    return { deleted: rev(res.deleted), revision: rev(res.header?.revision) };
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    this.#checkKey(key);
    if (opts.expectCorrupt) return await this.#corruptDelete(key);
    const k = this.#etcd(key);
    let state = opts.cachedExisting
      ? stateFromCache(opts.cachedExisting)
      : await this.#readState(key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (state.obj === null) throw notFound(key);
      try {
        checkPreconditions(key, state.obj, opts.preconditions);
        await opts.validateDeletion?.(structuredClone(state.obj));
      } catch (err) {
        if (!state.fresh) {
          // Refused on the cache's guess: it stands if the guess is current.
          const fresh = await this.#readState(key);
          if (fresh.modRevision === state.modRevision) throw err;
          state = fresh;
          continue;
        }
        throw err;
      }
      let res;
      try {
        res = await this.#shared.client.txn({
          compare: [modRevisionIs(k, state.modRevision)],
          success: [{ request_delete_range: { key: k, prev_kv: true } }],
          failure: [{ request_range: { key: k } }],
        });
      } catch (err) {
        throw mapError(err, "delete");
      }
      const deleteRev = rev(res.header?.revision);
      if (res.succeeded) {
        const prev = res.responses?.[0]?.response_delete_range?.prev_kvs?.[0];
        const last = prev
          ? toKeyValue(this.#shared.client.keys, prev)
          : undefined;
        if (!last) throw notFound(key, deleteRev);
        return decodeKv(last, deleteRev);
      }
      const kv = res.responses?.[0]?.response_range?.kvs?.[0];
      state = stateOf(
        kv ? toKeyValue(this.#shared.client.keys, kv) : undefined,
      );
    }
    throw conflict(key, "too many conflicting deletes");
  }

  /**
   * `delete` with `expectCorrupt` (`storage/log`'s `deleteWhileCorrupt`): the
   * delete is a txn on the `mod_revision` that was read as corrupt. No
   * preconditions or validation: nothing can be checked on such a value.
   */
  #corruptDelete(key: string): Promise<KubeObject> {
    const k = this.#etcd(key);
    return deleteWhileCorrupt(key, {
      read: async () => {
        const { kv } = await readKey(this.#shared, key);
        return kv && { value: kv.value, revision: kv.modRevision };
      },
      deleteAt: async (revision) => {
        let res;
        try {
          res = await this.#shared.client.txn({
            compare: [modRevisionIs(k, revision)],
            success: [{ request_delete_range: { key: k } }],
            failure: [],
          });
        } catch (err) {
          throw mapError(err, "delete");
        }
        return res.succeeded ? rev(res.header?.revision) : undefined;
      },
    });
  }

  async watch(key: string, opts: WatchOptions): Promise<Watcher> {
    this.#checkKey(key);
    return await EtcdWatch.start(this.#shared, this.#watches, key, opts);
  }

  /** See {@linkcode Store.watchProgressInOrder} (`progress_order.ts`). */
  get watchProgressInOrder(): boolean {
    return this.#shared.progressInOrder;
  }

  /**
   * Sends etcd progress requests (they come back as BOOKMARKs; see
   * {@linkcode watchProgressInOrder} for servers whose progress may overtake
   * events: there a BOOKMARK stops at the revision its watch read through).
   */
  async requestWatchProgress(): Promise<void> {
    await this.#watches.requestProgress();
  }

  async stats(): Promise<Stats> {
    const client = this.#shared.client;
    try {
      const res = await client.range({
        key: client.keys.toEtcd(this.#prefix),
        range_end: client.keys.toEtcd(prefixEnd(this.#prefix)),
        count_only: true,
      });
      return { objectCount: rev(res.count) };
    } catch (err) {
      throw mapError(err, "stats");
    }
  }

  async currentRevision(): Promise<number> {
    try {
      return await this.#shared.client.currentRevision();
    } catch (err) {
      throw mapError(err, "currentRevision");
    }
  }

  compact(revision: number): Promise<void> {
    return compactTo(this.#shared, revision);
  }

  readiness(): Promise<void> {
    return checkReady(this.#shared);
  }
}

/** Compacts etcd up to `revision`; an already compacted revision is fine. */
export async function compactTo(
  shared: EtcdShared,
  revision: number,
): Promise<void> {
  if (!Number.isSafeInteger(revision) || revision <= 0) return;
  try {
    await shared.client.compact(revision);
  } catch (err) {
    const mapped = mapError(err, "compact", { revision });
    if (mapped.code === "TooLargeResourceVersion") {
      const current = await shared.client.currentRevision().catch(() => 0);
      throw tooLargeResourceVersion(revision, current);
    }
    if (mapped.code !== "Expired") throw mapped;
  }
  shared.compacted.revision = Math.max(shared.compacted.revision, revision);
}

/** Resolves when etcd answers a consistent read; `Unavailable` otherwise. */
export async function checkReady(shared: EtcdShared): Promise<void> {
  try {
    await shared.client.currentRevision();
  } catch (err) {
    const mapped = mapError(err, "readiness check");
    throw mapped.code === "Unavailable"
      ? mapped
      : mapError(new Error(`unavailable: ${mapped.message}`), "readiness");
  }
}
