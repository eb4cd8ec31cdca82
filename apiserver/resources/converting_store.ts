/**
 * A {@linkcode Store} view of another resource's storage, in another form:
 * upstream serves `events.k8s.io/v1` events from the core events storage
 * (`/registry/events/…`), converting each object on the way in and out. The
 * view takes keys under its own resource prefix, reads and writes the
 * storing resource's keys, and hands every object (results, watch events,
 * `tryUpdate`/`validateDeletion` arguments, predicates) over in its own
 * form, so the generic handlers need not know.
 *
 * @module
 */

import {
  type DeleteOptions,
  type GuaranteedUpdateOptions,
  type KubeObject,
  type ListOptions,
  type ListResult,
  type Predicate,
  resourcePrefix,
  type ResourceRef,
  type Store,
  type Watcher,
  type WatchEvent,
  type WatchOptions,
} from "../../storage/mod.ts";
import { jsonEqual } from "../../internal/json.ts";

/** The conversions between a view's form and the stored form. */
export interface StorageConversion {
  /** The view's object as stored (a new object; the input is not changed). */
  toStorage(obj: KubeObject): KubeObject;
  /** A stored object in the view's form (a new object). */
  fromStorage(stored: KubeObject): KubeObject;
}

/**
 * Serves `view` (the resource clients name) from `inner` (the store of the
 * resource that holds the objects), converting with `conversion`.
 *
 * @example
 * ```ts
 * const v1Events = convertingStore(
 *   factory.storeFor({ group: "", resource: "events" }),
 *   { group: "events.k8s.io", resource: "events" },
 *   { toStorage: v1ToCore, fromStorage: coreToV1 },
 * );
 * ```
 */
export function convertingStore(
  inner: Store,
  view: ResourceRef,
  conversion: StorageConversion,
): Store {
  const viewPrefix = resourcePrefix(view);
  const innerPrefix = resourcePrefix(inner.resource);
  const toInner = (key: string): string =>
    key.startsWith(viewPrefix)
      ? innerPrefix + key.slice(viewPrefix.length)
      : key;
  const toView = (key: string): string =>
    key.startsWith(innerPrefix)
      ? viewPrefix + key.slice(innerPrefix.length)
      : key;
  const out = (obj: KubeObject): KubeObject => conversion.fromStorage(obj);
  const into = (obj: KubeObject): KubeObject => conversion.toStorage(obj);
  const predicate = (p?: Predicate): Predicate | undefined =>
    p && !p.everything
      ? { matches: (obj) => p.matches(out(obj)), everything: p.everything }
      : p;

  return {
    resource: view,
    async create(key, obj) {
      return out(await inner.create(toInner(key), into(obj)));
    },
    async get(key, opts) {
      return out(await inner.get(toInner(key), opts));
    },
    async list(key, opts: ListOptions): Promise<ListResult> {
      const res = await inner.list(toInner(key), {
        ...opts,
        predicate: predicate(opts.predicate),
      });
      return { ...res, items: res.items.map(out) };
    },
    async guaranteedUpdate(key, opts: GuaranteedUpdateOptions) {
      const result = await inner.guaranteedUpdate(toInner(key), {
        ...opts,
        cachedExisting: opts.cachedExisting && into(opts.cachedExisting),
        tryUpdate: async (current) => {
          const seen = current ? out(current) : null;
          const next = await opts.tryUpdate(seen);
          // A no-op must reach the store as the current object itself.
          if (current && (next === seen || jsonEqual(into(next), current))) {
            return current;
          }
          return into(next);
        },
      });
      return out(result);
    },
    async delete(key, opts?: DeleteOptions) {
      const validate = opts?.validateDeletion;
      return out(
        await inner.delete(toInner(key), {
          ...opts,
          cachedExisting: opts?.cachedExisting && into(opts.cachedExisting),
          validateDeletion: validate && ((current) => validate(out(current))),
        }),
      );
    },
    deletePrefix(prefix) {
      return inner.deletePrefix(toInner(prefix));
    },
    async watch(key, opts: WatchOptions): Promise<Watcher> {
      const w = await inner.watch(toInner(key), {
        ...opts,
        predicate: predicate(opts.predicate),
      });
      async function* events(): AsyncGenerator<WatchEvent> {
        for await (const ev of w) {
          if (ev.type === "ERROR" || ev.type === "BOOKMARK") {
            yield ev;
            continue;
          }
          yield {
            type: ev.type,
            object: out(ev.object),
            ...(ev.key !== undefined ? { key: toView(ev.key) } : {}),
          };
        }
      }
      const it = events();
      return {
        stop: () => w.stop(),
        [Symbol.asyncIterator]: () => it,
      };
    },
    requestWatchProgress: () => inner.requestWatchProgress(),
    stats: () => inner.stats(),
    currentRevision: () => inner.currentRevision(),
    compact: (revision) => inner.compact(revision),
    readiness: () => inner.readiness(),
  };
}
