/**
 * Conformance cases for `delete` (upstream RunTestUnconditionalDelete,
 * RunTestConditionalDelete, RunTestDeleteWithSuggestion…,
 * RunTestValidateDeletion…, RunTestPreconditionalDeleteWithSuggestion,
 * RunTestDeleteWithConflict).
 *
 * @module
 */

import assert from "node:assert/strict";
import { isStorageError, type KubeObject } from "../mod.ts";
import { casesOf } from "./_case.ts";
import {
  EVENT_TIMEOUT_MS,
  expectStorageError,
  newObject,
  rvOf,
  withoutRV,
  withSpec,
  withTimeout,
} from "./_helpers.ts";

function specOf(obj: KubeObject): Record<string, unknown> {
  return (obj.spec ?? {}) as Record<string, unknown>;
}

/** Cases about deleting. */
export const deleteCases = casesOf("delete", [
  {
    name:
      "delete removes the object and returns its last state at the delete's revision",
    upstream: "RunTestUnconditionalDelete",
    async run({ store, key }) {
      const stored = await store.create(
        key("foo"),
        newObject("foo", { spec: { v: 1 } }),
      );
      const deleted = await store.delete(key("foo"));
      assert.deepEqual(withoutRV(deleted), withoutRV(stored));
      assert.ok(rvOf(deleted) > rvOf(stored), "a delete is a new revision");
      await expectStorageError(store.get(key("foo")), "NotFound");
      assert.ok(await store.currentRevision() >= rvOf(deleted));
    },
  },
  {
    name: "delete of a missing key fails with NotFound",
    upstream: "RunTestUnconditionalDelete (non-existing key)",
    async run({ store, key }) {
      await expectStorageError(store.delete(key("missing")), "NotFound");
      await store.create(key("foo"), newObject("foo"));
      await store.delete(key("foo"));
      await expectStorageError(store.delete(key("foo")), "NotFound");
    },
  },
  {
    name: "delete with a uid precondition deletes only the matching object",
    upstream: "RunTestConditionalDelete (UID)",
    async run({ store, key }) {
      const stored = await store.create(key("foo"), newObject("foo"));
      await expectStorageError(
        store.delete(key("foo"), { preconditions: { uid: "other-uid" } }),
        "InvalidObject",
      );
      assert.deepEqual(await store.get(key("foo")), stored);
      const deleted = await store.delete(key("foo"), {
        preconditions: { uid: stored.metadata.uid },
      });
      assert.equal(deleted.metadata.uid, stored.metadata.uid);
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name:
      "delete with a resourceVersion precondition deletes only that version",
    upstream: "RunTestConditionalDelete (ResourceVersion)",
    async run({ store, key }) {
      const v1 = await store.create(key("foo"), newObject("foo"));
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await expectStorageError(
        store.delete(key("foo"), {
          preconditions: { resourceVersion: v1.metadata.resourceVersion },
        }),
        "InvalidObject",
      );
      assert.deepEqual(await store.get(key("foo")), v2);
      await store.delete(key("foo"), {
        preconditions: { resourceVersion: v2.metadata.resourceVersion },
      });
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name: "validateDeletion sees the current object and can refuse the delete",
    upstream: "RunTestValidateDeletionWithSuggestion / ValidateAllObjectFunc",
    async run({ store, key }) {
      const stored = await store.create(key("foo"), newObject("foo"));
      const refusal = new Error("refused by validateDeletion");
      const seen: KubeObject[] = [];
      await assert.rejects(
        store.delete(key("foo"), {
          validateDeletion: (cur) => {
            seen.push(structuredClone(cur));
            throw refusal;
          },
        }),
        (err) => err === refusal,
      );
      assert.deepEqual(seen, [stored]);
      assert.deepEqual(await store.get(key("foo")), stored);
      let calls = 0;
      await store.delete(key("foo"), {
        validateDeletion: async () => {
          await Promise.resolve();
          calls++;
        },
      });
      assert.equal(calls, 1);
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name: "a delete with a stale cachedExisting validates against fresh data",
    upstream:
      "RunTestDeleteWithSuggestionAndConflict / RunTestValidateDeletionWithOnlySuggestionValid",
    async run({ store, key }) {
      const v1 = await store.create(
        key("foo"),
        newObject("foo", { spec: { v: 1 } }),
      );
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const seen: number[] = [];
      const deleted = await store.delete(key("foo"), {
        cachedExisting: v1,
        validateDeletion: (cur) => {
          seen.push(specOf(cur).v as number);
          if (specOf(cur).v !== 2) throw new Error("stale object");
        },
      });
      assert.equal(seen.at(-1), 2, "the final validation sees fresh data");
      assert.deepEqual(withoutRV(deleted), withoutRV(v2));
      assert.ok(rvOf(deleted) > rvOf(v2));
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name:
      "a delete validated only against a stale cachedExisting is refused by fresh data",
    upstream: "RunTestValidateDeletionWithOnlySuggestionValid",
    async run({ store, key }) {
      const v1 = await store.create(
        key("foo"),
        newObject("foo", { spec: { v: 1 } }),
      );
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const refusal = new Error("only version 1 may be deleted");
      await assert.rejects(
        store.delete(key("foo"), {
          cachedExisting: v1,
          validateDeletion: (cur) => {
            if (specOf(cur).v !== 1) throw refusal;
          },
        }),
        (err) => err === refusal,
      );
      assert.deepEqual(await store.get(key("foo")), v2);
    },
  },
  {
    name:
      "a delete with a stale cachedExisting checks preconditions against fresh data",
    upstream:
      "RunTestPreconditionalDeleteWithSuggestion / …WithOnlySuggestionPass",
    async run({ store, key }) {
      const v1 = await store.create(key("foo"), newObject("foo"));
      const v2 = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      // Only the stale copy satisfies this precondition: it must fail.
      await expectStorageError(
        store.delete(key("foo"), {
          cachedExisting: v1,
          preconditions: { resourceVersion: v1.metadata.resourceVersion },
        }),
        "InvalidObject",
      );
      assert.deepEqual(await store.get(key("foo")), v2);
      // Only the fresh data satisfies this one: it must succeed.
      await store.delete(key("foo"), {
        cachedExisting: v1,
        preconditions: { resourceVersion: v2.metadata.resourceVersion },
      });
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name:
      "a delete with a cachedExisting of an already deleted object fails with NotFound",
    upstream: "RunTestDeleteWithSuggestionOfDeletedObject",
    async run({ store, key }) {
      const v1 = await store.create(key("foo"), newObject("foo"));
      await store.delete(key("foo"));
      await expectStorageError(
        store.delete(key("foo"), { cachedExisting: v1 }),
        "NotFound",
      );
    },
  },
  {
    name:
      "a delete that races with an update validates again and deletes the new state",
    upstream: "RunTestDeleteWithConflict",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo", { spec: { v: 1 } }));
      const seen: number[] = [];
      const deleted = await withTimeout(
        store.delete(key("foo"), {
          validateDeletion: async (cur) => {
            seen.push(specOf(cur).v as number);
            if (seen.length === 1) {
              await store.guaranteedUpdate(key("foo"), {
                tryUpdate: (c) => withSpec(c!, { v: 2 }),
              });
            }
          },
        }),
        EVENT_TIMEOUT_MS,
        "delete racing with an update",
      );
      assert.deepEqual(seen, [1, 2]);
      assert.equal(specOf(deleted).v, 2);
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name: "of concurrent deletes of one object exactly one succeeds",
    upstream:
      "RunTestConditionalDelete (concurrent) / etcd3 TestDeleteWithRetry",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo"));
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => store.delete(key("foo"))),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      assert.equal(ok.length, 1, "exactly one delete wins");
      for (const r of results) {
        if (r.status === "rejected") {
          assert.ok(
            isStorageError(r.reason, "NotFound"),
            `losers get NotFound, got ${String(r.reason)}`,
          );
        }
      }
    },
  },
]);
