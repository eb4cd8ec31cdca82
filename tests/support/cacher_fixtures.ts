/**
 * Test support for the cacher tests: a memory backend, a fault injector for the backend watch the cache consumes, and
 * a bounded event reader that never leaks a timer.
 *
 * @module
 */

import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { type StorageError, unavailable } from "../../storage/errors.ts";
import type { ResourceRef } from "../../storage/keys.ts";
import type { KubeObject } from "../../storage/object.ts";
import type {
  Store,
  StoreFactory,
  Watcher,
  WatchEvent,
  WatchOptions,
} from "../../storage/store.ts";

/**
 * `store` with the members in `own` answering in place of its own (a
 * member it does not have, such as a cache's `currentKeys`, included); every
 * other member is the store's, bound to it.
 */
export function overriding(
  store: Store,
  own: Partial<Store> | Record<string, unknown>,
): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (Object.hasOwn(own, prop)) {
        return (own as Record<PropertyKey, unknown>)[prop];
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/**
 * `inner` with some members of every store replaced: `overrides(store)`
 * gives them; every other member is the store's own.
 */
export function overridingStores(
  inner: StoreFactory,
  overrides: (store: Store) => Partial<Store>,
): StoreFactory {
  const wrap = (store: Store): Store => overriding(store, overrides(store));
  return {
    storeFor: (resource) => wrap(inner.storeFor(resource)),
    readiness: () => inner.readiness(),
    currentRevision: () => inner.currentRevision(),
    compact: (rev) => inner.compact(rev),
    close: () => inner.close(),
  };
}

/**
 * `inner` with watches that never start (until their signal aborts, then
 * rejected): a watch cache over it can never be filled.
 */
export function stalledWatches(inner: StoreFactory): StoreFactory {
  return overridingStores(inner, () => ({
    watch: (_k: string, opts: WatchOptions) =>
      new Promise<Watcher>((_, reject) =>
        opts.signal?.addEventListener(
          "abort",
          () => reject(unavailable("stopped")),
        )
      ),
  }));
}

/** A fresh memory backend. */
export function memory(): Promise<StoreFactory> {
  return memoryBackend().open({}, { dataDir: "/tmp", logger: silentLogger });
}

/** A factory whose stores' running watches can be made to fail. */
export interface FaultyFactory {
  factory: StoreFactory;
  /** Ends every running watch of every store with `error` as an ERROR event. */
  failWatches(error: StorageError): void;
  /** How many watches were started on the backend. */
  watchesStarted(): number;
}

/** Wraps `inner` with a watch fault injector. */
export function faultyFactory(inner: StoreFactory): FaultyFactory {
  const handles = new Set<(ev: WatchEvent) => void>();
  let started = 0;
  const wrap = (store: Store): Store =>
    new Proxy(store, {
      get(target, prop) {
        if (prop === "watch") {
          return async (
            key: string,
            opts: Parameters<Store["watch"]>[1],
          ): Promise<Watcher> => {
            const w = await target.watch(key, opts);
            started++;
            let fail!: (ev: WatchEvent) => void;
            const failed = new Promise<WatchEvent>((r) => (fail = r));
            handles.add(fail);
            const it = w[Symbol.asyncIterator]();
            const stop = () => {
              handles.delete(fail);
              w.stop();
            };
            return {
              stop,
              async *[Symbol.asyncIterator]() {
                try {
                  for (;;) {
                    const r = await Promise.race([
                      it.next(),
                      failed.then((ev) => ({ fault: ev })),
                    ]);
                    if ("fault" in r) {
                      yield r.fault;
                      return;
                    }
                    if (r.done) return;
                    yield r.value;
                  }
                } finally {
                  stop();
                }
              },
            };
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  const stores = new Map<string, Store>();
  return {
    factory: {
      storeFor(resource: ResourceRef) {
        const id = `${resource.group ?? ""}/${resource.resource}`;
        let s = stores.get(id);
        if (!s) stores.set(id, s = wrap(inner.storeFor(resource)));
        return s;
      },
      readiness: () => inner.readiness(),
      currentRevision: () => inner.currentRevision(),
      compact: (rev) => inner.compact(rev),
      close: () => inner.close(),
    },
    failWatches(error) {
      for (const fail of [...handles]) fail({ type: "ERROR", error });
    },
    watchesStarted: () => started,
  };
}

/** Reads watch events with a bounded wait per event. */
export class EventReader {
  #it: AsyncIterator<WatchEvent>;
  #pending?: Promise<IteratorResult<WatchEvent>>;

  /** Reads from `w`. */
  constructor(w: Watcher) {
    this.#it = w[Symbol.asyncIterator]();
  }

  /** The next event, or undefined when none arrives within `ms` (or the watch ended). */
  async next(ms = 5_000): Promise<WatchEvent | undefined> {
    this.#pending ??= this.#it.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), ms)
    );
    try {
      const r = await Promise.race([this.#pending, timeout]);
      if (r === "timeout") return undefined;
      this.#pending = undefined;
      return r.done ? undefined : r.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next event that is not a BOOKMARK. */
  async nextChange(ms = 5_000): Promise<WatchEvent | undefined> {
    for (;;) {
      const ev = await this.next(ms);
      if (ev?.type !== "BOOKMARK") return ev;
    }
  }
}

/** The object of a non-ERROR event, or undefined. */
export function objOf(ev: WatchEvent | undefined): KubeObject | undefined {
  return ev && ev.type !== "ERROR" ? ev.object : undefined;
}
