/**
 * Conformance cases for the core of `watch`: event types and objects,
 * starting revisions, predicates, slow and stopped watchers (upstream
 * RunTestWatch, RunTestWatchFromZero, RunTestDeleteTriggerWatch,
 * RunTestWatchFromNonZero, RunTestDelayedWatchDelivery,
 * RunTestWatchContextCancel, RunTestWatcherTimeout,
 * RunTestWatchDeleteEventObjectHaveLatestRV, RunTestWatchInitializationSignal,
 * RunTestWatchError).
 *
 * @module
 */

import assert from "node:assert/strict";
import { isStorageError, type Predicate } from "../mod.ts";
import { casesOf } from "./_case.ts";
import {
  EVENT_TIMEOUT_MS,
  newObject,
  rvOf,
  WatchCollector,
  withLabels,
  withoutRV,
  withSpec,
  withTimeout,
  withWatch,
} from "./_helpers.ts";

const isTierX: Predicate = {
  matches: (obj) => obj.metadata.labels?.tier === "x",
};

/** Cases about watch events. */
export const watchCases = casesOf("watch", [
  {
    name:
      "a prefix watch delivers ADDED, MODIFIED and DELETED with the stored objects",
    upstream: "RunTestWatch (recursive)",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix(), { recursive: true });
      await withWatch(store, prefix(), {
        recursive: true,
        resourceVersion: start.resourceVersion,
      }, async (w) => {
        const created = await store.create(key("foo"), newObject("foo"));
        assert.deepEqual(await w.expect("ADDED"), created);
        const updated = await store.guaranteedUpdate(key("foo"), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        assert.deepEqual(await w.expect("MODIFIED"), updated);
        const deleted = await store.delete(key("foo"));
        assert.deepEqual(await w.expect("DELETED"), deleted);
        await w.expectQuiet();
      });
    },
  },
  {
    name: "a single-key watch delivers the key's events and nothing else",
    upstream: "RunTestWatch (non-recursive)",
    async run({ store, key }) {
      const start = await store.list(key("foo"), { recursive: false });
      await withWatch(store, key("foo"), {
        recursive: false,
        resourceVersion: start.resourceVersion,
      }, async (w) => {
        await store.create(key("fo"), newObject("fo"));
        await store.create(key("foo2"), newObject("foo2"));
        const created = await store.create(key("foo"), newObject("foo"));
        assert.deepEqual(await w.expect("ADDED"), created);
        await store.guaranteedUpdate(key("foo2"), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        await w.expectQuiet();
      });
    },
  },
  {
    name: "an object that starts matching the predicate arrives as ADDED",
    upstream: "RunTestWatch (key updated to match predicate)",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix(), { recursive: true });
      await withWatch(store, prefix(), {
        recursive: true,
        resourceVersion: start.resourceVersion,
        predicate: isTierX,
      }, async (w) => {
        await store.create(
          key("foo"),
          newObject("foo", { labels: { tier: "y" } }),
        );
        const matching = await store.guaranteedUpdate(key("foo"), {
          tryUpdate: (cur) => withLabels(cur!, { tier: "x" }),
        });
        assert.deepEqual(await w.expect("ADDED"), matching);
        await w.expectQuiet();
      });
    },
  },
  {
    name:
      "an object that stops matching the predicate arrives as DELETED with its last matching state",
    upstream: "RunTestWatch (delete because of being filtered)",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix(), { recursive: true });
      await withWatch(store, prefix(), {
        recursive: true,
        resourceVersion: start.resourceVersion,
        predicate: isTierX,
      }, async (w) => {
        const created = await store.create(
          key("foo"),
          newObject("foo", { labels: { tier: "x" } }),
        );
        assert.deepEqual(await w.expect("ADDED"), created);
        const moved = await store.guaranteedUpdate(key("foo"), {
          tryUpdate: (cur) => withLabels(cur!, { tier: "y" }),
        });
        const gone = await w.expect("DELETED");
        assert.equal(rvOf(gone), rvOf(moved), "at the revision of the update");
        assert.deepEqual(withoutRV(gone), withoutRV(created));
        await store.delete(key("foo"));
        await w.expectQuiet();
      });
    },
  },
  {
    name: "changes that never match the predicate send nothing",
    upstream: "RunTestWatch (filtered)",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix(), { recursive: true });
      await withWatch(store, prefix(), {
        recursive: true,
        resourceVersion: start.resourceVersion,
        predicate: isTierX,
      }, async (w) => {
        await store.create(
          key("foo"),
          newObject("foo", { labels: { tier: "y" } }),
        );
        await store.guaranteedUpdate(key("foo"), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        await store.delete(key("foo"));
        await w.expectQuiet();
      });
    },
  },
  {
    name:
      "a watch from resourceVersion 0 starts with the current state as ADDED",
    upstream: "RunTestWatchFromZero",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      await withWatch(store, key("foo"), {
        recursive: false,
        resourceVersion: "0",
      }, async (w) => {
        assert.deepEqual(await w.expect("ADDED"), created);
        await w.expectQuiet();
      });
      for (const resourceVersion of ["0", ""]) {
        const updated = await store.guaranteedUpdate(key("foo"), {
          tryUpdate: (cur) => withSpec(cur!, { from: resourceVersion }),
        });
        await withWatch(store, key("foo"), {
          recursive: false,
          resourceVersion,
        }, async (w) => {
          let first = await w.expect("ADDED");
          // "0" lets a cache start from a slightly stale state (as in
          // Kubernetes), but the watch must then catch up with MODIFIED.
          while (resourceVersion === "0" && rvOf(first) < rvOf(updated)) {
            first = await w.expect("MODIFIED");
          }
          assert.deepEqual(
            first,
            updated,
            `watch from ${JSON.stringify(resourceVersion)}`,
          );
          const again = await store.guaranteedUpdate(key("foo"), {
            tryUpdate: (cur) => withSpec(cur!, { then: resourceVersion }),
          });
          assert.deepEqual(await w.expect("MODIFIED"), again);
        });
      }
    },
  },
  {
    name:
      "a DELETED event carries the last state at the revision of the delete",
    upstream:
      "RunTestDeleteTriggerWatch / RunTestWatchDeleteEventObjectHaveLatestRV",
    async run({ store, key }) {
      const stored = await store.create(
        key("foo"),
        newObject("foo", { spec: { last: true } }),
      );
      await withWatch(store, key("foo"), {
        recursive: false,
        resourceVersion: stored.metadata.resourceVersion,
      }, async (w) => {
        const deleted = await store.delete(key("foo"));
        assert.notEqual(
          deleted.metadata.resourceVersion,
          stored.metadata.resourceVersion,
        );
        const ev = await w.expect("DELETED");
        assert.equal(
          ev.metadata.resourceVersion,
          deleted.metadata.resourceVersion,
        );
        assert.deepEqual(withoutRV(ev), withoutRV(stored));
      });
    },
  },
  {
    name: "a watch from a non-zero revision delivers only later changes",
    upstream: "RunTestWatchFromNonZero",
    async run({ store, key, prefix }) {
      await store.create(key("a"), newObject("a"));
      const b = await store.create(key("b"), newObject("b"));
      await withWatch(store, prefix(), {
        recursive: true,
        resourceVersion: b.metadata.resourceVersion,
      }, async (w) => {
        await w.expectQuiet();
        const updated = await store.guaranteedUpdate(key("a"), {
          tryUpdate: (cur) => withSpec(cur!, { version: 2 }),
        });
        assert.deepEqual(await w.expect("MODIFIED"), updated);
      });
    },
  },
  {
    name: "a watch from an older revision replays every later change in order",
    upstream: "RunTestWatchFromNonZero / RunTestDelayedWatchDelivery",
    async run({ store, key }) {
      const v1 = await store.create(key("foo"), newObject("foo"));
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const v3 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 3 }),
      });
      const gone = await store.delete(key("foo"));
      const again = await store.create(key("foo"), newObject("foo"));
      await withWatch(store, key("foo"), {
        recursive: false,
        resourceVersion: v1.metadata.resourceVersion,
      }, async (w) => {
        assert.deepEqual(await w.expect("MODIFIED"), v2);
        assert.deepEqual(await w.expect("MODIFIED"), v3);
        assert.deepEqual(await w.expect("DELETED"), gone);
        assert.deepEqual(await w.expect("ADDED"), again);
        await w.expectQuiet();
      });
    },
  },
  {
    name: "a slow watcher still receives every event in revision order",
    upstream: "RunTestDelayedWatchDelivery",
    async run({ store, key, prefix }) {
      const count = 150;
      const start = await store.list(prefix(), { recursive: true });
      const watcher = await store.watch(prefix(), {
        recursive: true,
        resourceVersion: start.resourceVersion,
      });
      try {
        const created = [];
        for (let i = 0; i < count; i++) {
          const n = `obj-${String(i).padStart(4, "0")}`;
          created.push(await store.create(key(n), newObject(n)));
        }
        // Only now start reading: everything must have been kept.
        const w = new WatchCollector(watcher);
        try {
          for (const want of created) {
            assert.deepEqual(await w.expect("ADDED"), want);
          }
          await w.expectQuiet();
        } finally {
          await w.close();
        }
      } finally {
        watcher.stop();
      }
    },
  },
  {
    name: "writes made right after watch() resolves are delivered",
    upstream: "RunTestWatchInitializationSignal",
    async run({ store, key, prefix }) {
      for (const resourceVersion of ["", "0"]) {
        // A namespace of its own, so a stale start ("0") still has no state.
        const namespace = `ns-${resourceVersion.length}`;
        const watcher = await store.watch(prefix({ namespace }), {
          recursive: true,
          resourceVersion,
        });
        const created = await store.create(
          key("n", { namespace }),
          newObject("n"),
        );
        const w = new WatchCollector(watcher);
        try {
          assert.deepEqual(await w.expect("ADDED"), created);
        } finally {
          await w.close();
        }
      }
    },
  },
  {
    name: "stopping a watcher ends its iteration",
    upstream: "RunTestWatcherTimeout / testCheckStop",
    async run({ store, key }) {
      const w = new WatchCollector(
        await store.watch(key("foo"), { recursive: false }),
      );
      try {
        await w.expectQuiet(50);
      } finally {
        await w.close();
      }
      assert.ok(w.ended);
    },
  },
  {
    name:
      "aborting the signal ends the watch, also when aborted before it starts",
    upstream: "RunTestWatchContextCancel",
    async run({ store, key }) {
      const early = new AbortController();
      early.abort();
      const pre = new WatchCollector(
        await store.watch(key("foo"), {
          recursive: false,
          resourceVersion: "0",
          signal: early.signal,
        }),
      );
      try {
        await pre.expectEnd();
      } finally {
        await pre.close();
      }
      const late = new AbortController();
      const w = new WatchCollector(
        await store.watch(key("foo"), {
          recursive: false,
          signal: late.signal,
        }),
      );
      try {
        await store.create(key("foo"), newObject("foo"));
        await w.expect("ADDED");
        late.abort();
        await w.expectEnd();
      } finally {
        await w.close();
      }
    },
  },
  {
    name: "watchers that are never read do not block writers",
    upstream: "RunTestWatcherTimeout",
    async run({ store, key, prefix }) {
      const watchers = [];
      try {
        for (let i = 0; i < 10; i++) {
          watchers.push(
            await store.watch(prefix(), {
              recursive: true,
              resourceVersion: "0",
            }),
          );
        }
        await withTimeout(
          (async () => {
            for (let i = 0; i < 50; i++) {
              await store.create(key(`o${i}`), newObject(`o${i}`));
            }
          })(),
          EVENT_TIMEOUT_MS * 3,
          "50 creates with 10 unread watchers",
        );
      } finally {
        for (const w of watchers) w.stop();
      }
      for (const w of watchers) {
        // Iterating a stopped watcher may flush what it buffered, then ends.
        await withTimeout(
          (async () => {
            for await (const _ of w) { /* drain */ }
          })(),
          EVENT_TIMEOUT_MS,
          "draining a stopped watcher",
        );
      }
      assert.equal(
        (await store.list(prefix(), { recursive: true })).items.length,
        50,
      );
    },
  },
  {
    name: "a watch with a malformed resourceVersion fails with InvalidArgument",
    upstream: "RunTestWatchError (bad request)",
    async run({ store, key }) {
      for (const resourceVersion of ["abc", "-1"]) {
        let watcher;
        try {
          watcher = await store.watch(key("foo"), {
            recursive: false,
            resourceVersion,
          });
        } catch (err) {
          assert.ok(
            isStorageError(err, "InvalidArgument"),
            `expected InvalidArgument, got ${String(err)}`,
          );
          continue;
        }
        // Delivering the error as the single ERROR event is acceptable too.
        const w = new WatchCollector(watcher);
        try {
          const err = await w.expectError();
          assert.equal(err.code, "InvalidArgument");
          await w.expectEnd();
        } finally {
          await w.close();
        }
      }
    },
  },
  {
    name:
      "every ADDED, MODIFIED and DELETED event carries the object's storage key",
    upstream:
      "none (hyperplane: the watch cache indexes by WatchEvent.key, as upstream's cacher by the event's key)",
    async run({ store, key, prefix }) {
      const places = [
        { name: "a", place: {} },
        { name: "b", place: { namespace: "other" } },
        { name: "c", place: { cluster: "tenant-1" } },
      ];
      await store.create(key("pre"), newObject("pre"));
      await withWatch(store, prefix({ all: true }), {
        recursive: true,
        resourceVersion: "0",
      }, async (w) => {
        const initial = await w.next();
        assert.equal(initial.type, "ADDED");
        assert.equal((initial as { key?: string }).key, key("pre"));
        for (const { name, place } of places) {
          const k = key(name, place);
          await store.create(k, newObject(name));
          const added = await w.next({ skipBookmarks: true });
          assert.equal(added.type, "ADDED");
          assert.equal((added as { key?: string }).key, k, "ADDED key");
          await store.guaranteedUpdate(k, {
            tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
          });
          const modified = await w.next({ skipBookmarks: true });
          assert.equal(modified.type, "MODIFIED");
          assert.equal((modified as { key?: string }).key, k, "MODIFIED key");
          await store.delete(k);
          const deleted = await w.next({ skipBookmarks: true });
          assert.equal(deleted.type, "DELETED");
          assert.equal((deleted as { key?: string }).key, k, "DELETED key");
        }
      });
    },
  },
]);
