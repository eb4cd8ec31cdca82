/**
 * A watch outage on demand for tests of code that re-lists after a 410:
 * a `Store` whose first watch passes its initial state through (up to the
 * initial-events bookmark), then waits until the test says so and ends with
 * `410 Expired`, as a compacted or dropped watch would. Every later watch,
 * and every other method, is the wrapped store's.
 *
 * @module
 */

import {
  expired,
  type Store,
  type Watcher,
  type WatchEvent,
} from "../../storage/mod.ts";

/**
 * `store` whose first watch yields `events(inner)` instead of the inner
 * watch's events (stopping it stops the inner watch); every later watch,
 * and every other method, is the wrapped store's.
 */
export function withFirstWatch(
  store: Store,
  events: (inner: Watcher) => AsyncGenerator<WatchEvent>,
): Store {
  let first = true;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== "watch") {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      }
      return async (
        key: string,
        opts: Parameters<Store["watch"]>[1],
      ): Promise<Watcher> => {
        const inner = await target.watch(key, opts);
        if (!first) return inner;
        first = false;
        const it = events(inner);
        return { stop: () => inner.stop(), [Symbol.asyncIterator]: () => it };
      };
    },
  });
}

/**
 * `store` with its first watch ending in `410 Expired` once `fail` resolves
 * (after the watch's initial state was handed over).
 */
export function expiringOnce(store: Store, fail: Promise<void>): Store {
  return withFirstWatch(store, async function* (inner) {
    for await (const ev of inner) {
      yield ev;
      if (ev.type === "BOOKMARK") break;
    }
    await fail;
    inner.stop();
    yield { type: "ERROR", error: expired(1, 2) };
  });
}
