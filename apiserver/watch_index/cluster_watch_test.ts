import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/mod.ts";
import {
  type KubeObject,
  objectKey,
  resourcePrefix,
} from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import { ClusterIndex, watchClusters } from "./mod.ts";
import { expiringOnce } from "../../tests/support/expiring_watch.ts";

const GROUP = "example.com";
const RESOURCE = "widgets";
const PREFIX = resourcePrefix({ group: GROUP, resource: RESOURCE });

function openStore() {
  const factory = new LogStoreFactory(new MemoryLog());
  const store = factory.storeFor({ group: GROUP, resource: RESOURCE });
  const key = (cluster: string, name: string) =>
    objectKey({ group: GROUP, resource: RESOURCE, cluster, name });
  const put = (cluster: string, name: string) =>
    store.create(key(cluster, name), { metadata: { name } });
  return { factory, store, key, put };
}

Deno.test("the watch hands over the initial state by cluster, then puts and deletes with the last object", async () => {
  const { factory, store, key, put } = openStore();
  await put("root", "a");
  await put("tenant", "b");
  const seen: string[] = [];
  const synced = Promise.withResolvers<void>();
  let applied = Promise.withResolvers<void>();
  const stop = new AbortController();
  const loop = watchClusters({
    store,
    prefix: PREFIX,
    signal: stop.signal,
    name: "test",
    onPut: (cluster, k, o) =>
      seen.push(
        `put ${cluster} ${o.metadata.name} ${
          k === key(cluster, o.metadata.name!)
        }`,
      ),
    onDelete: (cluster, _k, last: KubeObject) =>
      seen.push(`delete ${cluster} ${last.metadata.name}`),
    onSynced: () => synced.resolve(),
    onApplied: () => applied.resolve(),
  });
  try {
    await synced.promise;
    assert.deepEqual(seen.sort(), ["put root a true", "put tenant b true"]);
    seen.length = 0;
    applied = Promise.withResolvers<void>();
    await store.delete(key("tenant", "b"));
    await applied.promise;
    assert.deepEqual(seen, ["delete tenant b"]);
  } finally {
    stop.abort();
    await loop;
    await factory.close();
  }
});

Deno.test("an expired watch is restarted with a fresh initial state and objects not seen again are deleted", async () => {
  const { factory, store, key, put } = openStore();
  await put("root", "a");
  const fail = Promise.withResolvers<void>();
  const stop = new AbortController();
  const index = new ClusterIndex({
    store: expiringOnce(store, fail.promise),
    prefix: PREFIX,
    signal: stop.signal,
    name: "test",
    retryDelayMs: 5,
  });
  const names = (c: string) => [...index.cluster(c)?.keys() ?? []].sort();
  try {
    await index.start();
    assert.deepEqual(names("root"), ["a"]);
    // Changes the failing watch never delivers:
    await store.delete(key("root", "a"));
    await put("root", "b");
    fail.resolve();
    for (let i = 0; i < 50 && names("root").join() !== "b"; i++) {
      await index.changed();
    }
    assert.deepEqual(names("root"), ["b"]);
  } finally {
    stop.abort();
    await index.closed();
    await factory.close();
  }
});

Deno.test("an index closed before its first load rejects ready()", async () => {
  const { factory, store } = openStore();
  const stop = new AbortController();
  stop.abort();
  const index = new ClusterIndex({
    store,
    prefix: PREFIX,
    signal: stop.signal,
    name: "test",
  });
  await assert.rejects(index.start(), /the test index was closed/);
  assert.equal(index.synced, false);
  await index.closed();
  await factory.close();
});

Deno.test("initial puts are flagged, awaited in order, and a re-list's deletion hands over the name and namespace", async () => {
  const { factory, store, key, put } = openStore();
  await put("root", "a");
  const nsKey = objectKey({
    group: GROUP,
    resource: RESOURCE,
    cluster: "t",
    namespace: "ns",
    name: "c",
  });
  await store.create(nsKey, { metadata: { name: "c", namespace: "ns" } });
  const fail = Promise.withResolvers<void>();
  const seen: string[] = [];
  let synced = Promise.withResolvers<void>();
  const stop = new AbortController();
  const loop = watchClusters({
    store: expiringOnce(store, fail.promise),
    prefix: PREFIX,
    signal: stop.signal,
    name: "test",
    retryDelayMs: 5,
    onPut: async (cluster, _k, o, initial) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(`put ${cluster} ${o.metadata.name} ${initial}`);
    },
    onDelete: async (cluster, _k, last) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(`delete ${cluster} ${JSON.stringify(last.metadata)}`);
    },
    onSynced: () => {
      seen.push("synced");
      synced.resolve();
    },
  });
  try {
    await synced.promise;
    assert.deepEqual(seen, ["put root a true", "put t c true", "synced"]);
    seen.length = 0;
    synced = Promise.withResolvers<void>();
    await store.delete(key("root", "a"));
    await store.delete(nsKey);
    await put("root", "b");
    fail.resolve();
    await synced.promise;
    assert.deepEqual(seen, [
      "put root b true",
      `delete root ${JSON.stringify({ name: "a" })}`,
      `delete t ${JSON.stringify({ namespace: "ns", name: "c" })}`,
      "synced",
    ]);
  } finally {
    stop.abort();
    await loop;
    await factory.close();
  }
});

Deno.test("failFast rejects when the first watch fails; without it the loop retries", async () => {
  const { factory, store } = openStore();
  let calls = 0;
  const broken = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== "watch") return Reflect.get(target, prop, receiver);
      return () => {
        calls++;
        return Promise.reject(new Error("backend closed"));
      };
    },
  });
  const handlers = {
    prefix: PREFIX,
    name: "test",
    retryDelayMs: 1,
    onPut: () => {},
    onDelete: () => {},
  };
  try {
    await assert.rejects(
      watchClusters({
        ...handlers,
        store: broken,
        signal: new AbortController().signal,
        failFast: true,
      }),
      /backend closed/,
    );
    assert.equal(calls, 1);
    const stop = new AbortController();
    const loop = watchClusters({
      ...handlers,
      store: broken,
      signal: stop.signal,
    });
    while (calls < 4) await new Promise((r) => setTimeout(r, 2));
    stop.abort();
    await loop;
  } finally {
    await factory.close();
  }
});
