import assert from "node:assert/strict";
import { expired, unavailable } from "../errors.ts";
import { objectKey } from "../keys.ts";
import type { KubeObject } from "../object.ts";
import type { StoreFactory, Watcher, WatchOptions } from "../store.ts";
import { CachedStore, cachedStoreFactory, type CacherOptions } from "./mod.ts";
import {
  EventReader,
  faultyFactory,
  memory,
  objOf,
  overridingStores,
  stalledWatches,
} from "../../tests/support/cacher_fixtures.ts";
import { within } from "../../tests/support/within.ts";

const RES = { resource: "widgets" };
/** The whole resource: a list of it starts the cache (and waits for its fill). */
const PREFIX = "/registry/widgets/";
/** One namespace of one cluster: bounded reads. */
const NS_PREFIX = "/registry/widgets/clusters/root/ns/";
const key = (name: string) =>
  objectKey({ ...RES, cluster: "root", namespace: "ns", name });
const obj = (name: string, labels?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: "ns", uid: crypto.randomUUID(), labels },
  spec: { n: name },
});
const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion);

async function withCache(
  opts: CacherOptions,
  fn: (
    ctx: {
      cached: CachedStore;
      backend: ReturnType<StoreFactory["storeFor"]>;
      factory: StoreFactory;
      faults: ReturnType<typeof faultyFactory>;
    },
  ) => Promise<void>,
): Promise<void> {
  const faults = faultyFactory(await memory());
  const factory = cachedStoreFactory(faults.factory, opts);
  try {
    const cached = factory.storeFor(RES) as CachedStore;
    await fn({
      cached,
      backend: faults.factory.storeFor(RES),
      factory,
      faults,
    });
  } finally {
    await factory.close();
  }
}

Deno.test("a consistent get waits for the cache to see a write made behind its back", async () => {
  await withCache({}, async ({ cached, backend }) => {
    await cached.list(PREFIX, { recursive: true }); // starts the cache
    const written = await backend.create(key("a"), obj("a"));
    const got = await cached.get(key("a"));
    assert.deepEqual(got, written);
    assert.equal(cached.served.cache.get, 1);
  });
});

Deno.test("a consistent list catches up through progress requests when other resources move the revision", async () => {
  await withCache({}, async ({ cached, factory }) => {
    await cached.create(key("a"), obj("a"));
    await cached.list(PREFIX, { recursive: true });
    const other = factory.storeFor({ resource: "others" });
    const bump = await other.create(
      "/registry/others/clusters/root/x",
      { metadata: { name: "x", uid: crypto.randomUUID() } },
    );
    const list = await cached.list(PREFIX, { recursive: true });
    assert.ok(Number(list.resourceVersion) >= rvOf(bump));
    assert.equal(list.items.length, 1);
    assert.equal(cached.served.cache.list, 2);
    assert.equal(cached.served.backend.list, 0);
  });
});

Deno.test("a page from the cache continues from the backend at the cache's revision", async () => {
  await withCache({}, async ({ cached }) => {
    for (const n of ["a", "b", "c", "d", "e"]) {
      await cached.create(key(n), obj(n));
    }
    await cached.list(PREFIX, { recursive: true }); // fills the cache
    const first = await cached.list(PREFIX, { recursive: true, limit: 2 });
    assert.deepEqual(first.items.map((o) => o.metadata.name), ["a", "b"]);
    assert.equal(first.remainingItemCount, 3);
    await cached.delete(key("d"));
    await cached.create(key("f"), obj("f"));
    await cached.get(key("c")); // consistent: the cache has seen both changes
    const rest = await cached.list(PREFIX, {
      recursive: true,
      continue: first.continue,
    });
    assert.deepEqual(rest.items.map((o) => o.metadata.name), ["c", "d", "e"]);
    assert.equal(rest.resourceVersion, first.resourceVersion);
    assert.equal(cached.served.cache.list, 2);
  });
});

Deno.test("a watch resumes from the cache's history without the backend", async () => {
  await withCache({}, async ({ cached, faults }) => {
    const a = await cached.create(key("a"), obj("a"));
    await cached.list(PREFIX, { recursive: true }); // waits for the fill
    const watchesBefore = faults.watchesStarted();
    const b = await cached.create(key("b"), obj("b"));
    const a2 = await cached.guaranteedUpdate(key("a"), {
      tryUpdate: (cur) => ({ ...cur!, spec: { n: "a2" } }),
    });
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: String(rvOf(a)),
    });
    const r = new EventReader(w);
    assert.deepEqual(await r.next(), {
      type: "ADDED",
      object: b,
      key: key("b"),
    });
    assert.deepEqual(await r.next(), {
      type: "MODIFIED",
      object: a2,
      key: key("a"),
    });
    w.stop();
    assert.equal(faults.watchesStarted(), watchesBefore);
    assert.equal(cached.served.cache.watch, 1);
  });
});

Deno.test("a watch older than the cache's history is served by the backend, and after compaction ends with Expired", async () => {
  await withCache({ historySize: 2 }, async ({ cached, factory }) => {
    await cached.list(PREFIX, { recursive: true });
    const a = await cached.create(key("a"), obj("a"));
    for (const n of ["b", "c", "d"]) await cached.create(key(n), obj(n));
    await cached.list(PREFIX, { recursive: true }); // the cache saw them all
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: String(rvOf(a)),
    });
    const names = [];
    const r = new EventReader(w);
    for (let i = 0; i < 3; i++) names.push(objOf(await r.next()));
    w.stop();
    assert.deepEqual(names.map((o) => (o as KubeObject).metadata.name), [
      "b",
      "c",
      "d",
    ]);
    assert.equal(cached.served.backend.watch, 1);
    await factory.compact(await factory.currentRevision());
    const old = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: String(rvOf(a)),
    });
    const ev = await new EventReader(old).next();
    old.stop();
    assert.equal(ev?.type, "ERROR");
    assert.equal(ev?.type === "ERROR" && ev.error.code, "Expired");
  });
});

Deno.test("a watcher that cannot keep up is ended with an ERROR while others get every event", async () => {
  await withCache({ watcherBufferSize: 5 }, async ({ cached }) => {
    const slow = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const fast = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const fastReader = new EventReader(fast);
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      await cached.create(key(`o${i}`), obj(`o${i}`));
      seen.push(String(objOf(await fastReader.next())?.metadata.name));
    }
    assert.deepEqual(seen, [...Array(10)].map((_, i) => `o${i}`));
    const ev = await new EventReader(slow).next();
    assert.equal(ev?.type, "ERROR");
    assert.equal(ev?.type === "ERROR" && ev.error.code, "Unavailable");
    assert.equal(await new EventReader(slow).next(100), undefined);
    fast.stop();
    assert.equal(cached.watcherCount, 0);
  });
});

Deno.test("an Expired backend watch makes the cache re-list and its watchers re-list", async () => {
  await withCache({}, async ({ cached, backend, faults }) => {
    await cached.create(key("a"), obj("a"));
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const r = new EventReader(w);
    assert.equal((await r.next())?.type, "ADDED");
    faults.failWatches(expired(1, 2));
    const ev = await r.next();
    assert.equal(ev?.type === "ERROR" && ev.error.code, "Expired");
    const b = await backend.create(key("b"), obj("b"));
    const list = await cached.list(PREFIX, { recursive: true });
    assert.deepEqual(list.items.map((o) => o.metadata.name), ["a", "b"]);
    assert.ok(Number(list.resourceVersion) >= rvOf(b));
    assert.ok(cached.served.cache.list >= 1);
  });
});

Deno.test("a backend watch that fails otherwise is resumed and no event is lost", async () => {
  await withCache({}, async ({ cached, faults }) => {
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const r = new EventReader(w);
    await cached.create(key("a"), obj("a"));
    assert.equal(objOf(await r.next())?.metadata.name, "a");
    const started = faults.watchesStarted();
    faults.failWatches(unavailable("connection reset"));
    const b = await cached.create(key("b"), obj("b"));
    const c = await cached.create(key("c"), obj("c"));
    assert.deepEqual(await r.next(), {
      type: "ADDED",
      object: b,
      key: key("b"),
    });
    assert.deepEqual(await r.next(), {
      type: "ADDED",
      object: c,
      key: key("c"),
    });
    assert.ok(faults.watchesStarted() > started);
    w.stop();
  });
});

Deno.test("predicate transitions are computed from the cached previous state", async () => {
  await withCache({}, async ({ cached }) => {
    const blue = {
      matches: (o: KubeObject) => o.metadata.labels?.color === "blue",
    };
    await cached.list(PREFIX, { recursive: true });
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "",
      sendInitialEvents: false,
      predicate: blue,
    });
    const r = new EventReader(w);
    await cached.create(key("a"), obj("a", { color: "red" }));
    const toBlue = await cached.guaranteedUpdate(key("a"), {
      tryUpdate: (cur) => ({
        ...cur!,
        metadata: { ...cur!.metadata, labels: { color: "blue" } },
      }),
    });
    const toRed = await cached.guaranteedUpdate(key("a"), {
      tryUpdate: (cur) => ({
        ...cur!,
        metadata: { ...cur!.metadata, labels: { color: "red" } },
      }),
    });
    assert.deepEqual(await r.next(), {
      type: "ADDED",
      object: toBlue,
      key: key("a"),
    });
    const gone = await r.next();
    assert.equal(gone?.type, "DELETED");
    assert.equal(
      objOf(gone)?.metadata.labels?.color,
      "blue",
    );
    assert.equal(
      objOf(gone)?.metadata.resourceVersion,
      toRed.metadata.resourceVersion,
    );
    w.stop();
  });
});

Deno.test("periodic bookmarks reach only the watchers that allow them", async () => {
  await withCache({ bookmarkIntervalMs: 30 }, async ({ cached }) => {
    await cached.create(key("a"), obj("a"));
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
      allowBookmarks: true,
      sendInitialEvents: true,
    });
    const quiet = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const r = new EventReader(w);
    assert.equal((await r.next())?.type, "ADDED");
    const end = await r.next();
    assert.equal(end?.type, "BOOKMARK");
    assert.equal(
      end?.type === "BOOKMARK" &&
        end.object.metadata.annotations?.["k8s.io/initial-events-end"],
      "true",
    );
    const periodic = await r.next();
    assert.equal(periodic?.type, "BOOKMARK");
    const q = new EventReader(quiet);
    assert.equal((await q.next())?.type, "ADDED");
    assert.equal(await q.next(200), undefined);
    w.stop();
    quiet.stop();
  });
});

Deno.test("watch event objects are frozen and get results are private copies", async () => {
  await withCache({}, async ({ cached }) => {
    await cached.create(key("a"), obj("a"));
    const w = await cached.watch(key("a"), {
      recursive: false,
      resourceVersion: "0",
    });
    const ev = await new EventReader(w).next();
    w.stop();
    assert.ok(ev?.type === "ADDED" && Object.isFrozen(ev.object.metadata));
    const got = await cached.get(key("a"), { resourceVersion: "0" });
    got.metadata.name = "changed";
    assert.equal((await cached.get(key("a"))).metadata.name, "a");
  });
});

Deno.test("without keys on the backend's watch events the store serves everything from the backend", async () => {
  await withCache({ keyOf: () => undefined }, async ({ cached }) => {
    const a = await cached.create(key("a"), obj("a"));
    assert.deepEqual(await cached.get(key("a")), a);
    const list = await cached.list(PREFIX, { recursive: true });
    assert.deepEqual(list.items, [a]);
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const ev = await new EventReader(w).next();
    assert.deepEqual(objOf(ev), a);
    w.stop();
    assert.equal(cached.serving, false);
    assert.equal(cached.served.cache.get + cached.served.cache.list, 0);
    assert.ok(cached.served.backend.watch >= 1);
  });
});

Deno.test("readiness reports the backend and close stops the cache's backend watch", async () => {
  await withCache({ eager: true }, async ({ cached, factory, faults }) => {
    await cached.list(PREFIX, { recursive: true });
    await factory.readiness();
    assert.equal(faults.watchesStarted(), 1);
  });
});

Deno.test("bad options are rejected with a RangeError", async () => {
  const inner = await memory();
  try {
    assert.throws(
      () => new CachedStore(inner.storeFor(RES), { historySize: 0 }),
      RangeError,
    );
  } finally {
    await inner.close();
  }
});

Deno.test("history older than historyMaxAgeMs is dropped: a watch from before it is served by the backend", async () => {
  await withCache({ historyMaxAgeMs: 100 }, async ({ cached }) => {
    await cached.list(PREFIX, { recursive: true });
    const a = await cached.create(key("a"), obj("a"));
    await cached.create(key("b"), obj("b"));
    await cached.list(PREFIX, { recursive: true }); // the cache saw both
    const fresh = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: String(rvOf(a)),
    });
    fresh.stop();
    assert.equal(cached.served.cache.watch, 1);
    await new Promise((r) => setTimeout(r, 400)); // expiry runs every 100 ms
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: String(rvOf(a)),
    });
    const ev = await new EventReader(w).next();
    w.stop();
    assert.equal(objOf(ev)?.metadata.name, "b");
    assert.equal(cached.served.backend.watch, 1);
  });
});

Deno.test("until the cache is filled, bounded reads go to the backend at once and start no fill", async () => {
  await withCache({}, async ({ cached, faults }) => {
    const a = await cached.create(key("a"), obj("a"));
    const b = await cached.create(key("b"), obj("b"));
    // One object, one namespace, a page of the whole resource without a
    // filter: the backend, at a cost bounded by the answer.
    assert.deepEqual(await cached.get(key("a")), a);
    assert.deepEqual(await cached.getJson(key("b")), JSON.stringify(b));
    const ns = await cached.list(NS_PREFIX, { recursive: true });
    assert.deepEqual(ns.items, [a, b]);
    const page = await cached.list(PREFIX, { recursive: true, limit: 1 });
    assert.deepEqual(page.items, [a]);
    assert.deepEqual(cached.served.backend, { get: 2, list: 2, watch: 0 });
    assert.equal(faults.watchesStarted(), 0, "no fill started");
    assert.equal(cached.serving, false);
    // The whole resource starts the fill and waits for it; then the cache
    // serves the bounded reads too.
    const all = await cached.list(PREFIX, { recursive: true });
    assert.deepEqual(all.items, [a, b]);
    assert.equal(faults.watchesStarted(), 1);
    assert.deepEqual(await cached.get(key("a")), a);
    assert.deepEqual(
      (await cached.list(NS_PREFIX, { recursive: true })).items,
      [a, b],
    );
    assert.deepEqual(cached.served.cache, { get: 1, list: 2, watch: 0 });
  });
});

Deno.test("until the cache is filled, a watch from a resourceVersion is the backend's and starts no fill; one with initial state starts it", async () => {
  await withCache({}, async ({ cached, faults }) => {
    const a = await cached.create(key("a"), obj("a"));
    const w = await cached.watch(NS_PREFIX, {
      recursive: true,
      resourceVersion: String(rvOf(a)),
    });
    assert.equal(faults.watchesStarted(), 1, "the backend watch, no fill");
    assert.equal(cached.served.backend.watch, 1);
    const b = await cached.create(key("b"), obj("b"));
    const ev = await new EventReader(w).next();
    w.stop();
    assert.equal(ev?.type, "ADDED");
    assert.deepEqual(objOf(ev), b);
    const initial = await cached.watch(NS_PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const r = new EventReader(initial);
    const names = [objOf(await r.next()), objOf(await r.next())]
      .map((o) => o?.metadata.name);
    initial.stop();
    assert.deepEqual(names, ["a", "b"]);
    assert.equal(faults.watchesStarted(), 2, "the fill's backend watch");
    assert.equal(cached.served.cache.watch, 1);
  });
});

Deno.test("a watch's initial events offer their text until their object is read", async () => {
  await withCache({}, async ({ cached }) => {
    const a = await cached.create(key("a"), obj("a"));
    const w = await cached.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
    });
    const ev = await new EventReader(w).next();
    w.stop();
    assert.ok(ev && ev.type === "ADDED");
    assert.equal(ev.text?.revision, rvOf(a));
    assert.deepEqual(JSON.parse(ev.text!.json), a);
    assert.deepEqual(ev.object, a);
    assert.equal(ev.text, undefined, "decoded: the text is let go");
  });
});

Deno.test("readiness does not wait for a fill, and a fill that never completes leaves reads to the backend", async () => {
  // A backend whose watches never start: the fill cannot complete.
  const stalled = stalledWatches(await memory());
  const factory = cachedStoreFactory(stalled, {
    eager: true,
    freshnessTimeoutMs: 50,
  });
  try {
    const cached = factory.storeFor(RES) as CachedStore;
    await factory.readiness();
    await cached.readiness();
    const a = await cached.create(key("a"), obj("a"));
    assert.deepEqual(await cached.get(key("a")), a);
    // The whole resource waits for the fill (freshnessTimeoutMs), then
    // reads the backend.
    assert.deepEqual((await cached.list(PREFIX, { recursive: true })).items, [
      a,
    ]);
    assert.deepEqual(cached.served.backend, { get: 1, list: 1, watch: 0 });
  } finally {
    await factory.close();
  }
});

Deno.test("a watch stopped while it waits for the fill ends at once, with no backend watch", async () => {
  // A backend whose watches never start: the fill cannot complete.
  const stalled = stalledWatches(await memory());
  // Waits far longer than the test runs: only the abort can end them.
  const factory = cachedStoreFactory(stalled, {
    initTimeoutMs: 600_000,
    freshnessTimeoutMs: 600_000,
  });
  try {
    const cached = factory.storeFor(RES) as CachedStore;
    for (const sendInitialEvents of [true, false]) {
      const stop = new AbortController();
      const started = cached.watch(PREFIX, {
        recursive: true,
        resourceVersion: sendInitialEvents ? "" : "0",
        sendInitialEvents,
        allowBookmarks: true,
        signal: stop.signal,
      });
      await new Promise((r) => setTimeout(r, 20));
      stop.abort();
      // Without the abort reaching the waits this hangs for their timeout.
      const w = await within(started, 10_000, "the stopped watch's start");
      const next = await w[Symbol.asyncIterator]().next();
      assert.equal(next.done, true);
    }
    assert.equal(cached.served.backend.watch, 0);
    assert.equal(cached.served.cache.watch, 0);
  } finally {
    await factory.close();
  }
});

Deno.test("a continue page comes from the cache while its range is unchanged since the token's revision, else from the backend", async () => {
  await withCache({}, async ({ cached }) => {
    for (const n of ["a", "b", "c", "d"]) await cached.create(key(n), obj(n));
    await cached.list(PREFIX, { recursive: true }); // fills the cache
    const first = await cached.list(PREFIX, { recursive: true, limit: 2 });
    assert.deepEqual(first.items.map((o) => o.metadata.name), ["a", "b"]);
    // A change before the page's start key leaves the range as it was.
    await cached.delete(key("a"));
    await cached.get(key("b")); // consistent: the cache has seen the delete
    const before = { ...cached.served.backend };
    const second = await cached.list(PREFIX, {
      recursive: true,
      limit: 2,
      continue: first.continue,
    });
    assert.deepEqual(second.items.map((o) => o.metadata.name), ["c", "d"]);
    assert.equal(second.resourceVersion, first.resourceVersion);
    assert.equal(
      cached.served.backend.list,
      before.list,
      "served by the cache",
    );
    // A change inside the range: the backend reads the token's revision.
    const again = await cached.list(PREFIX, { recursive: true, limit: 2 });
    await cached.delete(key("d"));
    await cached.get(key("b"));
    const third = await cached.list(PREFIX, {
      recursive: true,
      limit: 2,
      continue: again.continue,
    });
    assert.deepEqual(third.items.map((o) => o.metadata.name), ["d"]);
    assert.equal(third.resourceVersion, again.resourceVersion);
    assert.equal(cached.served.backend.list, before.list + 1);
  });
});

/**
 * A backend whose BOOKMARKs may overtake events (etcd before 3.4.31 /
 * 3.5.13, etcd#15220), made deterministic: every event is preceded by a
 * BOOKMARK at its own revision.
 */
function overtakingBookmarks(inner: StoreFactory): StoreFactory {
  return overridingStores(inner, (store) => ({
    watchProgressInOrder: false,
    async watch(k: string, opts: WatchOptions): Promise<Watcher> {
      const w = await store.watch(k, opts);
      return {
        stop: () => w.stop(),
        async *[Symbol.asyncIterator]() {
          for await (const ev of w) {
            if (ev.type === "ADDED" || ev.type === "MODIFIED") {
              const rv = ev.object.metadata.resourceVersion;
              yield {
                type: "BOOKMARK",
                object: { metadata: { resourceVersion: rv } },
              };
            }
            yield ev;
          }
        },
      };
    },
  }));
}

Deno.test("a backend whose bookmarks may overtake events: the cache misses no event and consistent reads go to the backend", async () => {
  const inner = await memory();
  const factory = cachedStoreFactory(overtakingBookmarks(inner));
  try {
    const cached = factory.storeFor(RES) as CachedStore;
    const backend = inner.storeFor(RES);
    assert.equal(cached.watchProgressInOrder, false);
    await cached.list(PREFIX, { recursive: true }); // starts the cache
    const written = await backend.create(key("a"), obj("a"));
    // A consistent read does not wait for the cache: the backend answers.
    assert.deepEqual(await cached.get(key("a")), written);
    assert.equal(cached.served.backend.get, 1);
    assert.equal(cached.served.cache.get, 0);
    // The bookmark at the event's revision did not make the cache skip it.
    for (let i = 0; i < 300; i++) {
      const page = await cached.list(PREFIX, {
        recursive: true,
        resourceVersion: "0",
      });
      if (page.items.length === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(
      await cached.get(key("a"), { resourceVersion: "0" }),
      written,
    );
  } finally {
    await factory.close();
  }
});

Deno.test("a fill shares the texts of objects alike through templates as it reads them, and they read back exactly", async () => {
  await withCache({}, async ({ cached, backend }) => {
    const same = (): KubeObject => ({
      metadata: { name: "x", namespace: "ns", uid: crypto.randomUUID() },
      spec: { n: 1 },
    });
    const at = (cluster: string) =>
      `/registry/widgets/clusters/${cluster}/ns/x`;
    const clusters = ["a", "b", "c", "d", "e"];
    const written = [];
    for (const c of clusters) written.push(await backend.create(at(c), same()));
    const all = "/registry/widgets/";
    await cached.list(all, { recursive: true }); // fills the cache
    // Every text but the first of its kind, as soon as the cache is filled.
    assert.equal(cached.sharedTexts, clusters.length - 1);
    const listed = await cached.list(all, {
      recursive: true,
      resourceVersion: "0",
    });
    assert.deepEqual(listed.items, written);
    // A live write of the same shape is shared at once; a delete gives back.
    await backend.create(at("f"), same());
    await cached.list(all, { recursive: true }); // caught up
    assert.equal(cached.sharedTexts, clusters.length);
    await backend.delete(at("b"));
    await cached.list(all, { recursive: true });
    assert.equal(cached.sharedTexts, clusters.length - 1);
  });
});

Deno.test("countKeys counts a range from the key index, consistently, and leaves unservable ones to the caller", async () => {
  await withCache({}, async ({ cached, backend }) => {
    // Not filled yet: a cluster's range is the backend's to read.
    assert.equal(await cached.countKeys(NS_PREFIX), undefined);
    await cached.list(PREFIX, { recursive: true }); // starts the cache
    await cached.create(key("a"), obj("a"));
    await cached.create(
      objectKey({ ...RES, cluster: "root", namespace: "other", name: "b" }),
      obj("b"),
    );
    // Written behind the cache's back, just before: counted all the same.
    await backend.create(key("c"), obj("c"));
    assert.equal(await cached.countKeys(NS_PREFIX), 2);
    assert.equal(await cached.countKeys(PREFIX), 3);
    assert.equal(await cached.countKeys("/registry/widgets/clusters/x/"), 0);
    // A key, not a range: the caller lists.
    assert.equal(await cached.countKeys(key("a")), undefined);
  });
});
