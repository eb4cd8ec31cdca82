import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import {
  isStorageError,
  type KubeObject,
  objectKey,
  type StoreFactory,
  type WatchEvent,
} from "../../storage/mod.ts";
import { skipWithoutEtcd, startEtcd } from "../../tests/support/etcd.ts";
import { parseEtcdConfig } from "./config.ts";
import { openEtcd } from "./factory.ts";
import { progressInOrder } from "./progress_order.ts";

const ref = { resource: "configmaps" };

function cm(name: string, data: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", uid: crypto.randomUUID() },
    data,
  };
}

function key(name: string, cluster = "root"): string {
  return objectKey({ ...ref, cluster, namespace: "default", name });
}

async function open(
  servers: string[],
  extra: Record<string, string> = {},
): Promise<StoreFactory> {
  const { config, problems } = parseEtcdConfig({
    "etcd-servers": servers.join(","),
    "etcd-compaction-interval": "0",
    ...extra,
  });
  assert.deepEqual(problems, []);
  return await openEtcd(config!, { logger: silentLogger });
}

async function next(it: AsyncIterator<WatchEvent>): Promise<WatchEvent> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      it.next().then((r) => {
        if (r.done) throw new Error("watch ended");
        return r.value;
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no event in 10s")), 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** An event's fields as a plain object (events are built lazily, with getters). */
function plain(ev: WatchEvent): Record<string, unknown> {
  if (ev.type === "ERROR") return { type: ev.type, error: ev.error };
  return { type: ev.type, object: ev.object, key: ev.key };
}

Deno.test("the etcd store keeps objects under the shared key layout", async (t) => {
  if (skipWithoutEtcd("etcd store test")) return;
  const etcd = await startEtcd();
  const factory = await open(etcd.endpoints);
  try {
    const store = factory.storeFor(ref);

    await t.step("create returns the object at a new revision", async () => {
      const created = await store.create(key("a"), cm("a", { x: "1" }));
      assert.ok(Number(created.metadata.resourceVersion) > 0);
      const got = await store.get(key("a"));
      assert.deepEqual(got, created);
    });

    await t.step(
      "a configmap lives at /registry/configmaps/clusters/root/default/<name> in etcd",
      async () => {
        const res = await fetch(`${etcd.endpoints[0]}/v3/kv/range`, {
          method: "POST",
          body: JSON.stringify({
            key: btoa("/registry/"),
            range_end: btoa("/registry0"),
            keys_only: true,
          }),
        });
        const body = await res.json() as { kvs?: { key: string }[] };
        const keys = (body.kvs ?? []).map((kv) => atob(kv.key));
        assert.ok(
          keys.includes("/registry/configmaps/clusters/root/default/a"),
          keys.join(","),
        );
      },
    );

    await t.step("create on an existing key is KeyExists", async () => {
      await assert.rejects(
        store.create(key("a"), cm("a")),
        (e) => isStorageError(e, "KeyExists"),
      );
    });

    await t.step("update bumps the revision; a no-op keeps it", async () => {
      const before = await store.get(key("a"));
      const after = await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => ({ ...cur!, data: { x: "2" } }),
      });
      assert.ok(
        Number(after.metadata.resourceVersion) >
          Number(before.metadata.resourceVersion),
      );
      const same = await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => cur!,
      });
      assert.equal(
        same.metadata.resourceVersion,
        after.metadata.resourceVersion,
      );
    });

    await t.step(
      "a stale cached object is retried with fresh data",
      async () => {
        const stale = await store.get(key("a"));
        await store.guaranteedUpdate(key("a"), {
          tryUpdate: (cur) => ({ ...cur!, data: { x: "3" } }),
        });
        const out = await store.guaranteedUpdate(key("a"), {
          cachedExisting: stale,
          tryUpdate: (cur) => ({
            ...cur!,
            data: { ...(cur!.data as object), y: "1" },
          }),
        });
        assert.deepEqual(out.data, { x: "3", y: "1" });
      },
    );

    await t.step(
      "list pages with continue tokens at one revision",
      async () => {
        for (const n of ["b", "c", "d", "e"]) await store.create(key(n), cm(n));
        const prefix = "/registry/configmaps/clusters/root/default/";
        const p1 = await store.list(prefix, { recursive: true, limit: 2 });
        assert.deepEqual(p1.items.map((o) => o.metadata.name), ["a", "b"]);
        assert.equal(p1.remainingItemCount, 3);
        await store.create(key("f"), cm("f"));
        const p2 = await store.list(prefix, {
          recursive: true,
          limit: 2,
          continue: p1.continue,
        });
        assert.deepEqual(p2.items.map((o) => o.metadata.name), ["c", "d"]);
        assert.equal(p2.resourceVersion, p1.resourceVersion);
        const p3 = await store.list(prefix, {
          recursive: true,
          limit: 2,
          continue: p2.continue,
        });
        assert.deepEqual(p3.items.map((o) => o.metadata.name), ["e"]);
        assert.equal(p3.continue, undefined);
      },
    );

    await t.step("a predicate filters before the limit", async () => {
      const prefix = "/registry/configmaps/clusters/root/default/";
      const page = await store.list(prefix, {
        recursive: true,
        limit: 2,
        predicate: {
          matches: (o) => o.metadata.name === "e" || o.metadata.name === "f",
        },
      });
      assert.deepEqual(page.items.map((o) => o.metadata.name), ["e", "f"]);
    });

    await t.step(
      "get at a revision newer than current is TooLargeResourceVersion",
      async () => {
        const current = await store.currentRevision();
        await assert.rejects(
          store.get(key("a"), { resourceVersion: String(current + 100) }),
          (e) => isStorageError(e, "TooLargeResourceVersion"),
        );
      },
    );

    await t.step(
      "watch sees creates, updates and deletes with their revisions",
      async () => {
        const from = await store.currentRevision();
        const w = await store.watch("/registry/configmaps/clusters/root/", {
          recursive: true,
          resourceVersion: String(from),
        });
        const it = w[Symbol.asyncIterator]();
        const c = await store.create(key("w"), cm("w"));
        const u = await store.guaranteedUpdate(key("w"), {
          tryUpdate: (o) => ({ ...o!, data: { z: "1" } }),
        });
        const d = await store.delete(key("w"));
        assert.deepEqual(plain(await next(it)), {
          type: "ADDED",
          object: c,
          key: key("w"),
        });
        assert.deepEqual(plain(await next(it)), {
          type: "MODIFIED",
          object: u,
          key: key("w"),
        });
        const del = await next(it);
        assert.equal(del.type, "DELETED");
        assert.equal((del as { key?: string }).key, key("w"));
        assert.equal(
          (del as { object: KubeObject }).object.metadata.resourceVersion,
          d.metadata.resourceVersion,
        );
        await store.requestWatchProgress();
        const w2 = await store.watch("/registry/configmaps/clusters/root/", {
          recursive: true,
          resourceVersion: d.metadata.resourceVersion,
          allowBookmarks: true,
        });
        const it2 = w2[Symbol.asyncIterator]();
        await store.requestWatchProgress();
        const bm = await next(it2);
        assert.equal(bm.type, "BOOKMARK");
        w.stop();
        w2.stop();
      },
    );

    await t.step(
      "compaction makes old revisions Expired for lists and watches",
      async () => {
        const prefix = "/registry/configmaps/clusters/root/default/";
        const p1 = await store.list(prefix, { recursive: true, limit: 1 });
        await store.create(key("g"), cm("g"));
        await store.create(key("h"), cm("h"));
        const current = await store.currentRevision();
        await factory.compact(current);
        await assert.rejects(
          store.list(prefix, {
            recursive: true,
            limit: 1,
            continue: p1.continue,
          }),
          (e) => isStorageError(e, "Expired"),
        );
        const w = await store.watch(prefix, {
          recursive: true,
          resourceVersion: p1.resourceVersion,
        });
        const ev = await next(w[Symbol.asyncIterator]());
        assert.equal(ev.type, "ERROR");
        assert.ok(ev.type === "ERROR" && ev.error.code === "Expired");
        w.stop();
      },
    );

    await t.step("readiness resolves while etcd is up", async () => {
      await factory.readiness();
    });
  } finally {
    await factory.close();
    await etcd.stop();
  }
});

Deno.test("the store says whether the server's watch progress is ordered with events (its version)", async () => {
  if (skipWithoutEtcd("etcd progress order test")) return;
  const etcd = await startEtcd();
  const factory = await open(etcd.endpoints);
  try {
    // The server's own answer, over etcd's JSON gateway.
    const res = await fetch(`${etcd.endpoints[0]}/v3/maintenance/status`, {
      method: "POST",
      body: "{}",
    });
    const { version } = await res.json() as { version: string };
    assert.match(version, /^3\.\d+\.\d+/);
    assert.equal(
      factory.storeFor(ref).watchProgressInOrder,
      progressInOrder(version),
      `etcd ${version}`,
    );
  } finally {
    await factory.close();
    await etcd.stop();
  }
});

Deno.test("a BOOKMARK never passes an event its watch has not read (etcd#15220 servers: it stops at the last revision read)", async () => {
  if (skipWithoutEtcd("etcd bookmark order test")) return;
  const etcd = await startEtcd();
  const factory = await open(etcd.endpoints);
  const store = factory.storeFor(ref);
  const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion);
  try {
    const mine = await store.create(key("mine", "a"), cm("mine"));
    const w = await store.watch("/registry/configmaps/clusters/a/", {
      recursive: true,
      resourceVersion: mine.metadata.resourceVersion,
      allowBookmarks: true,
    });
    const it = w[Symbol.asyncIterator]();
    try {
      // A write outside the watched prefix moves etcd's revision only.
      const elsewhere = await store.create(key("other", "b"), cm("other"));
      await store.requestWatchProgress();
      const first = await next(it);
      assert.equal(first.type, "BOOKMARK");
      const expected = store.watchProgressInOrder
        ? rvOf(elsewhere)
        : rvOf(mine);
      assert.equal(rvOf((first as { object: KubeObject }).object), expected);

      const again = await store.create(key("again", "a"), cm("again"));
      assert.equal((await next(it)).type, "ADDED");
      await store.requestWatchProgress();
      const second = await next(it);
      assert.equal(second.type, "BOOKMARK");
      assert.equal(
        rvOf((second as { object: KubeObject }).object),
        rvOf(again),
      );
    } finally {
      w.stop();
    }
  } finally {
    await factory.close();
    await etcd.stop();
  }
});

Deno.test("a watch's initial state larger than one range page comes whole, at one revision", async () => {
  if (skipWithoutEtcd("etcd initial pages test")) return;
  const etcd = await startEtcd();
  const factory = await open(etcd.endpoints);
  try {
    const store = factory.storeFor(ref);
    const n = 5_050; // more than one page (5,000) of initial state
    let taken = 0;
    const worker = async () => {
      for (let i = taken++; i < n; i = taken++) {
        await store.create(key(`p-${String(i).padStart(5, "0")}`), cm("p"));
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    const w = await store.watch("/registry/configmaps/clusters/root/", {
      recursive: true,
      sendInitialEvents: true,
      allowBookmarks: true,
    });
    const late = await store.create(key("q-late"), cm("q-late"));
    const it = w[Symbol.asyncIterator]();
    const keys: string[] = [];
    let end: WatchEvent | undefined;
    for (;;) {
      const ev = await next(it);
      if (ev.type === "BOOKMARK") {
        end = ev;
        break;
      }
      assert.equal(ev.type, "ADDED");
      keys.push(ev.key!);
    }
    assert.equal(keys.length, n);
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(new Set(keys).size, n);
    const endRev = Number(end.object.metadata.resourceVersion);
    assert.ok(endRev < Number(late.metadata.resourceVersion));
    // The create after the watch started comes once, as a live event.
    const live = await next(it);
    assert.equal(live.type, "ADDED");
    assert.equal(live.key, key("q-late"));
    w.stop();
  } finally {
    await factory.close();
    await etcd.stop();
  }
});
