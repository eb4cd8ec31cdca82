import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type {
  Store,
  StoreFactory,
  Watcher,
  WatchEvent,
} from "../../storage/mod.ts";
import { sleep } from "../../internal/sleep.ts";
import { WATCH_BUFFER_BYTES } from "./serve_watch.ts";

/** `inner` with every watch counting the events taken from it. */
function countingWatches(inner: StoreFactory, taken: { n: number }) {
  const stores = new Map<Store, Store>();
  return {
    ...inner,
    readiness: () => inner.readiness(),
    currentRevision: () => inner.currentRevision(),
    compact: (rv: number) => inner.compact(rv),
    close: () => inner.close(),
    storeFor(resource) {
      const store = inner.storeFor(resource);
      let wrapped = stores.get(store);
      if (!wrapped) {
        const watch = async (
          key: string,
          opts: Parameters<Store["watch"]>[1],
        ): Promise<Watcher> => {
          const w = await store.watch(key, opts);
          return {
            stop: () => w.stop(),
            async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
              for await (const ev of w) {
                taken.n++;
                yield ev;
              }
            },
          };
        };
        wrapped = new Proxy(store, {
          get(target, prop) {
            if (prop === "watch") return watch;
            const v = Reflect.get(target, prop, target);
            return typeof v === "function" ? v.bind(target) : v;
          },
        });
        stores.set(store, wrapped);
      }
      return wrapped;
    },
  } satisfies StoreFactory;
}

Deno.test("a watch takes events only as fast as its reader reads them", async () => {
  const backend = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const taken = { n: 0 };
  const s = await startTestServer({ storage: countingWatches(backend, taken) });
  try {
    const base = "/api/v1/namespaces/default/configmaps";
    const value = "x".repeat(1024);
    const total = Math.ceil((4 * WATCH_BUFFER_BYTES) / 1024);
    for (let i = 0; i < total; i++) {
      const r = await s.request("POST", base, {
        body: configMap(`cm-${i}`, { value }),
      });
      assert.equal(r.status, 201);
    }
    const res = await s.raw("GET", `${base}?watch=1&resourceVersion=0`);
    assert.equal(res.status, 200);
    // Nobody reads: the watch stops once its buffer is full.
    await sleep(100);
    assert.ok(taken.n < total / 2, `${taken.n} of ${total} taken unread`);
    // Reading takes every event.
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    let added = 0;
    while (added < total) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop()!;
      added += lines.filter((l) => JSON.parse(l).type === "ADDED").length;
    }
    assert.equal(added, total);
    await reader.cancel();
  } finally {
    await s.close();
    await backend.close();
  }
});
