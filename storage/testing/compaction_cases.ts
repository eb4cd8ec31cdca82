/**
 * Conformance cases for compaction and the reads it expires (upstream
 * RunTestListInconsistentContinuation, RunTestWatchFromZero (after
 * compaction), RunTestList (expired RV), RunTestCompact-style checks).
 * Every case compacts at a revision taken from the store itself.
 *
 * @module
 */

import assert from "node:assert/strict";
import { objectKey } from "../mod.ts";
import { casesOf } from "./_case.ts";
import {
  expectStorageError,
  listRV,
  names,
  newObject,
  rvOf,
  WatchCollector,
  withSpec,
  withWatch,
} from "./_helpers.ts";

/** Cases about compaction. */
export const compactionCases = casesOf("compaction", [
  {
    name: "after compaction the latest state is still readable",
    upstream: "RunTestCompact / RunTestGet (after compaction)",
    async run({ store, key, prefix }) {
      const v1 = await store.create(key("a"), newObject("a"));
      const v2 = await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const b = await store.create(key("b"), newObject("b"));
      await store.delete(key("b"));
      await store.compact(await store.currentRevision());
      assert.deepEqual(await store.get(key("a")), v2);
      assert.deepEqual(await store.get(key("a"), { resourceVersion: "0" }), v2);
      // "Not older than" an old revision: the latest data qualifies.
      assert.deepEqual(
        await store.get(key("a"), {
          resourceVersion: v1.metadata.resourceVersion,
        }),
        v2,
      );
      const list = await store.list(prefix(), { recursive: true });
      assert.deepEqual(list.items, [v2]);
      const notOlder = await store.list(prefix(), {
        recursive: true,
        resourceVersion: b.metadata.resourceVersion,
        resourceVersionMatch: "NotOlderThan",
      });
      assert.deepEqual(notOlder.items, [v2]);
      await expectStorageError(store.get(key("b")), "NotFound");
    },
  },
  {
    name: "an Exact list at a compacted revision fails with Expired",
    upstream: "RunTestList (compacted RV, Exact)",
    async run({ store, key, prefix }) {
      const a = await store.create(key("a"), newObject("a"));
      await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await store.create(key("b"), newObject("b"));
      await store.compact(await store.currentRevision());
      await expectStorageError(
        store.list(prefix(), {
          recursive: true,
          resourceVersion: a.metadata.resourceVersion,
          resourceVersionMatch: "Exact",
        }),
        "Expired",
      );
      await expectStorageError(
        store.list(prefix(), {
          recursive: true,
          resourceVersion: a.metadata.resourceVersion,
          limit: 1,
        }),
        "Expired",
        "a paged list at a compacted revision",
      );
    },
  },
  {
    name: "a continue token issued before compaction fails with Expired",
    upstream: "RunTestListInconsistentContinuation",
    async run({ store, key, prefix }) {
      for (const n of ["a", "b", "c"]) {
        await store.create(key(n), newObject(n));
      }
      const first = await store.list(prefix(), { recursive: true, limit: 1 });
      assert.ok(first.continue);
      // Make the first page's revision history, then compact it away.
      await store.guaranteedUpdate(key("b"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await store.compact(await store.currentRevision());
      await expectStorageError(
        store.list(prefix(), {
          recursive: true,
          limit: 1,
          continue: first.continue,
        }),
        "Expired",
      );
      // A fresh paged list works and pages consistently.
      const again = await store.list(prefix(), { recursive: true, limit: 2 });
      assert.deepEqual(names(again.items), ["a", "b"]);
      assert.ok(again.continue);
      const rest = await store.list(prefix(), {
        recursive: true,
        limit: 2,
        continue: again.continue,
      });
      assert.deepEqual(names(rest.items), ["c"]);
      assert.equal(rest.resourceVersion, again.resourceVersion);
    },
  },
  {
    name: "a watch from a compacted revision yields one Expired ERROR and ends",
    upstream: "RunTestWatch (too old resource version) / RunTestWatchError",
    async run({ store, key }) {
      const v1 = await store.create(key("a"), newObject("a"));
      await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 3 }),
      });
      await store.compact(await store.currentRevision());
      const w = new WatchCollector(
        await store.watch(key("a"), {
          recursive: false,
          resourceVersion: v1.metadata.resourceVersion,
        }),
      );
      try {
        const err = await w.expectError();
        assert.equal(err.code, "Expired");
        await w.expectEnd();
        assert.equal(w.pending.length, 0, "nothing follows the ERROR");
      } finally {
        await w.close();
      }
    },
  },
  {
    name:
      "a watch from resourceVersion 0 after compaction starts with the current state",
    upstream: "RunTestWatchFromZero (after compaction)",
    async run({ store, key }) {
      await store.create(key("a"), newObject("a"));
      await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const latest = await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 3 }),
      });
      await store.compact(rvOf(latest));
      await withWatch(store, key("a"), {
        recursive: false,
        resourceVersion: "0",
      }, async (w) => {
        assert.deepEqual(await w.expect("ADDED"), latest);
      });
    },
  },
  {
    name: "a watch from exactly the compacted revision delivers later changes",
    upstream: "RunTestWatchFromNonZero (at compaction boundary)",
    async run({ store, key }) {
      await store.create(key("a"), newObject("a"));
      const at = await store.currentRevision();
      await store.compact(at);
      await withWatch(store, key("a"), {
        recursive: false,
        resourceVersion: String(at),
      }, async (w) => {
        const up = await store.guaranteedUpdate(key("a"), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        assert.deepEqual(await w.expect("MODIFIED"), up);
      });
    },
  },
  {
    name:
      "compaction through one resource's store expires old revisions of every resource",
    upstream: "(hyperplane) backend-wide compaction",
    async run({ factory, store, key, otherResource }) {
      const otherRef = otherResource("o");
      const other = factory.storeFor(otherRef);
      const otherKey = objectKey({ ...otherRef, cluster: "root", name: "x" });
      const old = await other.create(otherKey, newObject("x"));
      await other.guaranteedUpdate(otherKey, {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await store.create(key("a"), newObject("a"));
      await store.compact(await store.currentRevision());
      await expectStorageError(
        other.list(otherKey, {
          recursive: false,
          resourceVersion: old.metadata.resourceVersion,
          resourceVersionMatch: "Exact",
        }),
        "Expired",
      );
      const now = await other.list(otherKey, { recursive: false });
      assert.equal(now.items.length, 1);
    },
  },
  {
    name: "the factory compacts the whole backend too",
    upstream: "(hyperplane) StoreFactory.compact",
    async run({ factory, store, key }) {
      const v1 = await store.create(key("a"), newObject("a"));
      const v2 = await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await factory.compact(await factory.currentRevision());
      await expectStorageError(
        store.list(key("a"), {
          recursive: false,
          resourceVersion: v1.metadata.resourceVersion,
          resourceVersionMatch: "Exact",
        }),
        "Expired",
      );
      assert.deepEqual(await store.get(key("a")), v2);
    },
  },
  {
    name: "compacting again at an older revision loses no data",
    upstream: "(hyperplane) compaction is idempotent",
    async run({ store, key, prefix }) {
      const a = await store.create(key("a"), newObject("a"));
      const now = await store.currentRevision();
      await store.compact(now);
      try {
        await store.compact(rvOf(a) - 1);
      } catch (err) {
        // Refusing is fine; corrupting or losing data is not.
        assert.ok(err instanceof Error);
      }
      await store.compact(now);
      assert.deepEqual(await store.get(key("a")), a);
      const list = await store.list(prefix(), { recursive: true });
      assert.deepEqual(list.items, [a]);
      assert.ok(listRV(list.resourceVersion) >= now);
      const b = await store.create(key("b"), newObject("b"));
      assert.ok(rvOf(b) > now, "revisions keep growing after compaction");
    },
  },
]);
