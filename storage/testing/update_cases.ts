/**
 * Conformance cases for `guaranteedUpdate` (upstream RunTestGuaranteedUpdate,
 * RunTestGuaranteedUpdateWithConflict,
 * RunTestGuaranteedUpdateWithSuggestionAndConflict,
 * RunTestGuaranteedUpdateChecksStoredData, RunTestGuaranteedUpdateNoOp…).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { KubeObject } from "../mod.ts";
import { casesOf } from "./_case.ts";
import {
  EVENT_TIMEOUT_MS,
  expectStorageError,
  newObject,
  rvOf,
  WatchCollector,
  withoutRV,
  withSpec,
  withTimeout,
} from "./_helpers.ts";

function specOf(obj: KubeObject | null): Record<string, unknown> {
  return (obj?.spec ?? {}) as Record<string, unknown>;
}

/** Cases about read-modify-write updates. */
export const updateCases = casesOf("guaranteedUpdate", [
  {
    name:
      "guaranteedUpdate changes an existing object and gives it a newer resourceVersion",
    upstream: "RunTestGuaranteedUpdate",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      const seen: Array<KubeObject | null> = [];
      const out = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => {
          seen.push(structuredClone(cur));
          return withSpec(cur!, { v: 2 });
        },
      });
      assert.deepEqual(seen, [created], "tryUpdate gets the current object");
      assert.ok(rvOf(out) > rvOf(created));
      assert.deepEqual(withoutRV(out), withoutRV(withSpec(created, { v: 2 })));
      assert.deepEqual(await store.get(key("foo")), out);
    },
  },
  {
    name:
      "guaranteedUpdate of a missing key fails with NotFound without calling tryUpdate",
    upstream:
      "RunTestGuaranteedUpdate (non-existing key, ignoreNotFound=false)",
    async run({ store, key }) {
      let calls = 0;
      await expectStorageError(
        store.guaranteedUpdate(key("missing"), {
          tryUpdate: () => {
            calls++;
            return newObject("missing");
          },
        }),
        "NotFound",
      );
      assert.equal(calls, 0);
      await expectStorageError(store.get(key("missing")), "NotFound");
    },
  },
  {
    name:
      "guaranteedUpdate with ignoreNotFound creates the object from tryUpdate(null)",
    upstream: "RunTestGuaranteedUpdate (non-existing key, ignoreNotFound=true)",
    async run({ store, key }) {
      const seen: Array<KubeObject | null> = [];
      const before = await store.currentRevision();
      const out = await store.guaranteedUpdate(key("foo"), {
        ignoreNotFound: true,
        tryUpdate: (cur) => {
          seen.push(cur);
          return newObject("foo", { spec: { made: true } });
        },
      });
      assert.deepEqual(seen, [null]);
      assert.ok(rvOf(out) > before);
      assert.deepEqual(await store.get(key("foo")), out);
    },
  },
  {
    name: "a no-op update keeps the resourceVersion and writes nothing",
    upstream: "RunTestGuaranteedUpdateNoOp / NoChange (keep RV)",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      const w = new WatchCollector(
        await store.watch(key("foo"), {
          recursive: false,
          resourceVersion: created.metadata.resourceVersion,
        }),
      );
      try {
        const same = await store.guaranteedUpdate(key("foo"), {
          tryUpdate: (cur) => structuredClone(cur!),
        });
        assert.deepEqual(same, created);
        const async = await store.guaranteedUpdate(key("foo"), {
          tryUpdate: (cur) => Promise.resolve(structuredClone(cur!)),
        });
        assert.deepEqual(async, created);
        assert.deepEqual(await store.get(key("foo")), created);
        await w.expectQuiet();
      } finally {
        await w.close();
      }
    },
  },
  {
    name:
      "a resourceVersion set by tryUpdate is ignored; the store assigns the new one",
    upstream: "RunTestGuaranteedUpdate (PrepareObjectForStorage)",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      const out = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => {
          const next = withSpec(cur!, { v: 2 });
          next.metadata.resourceVersion = "1";
          return next;
        },
      });
      assert.ok(rvOf(out) > rvOf(created));
      assert.deepEqual(await store.get(key("foo")), out);
    },
  },
  {
    name:
      "a uid precondition that does not hold fails with InvalidObject and changes nothing",
    upstream: "RunTestGuaranteedUpdate (UID mismatch)",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      let calls = 0;
      await expectStorageError(
        store.guaranteedUpdate(key("foo"), {
          preconditions: { uid: "not-the-uid" },
          tryUpdate: (cur) => {
            calls++;
            return withSpec(cur!, { v: 2 });
          },
        }),
        "InvalidObject",
      );
      assert.equal(calls, 0);
      assert.deepEqual(await store.get(key("foo")), created);
    },
  },
  {
    name:
      "a resourceVersion precondition that does not hold fails with InvalidObject",
    upstream: "RunTestGuaranteedUpdate (RV precondition)",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      const updated = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await expectStorageError(
        store.guaranteedUpdate(key("foo"), {
          preconditions: { resourceVersion: created.metadata.resourceVersion },
          tryUpdate: (cur) => withSpec(cur!, { v: 3 }),
        }),
        "InvalidObject",
      );
      assert.deepEqual(await store.get(key("foo")), updated);
    },
  },
  {
    name: "preconditions that hold let the update through",
    upstream: "RunTestGuaranteedUpdate (UID match)",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      const out = await store.guaranteedUpdate(key("foo"), {
        preconditions: {
          uid: created.metadata.uid,
          resourceVersion: created.metadata.resourceVersion,
        },
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      assert.equal(specOf(out).v, 2);
      assert.ok(rvOf(out) > rvOf(created));
    },
  },
  {
    name:
      "an error thrown by tryUpdate reaches the caller unchanged and nothing is written",
    upstream: "RunTestGuaranteedUpdate (tryUpdate error)",
    async run({ store, key }) {
      const created = await store.create(key("foo"), newObject("foo"));
      const boom = new Error("refused by tryUpdate");
      await assert.rejects(
        store.guaranteedUpdate(key("foo"), {
          tryUpdate: () => {
            throw boom;
          },
        }),
        (err) => err === boom,
      );
      await assert.rejects(
        store.guaranteedUpdate(key("foo"), {
          tryUpdate: () => Promise.reject(boom),
        }),
        (err) => err === boom,
      );
      assert.deepEqual(await store.get(key("foo")), created);
    },
  },
  {
    name: "an update that loses a race retries with fresh data",
    upstream: "RunTestGuaranteedUpdateWithConflict",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo", { spec: { n: 0 } }));
      const seen: number[] = [];
      const out = await withTimeout(
        store.guaranteedUpdate(key("foo"), {
          tryUpdate: async (cur) => {
            const n = specOf(cur).n as number;
            seen.push(n);
            if (seen.length === 1) {
              // A competing writer gets in between our read and our write.
              await store.guaranteedUpdate(key("foo"), {
                tryUpdate: (c) => withSpec(c!, { n: 100 }),
              });
            }
            return withSpec(cur!, { n: n + 1 });
          },
        }),
        EVENT_TIMEOUT_MS,
        "guaranteedUpdate racing with a nested update",
      );
      assert.deepEqual(
        seen,
        [0, 100],
        "the retry must see the competing write",
      );
      assert.equal(specOf(out).n, 101);
      assert.deepEqual(await store.get(key("foo")), out);
    },
  },
  {
    name: "concurrent updates of one object all apply",
    upstream: "RunTestGuaranteedUpdateWithConflict",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo", { spec: { n: 0 } }));
      const writers = 8;
      const results = await withTimeout(
        Promise.all(
          Array.from(
            { length: writers },
            () =>
              store.guaranteedUpdate(key("foo"), {
                tryUpdate: (cur) =>
                  withSpec(cur!, { n: (specOf(cur).n as number) + 1 }),
              }),
          ),
        ),
        EVENT_TIMEOUT_MS * 3,
        "concurrent guaranteedUpdates",
      );
      const final = await store.get(key("foo"));
      assert.equal(specOf(final).n, writers);
      const rvs = new Set(results.map(rvOf));
      assert.equal(rvs.size, writers, "every update is its own revision");
    },
  },
  {
    name: "a stale cachedExisting is retried with fresh data",
    upstream: "RunTestGuaranteedUpdateWithSuggestionAndConflict",
    async run({ store, key }) {
      const v1 = await store.create(
        key("foo"),
        newObject("foo", { spec: { n: 1 } }),
      );
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { n: 2 }),
      });
      const seen: number[] = [];
      const out = await store.guaranteedUpdate(key("foo"), {
        cachedExisting: v1,
        tryUpdate: (cur) => {
          seen.push(specOf(cur).n as number);
          return withSpec(cur!, { n: (specOf(cur).n as number) * 10 });
        },
      });
      assert.equal(seen.at(-1), 2, "the final attempt must use fresh data");
      assert.equal(specOf(out).n, 20);
      assert.ok(rvOf(out) > rvOf(v2));
      assert.deepEqual(await store.get(key("foo")), out);
    },
  },
  {
    name: "a fresh cachedExisting is used as the current object",
    upstream: "RunTestGuaranteedUpdate (with suggestion)",
    async run({ store, key }) {
      const v1 = await store.create(
        key("foo"),
        newObject("foo", { spec: { n: 1 } }),
      );
      const seen: Array<KubeObject | null> = [];
      const out = await store.guaranteedUpdate(key("foo"), {
        cachedExisting: v1,
        tryUpdate: (cur) => {
          seen.push(structuredClone(cur));
          return withSpec(cur!, { n: 2 });
        },
      });
      assert.deepEqual(seen, [v1]);
      assert.equal(specOf(out).n, 2);
      assert.deepEqual(await store.get(key("foo")), out);
    },
  },
  {
    name:
      "preconditions are checked against fresh data when cachedExisting is stale",
    upstream: "RunTestGuaranteedUpdate (stale suggestion, precondition)",
    async run({ store, key }) {
      const v1 = await store.create(key("foo"), newObject("foo"));
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { n: 2 }),
      });
      const out = await store.guaranteedUpdate(key("foo"), {
        cachedExisting: v1,
        preconditions: { resourceVersion: v2.metadata.resourceVersion },
        tryUpdate: (cur) => withSpec(cur!, { n: 3 }),
      });
      assert.equal(specOf(out).n, 3);
      assert.ok(rvOf(out) > rvOf(v2));
    },
  },
  {
    name:
      "an update that looks like a no-op against a stale cachedExisting is still written",
    upstream: "RunTestGuaranteedUpdateChecksStoredData",
    async run({ store, key }) {
      const v1 = await store.create(
        key("foo"),
        newObject("foo", { spec: { n: 1 } }),
      );
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { n: 2 }),
      });
      // Wants spec.n = 1: equal to the stale copy, different from the stored data.
      const out = await store.guaranteedUpdate(key("foo"), {
        cachedExisting: v1,
        tryUpdate: (cur) => withSpec(cur!, { n: 1 }),
      });
      assert.equal(specOf(out).n, 1);
      assert.ok(rvOf(out) > rvOf(v2), "the change must really be written");
      assert.deepEqual(await store.get(key("foo")), out);
    },
  },
  {
    name:
      "guaranteedUpdate of a deleted object with a cachedExisting fails with NotFound",
    upstream: "RunTestGuaranteedUpdate (suggestion of deleted object)",
    async run({ store, key }) {
      const v1 = await store.create(key("foo"), newObject("foo"));
      await store.delete(key("foo"));
      await expectStorageError(
        store.guaranteedUpdate(key("foo"), {
          cachedExisting: v1,
          tryUpdate: (cur) => withSpec(cur!, { n: 2 }),
        }),
        "NotFound",
      );
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
]);
