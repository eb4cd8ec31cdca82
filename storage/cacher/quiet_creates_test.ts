import assert from "node:assert/strict";
import { isStorageError, notFound } from "../errors.ts";
import type { Store } from "../store.ts";
import type { KubeObject } from "../object.ts";
import { CachedStore } from "./cached_store.ts";
import {
  createQuietly,
  createQuietlyOrUpdate,
  quietCreatesOf,
} from "./quiet_creates.ts";
import { obj, openEnv, take } from "../../tests/support/log_store_env.ts";
import { overriding } from "../../tests/support/cacher_fixtures.ts";

Deno.test("a quiet create stores the bytes a create stores and answers its revision", async () => {
  const env = openEnv();
  try {
    const cached = new CachedStore(env.store);
    assert.ok(quietCreatesOf(env.store), "the log-backed store has them");
    assert.ok(quietCreatesOf(cached), "the watch cache passes them on");
    const body = () => obj("a", { labels: { x: "y" }, spec: { n: [1, "2"] } });
    const loud = await env.store.create(env.key("loud"), {
      ...body(),
      metadata: { ...body().metadata, name: "loud" },
    });
    const rev = await createQuietly(cached, env.key("quiet"), {
      ...body(),
      metadata: { ...body().metadata, name: "quiet" },
    });
    assert.equal(rev, Number(loud.metadata.resourceVersion) + 1);
    const [l, q] = await Promise.all(
      ["loud", "quiet"].map((n) => env.log.get(env.key(n))),
    );
    assert.equal(q!.modRevision, rev);
    assert.equal(q!.value, l!.value.replace('"loud"', '"quiet"'));
    const got = await env.store.get(env.key("quiet"));
    assert.equal(got.metadata.resourceVersion, String(rev));
    await cached.close();
  } finally {
    await env.close();
  }
});

Deno.test("a quiet create fails as a create does", async () => {
  const env = openEnv();
  try {
    await createQuietly(env.store, env.key("a"), obj("a"));
    await assert.rejects(
      createQuietly(env.store, env.key("a"), obj("a")),
      (e) => isStorageError(e, "KeyExists"),
    );
    const stamped = obj("b");
    stamped.metadata.resourceVersion = "5";
    await assert.rejects(
      createQuietly(env.store, env.key("b"), stamped),
      (e) => isStorageError(e, "InvalidObject"),
    );
    await assert.rejects(
      createQuietly(env.store, "/registry/other/clusters/root/ns/b", obj("b")),
      (e) => isStorageError(e),
    );
    await assert.rejects(
      env.store.get(env.key("b")),
      (e) => isStorageError(e, "NotFound"),
    );
  } finally {
    await env.close();
  }
});

Deno.test("a store without quiet creates is written through create", async () => {
  const env = openEnv();
  try {
    let creates = 0;
    // A wrapper that only has the Store methods (as the encryption layer).
    const plain: Store = new Proxy(env.store, {
      get(target, prop) {
        if (prop === "createQuietly") return undefined;
        if (prop === "create") {
          return (...args: Parameters<Store["create"]>) => {
            creates++;
            return target.create(...args);
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    assert.equal(quietCreatesOf(plain), undefined);
    const rev = await createQuietly(plain, env.key("a"), obj("a"));
    assert.equal(creates, 1);
    const cached = new CachedStore(plain);
    const rev2 = await createQuietly(cached, env.key("b"), obj("b"));
    assert.equal(creates, 2);
    assert.equal(rev2, rev + 1);
    const got = await env.store.get(env.key("b"));
    assert.equal(got.metadata.resourceVersion, String(rev2));
    await cached.close();
  } finally {
    await env.close();
  }
});

Deno.test("a quiet create hands its object to the watchers, frozen, in place of a decode", async () => {
  const env = openEnv();
  const cached = new CachedStore(env.store);
  try {
    await cached.list(env.prefix, { recursive: true }); // the cache is filled
    const fromCache = await cached.watch(env.prefix, { recursive: true });
    const fromBackend = await env.store.watch(env.prefix, {
      recursive: true,
      predicate: {
        everything: false,
        matches: (o) => o.metadata.labels?.x === "y",
      },
    });
    const body = obj("a", { labels: { x: "y" }, spec: { n: [1, { m: 2 }] } });
    const spec = body.spec;
    const rev = await createQuietly(cached, env.key("a"), body);
    // A create stored the same way, decoded from its text, for comparison.
    const loud = await env.store.create(env.key("b"), {
      ...obj("a", { labels: { x: "y" }, spec: { n: [1, { m: 2 }] } }),
      metadata: { name: "b", uid: "a", labels: { x: "y" } },
    });
    const [backendEv] = await take(fromBackend[Symbol.asyncIterator](), 1);
    const [cacheEv] = await take(fromCache[Symbol.asyncIterator](), 1);
    for (const ev of [backendEv, cacheEv]) {
      assert.ok(ev.type === "ADDED");
      assert.equal(ev.object.metadata.resourceVersion, String(rev));
      assert.deepEqual(ev.object, {
        ...loud,
        metadata: { ...loud.metadata, name: "a", resourceVersion: String(rev) },
      });
      assert.ok(Object.isFrozen(ev.object) && Object.isFrozen(spec));
    }
    // One object for both, its nested values the writer's; the backend's
    // event offers it with its text, exactly what the text decodes to.
    assert.ok(backendEv.type !== "ERROR" && cacheEv.type !== "ERROR");
    assert.equal(backendEv.text?.object, backendEv.object);
    assert.deepStrictEqual(backendEv.object, JSON.parse(backendEv.text!.json));
    assert.equal(cacheEv.object, backendEv.object);
    assert.equal(cacheEv.object.spec, spec);
    // The cache kept the stored text: a read decodes it afresh.
    const got = await cached.get(env.key("a"));
    assert.notEqual(got, cacheEv.object);
    assert.deepEqual(got, cacheEv.object);
    fromCache.stop();
    fromBackend.stop();
  } finally {
    await cached.close();
    await env.close();
  }
});

Deno.test("an object with a toJSON of its own is decoded from its text as before", async () => {
  const env = openEnv();
  try {
    const watcher = await env.store.watch(env.prefix, { recursive: true });
    const stored = obj("b", { spec: { n: 2 } });
    const spec = { n: 1 };
    const body = { ...obj("b", { spec }), toJSON: () => stored };
    const rev = await createQuietly(env.store, env.key("b"), body);
    const [ev] = await take(watcher[Symbol.asyncIterator](), 1);
    assert.ok(ev.type === "ADDED");
    assert.deepEqual(ev.object, {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: String(rev) },
    });
    assert.ok(!Object.isFrozen(ev.object));
    assert.ok(!Object.isFrozen(spec));
    watcher.stop();
  } finally {
    await env.close();
  }
});

Deno.test("createQuietlyOrUpdate creates a missing object quietly and updates one that is there", async () => {
  const env = openEnv();
  try {
    const cached = new CachedStore(env.store);
    let made = 0;
    let updated = 0;
    const make = () => {
      made++;
      return { ...obj("a"), data: { v: "1" } };
    };
    const update = {
      ignoreNotFound: true,
      tryUpdate: (cur: KubeObject | null) => {
        updated++;
        return cur ? { ...structuredClone(cur), data: { v: "2" } } : make();
      },
    };
    await createQuietlyOrUpdate(cached, env.key("a"), make, update);
    assert.deepEqual([made, updated], [1, 0]);
    assert.deepEqual((await env.store.get(env.key("a"))).data, { v: "1" });
    await createQuietlyOrUpdate(cached, env.key("a"), make, update);
    assert.deepEqual([made, updated], [1, 1]);
    assert.deepEqual((await env.store.get(env.key("a"))).data, { v: "2" });
    // A stale miss: the create finds the key taken and the update runs.
    const stale = overriding(env.store, {
      get: (key: string) => Promise.reject(notFound(key)),
    });
    await createQuietlyOrUpdate(stale, env.key("a"), make, update);
    assert.deepEqual([made, updated], [2, 2]);
    assert.deepEqual((await env.store.get(env.key("a"))).data, { v: "2" });
    // The same from a cache whose keys are stale.
    const staleKeys = overriding(env.store, { currentKeys: () => [] });
    await createQuietlyOrUpdate(staleKeys, env.key("a"), make, update);
    assert.deepEqual([made, updated], [3, 3]);
    // A cache that has the key: no create is tried.
    await cached.list(env.prefix, { recursive: true }); // fills the cache
    await createQuietlyOrUpdate(cached, env.key("a"), make, update);
    assert.deepEqual([made, updated], [3, 4]);
    // Other errors of the read are the caller's.
    const broken = overriding(env.store, {
      get: () => Promise.reject(new Error("down")),
    });
    await assert.rejects(
      createQuietlyOrUpdate(broken, env.key("b"), make, update),
      /down/,
    );
    await cached.close();
  } finally {
    await env.close();
  }
});
