/**
 * Test support: a {@linkcode StoreFactory} wrapper that stamps the storage
 * key on watch events (`event.key`), emulating the proposed contract
 * addition until backends do it themselves. It learns keys from the writes
 * that pass through it (by `metadata.uid`), so it only works when every
 * write goes through it and every object has a uid — true for the
 * conformance suite and the cacher tests. Not for production use.
 *
 * @module
 */

import type { ResourceRef } from "../keys.ts";
import type { KubeObject } from "../object.ts";
import type {
  DeleteOptions,
  GetOptions,
  GuaranteedUpdateOptions,
  ListOptions,
  Store,
  StoreFactory,
  Watcher,
  WatchEvent,
  WatchOptions,
} from "../store.ts";

class KeyStampingStore implements Store {
  readonly resource: ResourceRef;
  #inner: Store;
  #keys = new Map<string, string>();

  constructor(inner: Store) {
    this.#inner = inner;
    this.resource = inner.resource;
  }

  #learn(key: string, obj: KubeObject | null | undefined): void {
    const uid = obj?.metadata?.uid;
    if (typeof uid === "string") this.#keys.set(uid, key);
  }

  create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.#learn(key, obj);
    return this.#inner.create(key, obj);
  }
  get(key: string, opts?: GetOptions): Promise<KubeObject> {
    return this.#inner.get(key, opts);
  }
  list(key: string, opts: ListOptions) {
    return this.#inner.list(key, opts);
  }
  guaranteedUpdate(
    key: string,
    opts: GuaranteedUpdateOptions,
  ): Promise<KubeObject> {
    return this.#inner.guaranteedUpdate(key, {
      ...opts,
      tryUpdate: async (cur) => {
        const next = await opts.tryUpdate(cur);
        this.#learn(key, next);
        return next;
      },
    });
  }
  delete(key: string, opts?: DeleteOptions): Promise<KubeObject> {
    return this.#inner.delete(key, opts);
  }
  async watch(key: string, opts: WatchOptions): Promise<Watcher> {
    const inner = await this.#inner.watch(key, opts);
    const keys = this.#keys;
    return {
      stop: () => inner.stop(),
      async *[Symbol.asyncIterator]() {
        for await (const ev of inner) {
          if (ev.type === "ERROR" || ev.type === "BOOKMARK") {
            yield ev;
            continue;
          }
          const uid = ev.object.metadata?.uid;
          const k = typeof uid === "string" ? keys.get(uid) : undefined;
          yield (k === undefined ? ev : { ...ev, key: k }) as WatchEvent;
        }
      },
    };
  }
  requestWatchProgress() {
    return this.#inner.requestWatchProgress();
  }
  stats() {
    return this.#inner.stats();
  }
  currentRevision() {
    return this.#inner.currentRevision();
  }
  compact(revision: number) {
    return this.#inner.compact(revision);
  }
  readiness() {
    return this.#inner.readiness();
  }
}

/** Wraps `inner` so its stores' watch events carry `key` (see the module doc). */
export function keyStampingFactory(inner: StoreFactory): StoreFactory {
  const stores = new Map<string, Store>();
  return {
    storeFor(resource) {
      const id = `${resource.group ?? ""}/${resource.resource}`;
      let s = stores.get(id);
      if (!s) {
        stores.set(id, s = new KeyStampingStore(inner.storeFor(resource)));
      }
      return s;
    },
    readiness: () => inner.readiness(),
    currentRevision: () => inner.currentRevision(),
    compact: (revision) => inner.compact(revision),
    close: () => inner.close(),
  };
}
