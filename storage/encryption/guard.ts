/**
 * {@linkcode guardedStoreFactory}: the thin layer *above* the watch cache
 * that turns the placeholder of a value that did not decrypt (see
 * `envelope.ts`) into that object's error, as upstream reports a corrupt
 * object: a get of it fails with a `CorruptObject` error naming its key
 * (`… AdditionalErrorMsg: data from the storage is not transformable
 * revision=N: cipher: message authentication failed`), any list that
 * includes it with a `CorruptObjectsError` naming every such key, a watch
 * that meets it ends with that ERROR — except its DELETED event (its unsafe
 * delete), which passes with the name and namespace. Other objects of the
 * resource are served as usual, and the cache keeps running.
 *
 * @module
 */

import {
  CorruptCollector,
  corruptObject,
  type StorageError,
} from "../errors.ts";
import type { KubeObject } from "../object.ts";
import type { ResourceRef } from "../keys.ts";
import type {
  GetOptions,
  ListOptions,
  ListResult,
  Store,
  StoreFactory,
  Watcher,
  WatchEvent,
  WatchOptions,
} from "../store.ts";
import { placeholderError, placeholderKey } from "./envelope.ts";

/** The corrupt-object error of a placeholder; `undefined` for an object. */
function corruptError(obj: KubeObject): StorageError | undefined {
  const message = placeholderError(obj);
  if (message === undefined) return undefined;
  return corruptObject(
    placeholderKey(obj),
    Number(obj.metadata?.resourceVersion ?? 0),
    message,
    "untransformable",
  );
}

function check(obj: KubeObject): KubeObject {
  const err = corruptError(obj);
  if (err) throw err;
  return obj;
}

function guardStore(inner: Store): Store {
  return {
    resource: inner.resource,
    create: inner.create.bind(inner),
    guaranteedUpdate: inner.guaranteedUpdate.bind(inner),
    delete: inner.delete.bind(inner),
    deletePrefix: inner.deletePrefix.bind(inner),
    requestWatchProgress: inner.requestWatchProgress.bind(inner),
    stats: inner.stats.bind(inner),
    currentRevision: inner.currentRevision.bind(inner),
    compact: inner.compact.bind(inner),
    readiness: inner.readiness.bind(inner),
    async get(key: string, opts?: GetOptions): Promise<KubeObject> {
      return check(await inner.get(key, opts));
    },
    async list(key: string, opts: ListOptions): Promise<ListResult> {
      const res = await inner.list(key, opts);
      const corrupt = new CorruptCollector();
      for (const item of res.items) {
        const err = corruptError(item);
        if (err) corrupt.add(err);
      }
      corrupt.throwIfAny(key);
      return res;
    },
    async watch(key: string, opts: WatchOptions): Promise<Watcher> {
      const w = await inner.watch(key, opts);
      return {
        stop: () => w.stop(),
        async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
          for await (const ev of w) {
            if (ev.type !== "ERROR" && ev.type !== "BOOKMARK") {
              const err = corruptError(ev.object);
              if (err && ev.type === "DELETED") {
                yield {
                  type: "DELETED",
                  object: { metadata: ev.object.metadata },
                };
                continue;
              }
              if (err) {
                yield { type: "ERROR", error: err };
                w.stop();
                return;
              }
            }
            yield ev;
          }
        },
      };
    },
  };
}

/**
 * Wraps the watch cache's factory (which itself wraps
 * `encryptedStoreFactory(backend, …)`) so undecryptable objects are errors.
 * Everything else passes through.
 */
export function guardedStoreFactory(inner: StoreFactory): StoreFactory {
  const stores = new Map<string, Store>();
  return {
    storeFor(resource: ResourceRef): Store {
      const id = `${resource.group ?? ""}/${resource.resource}`;
      let store = stores.get(id);
      if (!store) {
        store = guardStore(inner.storeFor(resource));
        stores.set(id, store);
      }
      return store;
    },
    readiness: () => inner.readiness(),
    currentRevision: () => inner.currentRevision(),
    compact: (revision) => inner.compact(revision),
    close: () => inner.close(),
  };
}
