/**
 * Conformance cases for `deletePrefix`, the bulk delete a virtual cluster's
 * teardown uses (upstream has no driver for it: etcd's DeleteRange is the
 * model). They prove that exactly the prefix goes (a sibling such as
 * `…/clusters/ab/` survives `…/clusters/a/`), that watchers get one DELETED
 * event with the last state per removed object, that history and revisions
 * stay right (old reads still see the objects, later writes get newer
 * revisions, compaction past the delete works), and that bad prefixes are
 * refused without deleting anything.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { KubeObject, Store, WatchEvent } from "../mod.ts";
import { type CaseEnv, casesOf } from "./_case.ts";
import {
  describeEvent,
  expectStorageError,
  listRV,
  names,
  newObject,
  rvOf,
  WatchCollector,
  withoutRV,
  withSpec,
} from "./_helpers.ts";

/** How many objects the bulk case removes in one call. */
const MANY = 1000;

/** Creates `count` objects named `<stem>-<i>` under `place`, a few at a time. */
async function createMany(
  env: CaseEnv,
  stem: string,
  count: number,
  place: { cluster: string; namespace?: string | null },
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 50); j++) {
      const name = `${stem}-${String(j).padStart(4, "0")}`;
      batch.push(env.store.create(env.key(name, place), newObject(name)));
    }
    out.push(...await Promise.all(batch));
  }
  return out;
}

/** The keys of the whole resource still live (a fresh, consistent list). */
async function liveNames(store: Store, prefix: string): Promise<string[]> {
  const res = await store.list(prefix, { recursive: true });
  return names(res.items).sort();
}

/** Takes `count` DELETED events from `w`, skipping bookmarks. */
async function deletedEvents(
  w: WatchCollector,
  count: number,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  while (out.length < count) {
    const ev: WatchEvent = await w.next({ skipBookmarks: true });
    assert.equal(
      ev.type,
      "DELETED",
      `expected DELETED event ${out.length + 1} of ${count}, got ${
        describeEvent(ev)
      }`,
    );
    out.push((ev as { object: KubeObject }).object);
  }
  return out;
}

/** Cases about deleting by prefix. */
export const deletePrefixCases = casesOf("delete prefix", [
  {
    name:
      "deletePrefix removes exactly the objects under the prefix and returns their count",
    upstream: "none (etcd DeleteRange semantics)",
    async run(env) {
      const { store, prefix } = env;
      const a1 = await createMany(env, "x", 3, { cluster: "a" });
      const a2 = await createMany(env, "y", 2, {
        cluster: "a",
        namespace: "other",
      });
      const ab = await createMany(env, "x", 2, { cluster: "ab" });
      const root = await createMany(env, "x", 2, { cluster: "root" });
      const before = await store.currentRevision();

      const res = await store.deletePrefix(
        prefix({ cluster: "a", namespace: null }),
      );
      assert.equal(res.deleted, a1.length + a2.length);
      assert.ok(
        res.revision > before,
        `revision ${res.revision} after the delete must exceed ${before}`,
      );
      assert.ok(await store.currentRevision() >= res.revision);

      const gone = [
        ...a1.map((o) => env.key(o.metadata.name!, { cluster: "a" })),
        ...a2.map((o) =>
          env.key(o.metadata.name!, { cluster: "a", namespace: "other" })
        ),
      ];
      for (const k of gone) {
        await expectStorageError(store.get(k), "NotFound", `get ${k}`);
      }
      const emptied = await store.list(
        prefix({ cluster: "a", namespace: null }),
        {
          recursive: true,
        },
      );
      assert.deepEqual(emptied.items, []);
      assert.ok(listRV(emptied.resourceVersion) >= res.revision);
      for (const obj of ab) {
        assert.deepEqual(
          await store.get(env.key(obj.metadata.name!, { cluster: "ab" })),
          obj,
          "the sibling cluster ab must survive deleting cluster a",
        );
      }
      assert.deepEqual(
        await liveNames(store, prefix({ all: true })),
        names([...ab, ...root]).sort(),
      );
      assert.equal((await store.stats()).objectCount, ab.length + root.length);
    },
  },
  {
    name:
      "deletePrefix sends one DELETED event per removed object, with its last state",
    upstream: "none (etcd DeleteRange with prevKv)",
    async run(env) {
      const { store, prefix, key } = env;
      const created = await createMany(env, "w", 4, { cluster: "a" });
      // The last state, not the first: one object changed after creation.
      const updated = await store.guaranteedUpdate(
        key("w-0002", { cluster: "a" }),
        {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        },
      );
      const last = created.map((o) =>
        o.metadata.name === "w-0002" ? updated : o
      );
      await createMany(env, "w", 2, { cluster: "ab" });
      const before = await store.currentRevision();
      const opts = { recursive: true, resourceVersion: String(before) };
      const cluster = new WatchCollector(
        await store.watch(prefix({ cluster: "a", namespace: null }), opts),
      );
      const all = new WatchCollector(
        await store.watch(prefix({ all: true }), opts),
      );
      const sibling = new WatchCollector(
        await store.watch(prefix({ cluster: "ab", namespace: null }), opts),
      );
      try {
        const res = await store.deletePrefix(
          prefix({ cluster: "a", namespace: null }),
        );
        assert.equal(res.deleted, last.length);
        for (const w of [cluster, all]) {
          const events = await deletedEvents(w, last.length);
          let prev = before;
          for (const obj of events) {
            const rv = rvOf(obj);
            assert.ok(
              rv > before && rv <= res.revision && rv >= prev,
              `DELETED revision ${rv} must be in (${before}, ${res.revision}] and not decrease`,
            );
            prev = rv;
          }
          const byName = new Map(events.map((o) => [o.metadata.name, o]));
          assert.equal(byName.size, last.length, "one event per object");
          for (const obj of last) {
            const got = byName.get(obj.metadata.name);
            assert.ok(got, `no DELETED event for ${obj.metadata.name}`);
            assert.deepEqual(withoutRV(got), withoutRV(obj));
          }
          await w.expectQuiet(undefined, { skipBookmarks: true });
        }
        await sibling.expectQuiet(undefined, { skipBookmarks: true });
      } finally {
        await cluster.close();
        await all.close();
        await sibling.close();
      }
    },
  },
  {
    name:
      "after deletePrefix a watch from an older revision replays the deletes (also one on a namespace inside the prefix) and old reads still see the objects",
    upstream: "none (revision history of a DeleteRange)",
    async run(env) {
      const { store, prefix } = env;
      const created = await createMany(env, "h", 3, { cluster: "a" });
      const inner = await createMany(env, "i", 2, {
        cluster: "a",
        namespace: "inner",
      });
      const before = await store.currentRevision();
      const res = await store.deletePrefix(
        prefix({ cluster: "a", namespace: null }),
      );
      assert.equal(res.deleted, created.length + inner.length);

      const old = await store.list(prefix({ cluster: "a" }), {
        recursive: true,
        resourceVersion: String(before),
        resourceVersionMatch: "Exact",
      });
      assert.deepEqual(names(old.items), names(created));

      const narrow = new WatchCollector(
        await store.watch(prefix({ cluster: "a", namespace: "inner" }), {
          recursive: true,
          resourceVersion: String(before),
        }),
      );
      try {
        const events = await deletedEvents(narrow, inner.length);
        assert.deepEqual(names(events).sort(), names(inner).sort());
        await narrow.expectQuiet(undefined, { skipBookmarks: true });
      } finally {
        await narrow.close();
      }

      const w = new WatchCollector(
        await store.watch(prefix({ cluster: "a", namespace: null }), {
          recursive: true,
          resourceVersion: String(before),
        }),
      );
      try {
        const events = await deletedEvents(w, created.length + inner.length);
        assert.deepEqual(
          names(events).sort(),
          names([...created, ...inner]).sort(),
        );
        await w.expectQuiet(undefined, { skipBookmarks: true });
      } finally {
        await w.close();
      }
    },
  },
  {
    name:
      "keys removed by deletePrefix can be created again, at newer revisions, and survive compaction past the delete",
    upstream: "none (tombstones and compaction)",
    async run(env) {
      const { store, prefix, key } = env;
      await createMany(env, "r", 3, { cluster: "a" });
      const res = await store.deletePrefix(
        prefix({ cluster: "a", namespace: null }),
      );
      assert.equal(res.deleted, 3);
      const again = await store.create(
        key("r-0001", { cluster: "a" }),
        newObject("r-0001"),
      );
      assert.ok(
        rvOf(again) > res.revision,
        `a create after the delete (${
          rvOf(again)
        }) must get a newer revision than ${res.revision}`,
      );
      await store.compact(res.revision);
      assert.deepEqual(
        await liveNames(store, prefix({ cluster: "a", namespace: null })),
        ["r-0001"],
      );
      assert.deepEqual(await store.get(key("r-0001", { cluster: "a" })), again);
      const second = await store.deletePrefix(
        prefix({ cluster: "a", namespace: null }),
      );
      assert.equal(second.deleted, 1);
      assert.ok(second.revision > rvOf(again));
    },
  },
  {
    name:
      "deletePrefix of a prefix with no objects removes nothing and returns 0",
    upstream: "none (etcd DeleteRange of an empty range)",
    async run(env) {
      const { store, prefix } = env;
      const kept = await createMany(env, "k", 2, { cluster: "ab" });
      const before = await store.currentRevision();
      const w = new WatchCollector(
        await store.watch(prefix({ all: true }), {
          recursive: true,
          resourceVersion: String(before),
        }),
      );
      try {
        const res = await store.deletePrefix(
          prefix({ cluster: "a", namespace: null }),
        );
        assert.equal(res.deleted, 0);
        assert.ok(res.revision >= before, "the revision never goes back");
        await w.expectQuiet(undefined, { skipBookmarks: true });
      } finally {
        await w.close();
      }
      assert.deepEqual(
        await liveNames(store, prefix({ all: true })),
        names(kept).sort(),
      );
    },
  },
  {
    name:
      "deletePrefix refuses prefixes without a trailing slash, with empty or dot segments, or outside the resource, deleting nothing",
    upstream: "none (key validation)",
    async run(env) {
      const { store, prefix } = env;
      const kept = await createMany(env, "v", 2, { cluster: "a" });
      const cluster = prefix({ cluster: "a", namespace: null });
      const bad = [
        cluster.slice(0, -1), // …/clusters/a: would also match …/clusters/ab
        "",
        cluster + "/",
        cluster + "../",
        cluster + "./",
        cluster.replace("/clusters/", "/clusters//"),
        "registry/" + cluster.slice("/registry/".length),
        "/registry/",
        "/registry/other-resource/clusters/a/",
      ];
      for (const p of bad) {
        await expectStorageError(
          () => store.deletePrefix(p),
          "InvalidKey",
          `deletePrefix(${JSON.stringify(p)})`,
        );
      }
      assert.deepEqual(
        await liveNames(store, prefix({ all: true })),
        names(kept).sort(),
      );
    },
  },
  {
    name: `deletePrefix removes ${MANY} objects in one call`,
    upstream: "none (bulk teardown of a virtual cluster)",
    async run(env) {
      const { store, prefix } = env;
      const created = await createMany(env, "m", MANY, {
        cluster: "big",
        namespace: "ns",
      });
      const kept = await createMany(env, "m", 3, { cluster: "big2" });
      const before = await store.currentRevision();
      const w = new WatchCollector(
        await store.watch(prefix({ all: true }), {
          recursive: true,
          resourceVersion: String(before),
        }),
      );
      try {
        const res = await store.deletePrefix(
          prefix({ cluster: "big", namespace: null }),
        );
        assert.equal(res.deleted, MANY);
        const events = await deletedEvents(w, MANY);
        assert.deepEqual(names(events).sort(), names(created).sort());
        await w.expectQuiet(undefined, { skipBookmarks: true });
      } finally {
        await w.close();
      }
      assert.deepEqual(
        await liveNames(store, prefix({ all: true })),
        names(kept).sort(),
      );
      assert.equal((await store.stats()).objectCount, kept.length);
    },
  },
]);
