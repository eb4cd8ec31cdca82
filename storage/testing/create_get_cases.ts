/**
 * Conformance cases for `create` and `get` (upstream RunTestCreate,
 * RunTestCreateWithKeyExist, RunTestGet).
 *
 * @module
 */

import assert from "node:assert/strict";
import { casesOf } from "./_case.ts";
import {
  expectStorageError,
  newObject,
  rvOf,
  tooLargeRevision,
  withoutRV,
  withSpec,
} from "./_helpers.ts";

/** Cases about creating and reading single objects. */
export const createGetCases = casesOf("create and get", [
  {
    name: "create stores the object and returns it with a new resourceVersion",
    upstream: "RunTestCreate",
    async run({ store, key }) {
      const before = await store.currentRevision();
      const input = newObject("foo", { namespace: "ns", spec: { a: 1 } });
      const out = await store.create(key("foo"), input);
      const rv = rvOf(out);
      assert.ok(rv > before, `new rv ${rv} must exceed ${before}`);
      assert.deepEqual(withoutRV(out), input);
      assert.equal(
        input.metadata.resourceVersion,
        undefined,
        "create must not modify the caller's object",
      );
      assert.deepEqual(await store.get(key("foo")), out);
      assert.ok(await store.currentRevision() >= rv);
    },
  },
  {
    name: "create rejects an object that already has a resourceVersion",
    upstream: "RunTestCreate",
    async run({ store, key }) {
      const obj = newObject("foo", { namespace: "ns" });
      obj.metadata.resourceVersion = "1";
      await expectStorageError(store.create(key("foo"), obj), "InvalidObject");
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name: "create on an existing key fails with KeyExists and keeps the object",
    upstream: "RunTestCreateWithKeyExist",
    async run({ store, key }) {
      const first = await store.create(
        key("foo"),
        newObject("foo", { namespace: "ns", spec: { v: 1 } }),
      );
      await expectStorageError(
        store.create(
          key("foo"),
          newObject("foo", { namespace: "ns", spec: { v: 2 } }),
        ),
        "KeyExists",
      );
      assert.deepEqual(await store.get(key("foo")), first);
    },
  },
  {
    name: "a deleted key can be created again at a newer revision",
    upstream: "RunTestCreate",
    async run({ store, key }) {
      const first = await store.create(key("foo"), newObject("foo"));
      const deleted = await store.delete(key("foo"));
      const again = await store.create(
        key("foo"),
        newObject("foo", { spec: { again: true } }),
      );
      assert.ok(rvOf(again) > rvOf(deleted));
      assert.ok(rvOf(deleted) > rvOf(first));
      assert.deepEqual(await store.get(key("foo")), again);
    },
  },
  {
    name: "get of a missing key fails with NotFound",
    upstream: "RunTestGet (get non-existing)",
    async run({ store, key }) {
      await expectStorageError(store.get(key("missing")), "NotFound");
      await expectStorageError(
        store.get(key("missing"), { resourceVersion: "0" }),
        "NotFound",
      );
    },
  },
  {
    name: "get of a deleted key fails with NotFound",
    upstream: "RunTestGet",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo"));
      await store.delete(key("foo"));
      await expectStorageError(store.get(key("foo")), "NotFound");
    },
  },
  {
    name: "get with resourceVersion 0 returns the object",
    upstream: "RunTestGet (RV=0)",
    async run({ store, key }) {
      const stored = await store.create(key("foo"), newObject("foo"));
      const got = await store.get(key("foo"), { resourceVersion: "0" });
      assert.deepEqual(withoutRV(got), withoutRV(stored));
      assert.ok(rvOf(got) >= rvOf(stored));
    },
  },
  {
    name:
      "get with the object's current resourceVersion returns the latest object",
    upstream: "RunTestGet (RV=current)",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo"));
      const updated = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const got = await store.get(key("foo"), {
        resourceVersion: updated.metadata.resourceVersion,
      });
      assert.deepEqual(got, updated);
    },
  },
  {
    name: "get with an older resourceVersion returns data not older than it",
    upstream: "RunTestGet (RV=previous, NotOlderThan)",
    async run({ store, key }) {
      const first = await store.create(key("foo"), newObject("foo"));
      const updated = await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const got = await store.get(key("foo"), {
        resourceVersion: first.metadata.resourceVersion,
      });
      assert.ok(rvOf(got) >= rvOf(first));
      assert.ok(
        [rvOf(first), rvOf(updated)].includes(rvOf(got)),
        "get must return a state the object actually had",
      );
    },
  },
  {
    name:
      "get with a resourceVersion newer than the store's fails with TooLargeResourceVersion",
    upstream: "RunTestGet (too high resource version)",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo"));
      const tooLarge = tooLargeRevision(await store.currentRevision());
      await expectStorageError(
        store.get(key("foo"), { resourceVersion: String(tooLarge) }),
        "TooLargeResourceVersion",
      );
    },
  },
  {
    name: "get with a malformed resourceVersion fails with InvalidArgument",
    upstream: "RunTestGet (invalid resource version)",
    async run({ store, key }) {
      await store.create(key("foo"), newObject("foo"));
      for (const rv of ["abc", "-1", "1.5", "0x10"]) {
        await expectStorageError(
          store.get(key("foo"), { resourceVersion: rv }),
          "InvalidArgument",
          `get with resourceVersion ${JSON.stringify(rv)}`,
        );
      }
    },
  },
  {
    name: "stored objects round-trip every field unchanged",
    upstream: "RunTestCreate / RunTestGet (expectNoDiff)",
    async run({ store, key }) {
      const obj = newObject("foo", {
        namespace: "ns",
        labels: { app: "x", "example.com/tier": "ü-ünïcode" },
        spec: {
          nested: { deep: [1, "two", { three: null }], empty: {} },
          text: 'line1\nline2\t"quoted" \u2603 😀',
          big: 9007199254740991,
          neg: -1.25,
          flag: false,
        },
      });
      obj.metadata.annotations = { note: "a=b,c" };
      obj.metadata.finalizers = ["conformance.hyperplane.dev/keep"];
      obj.status = { phase: "Ready" };
      const out = await store.create(key("foo"), obj);
      assert.deepEqual(withoutRV(out), obj);
      assert.deepEqual(withoutRV(await store.get(key("foo"))), obj);
    },
  },
  {
    name: "objects returned by the store are copies the caller may mutate",
    upstream: "(hyperplane) data isolation",
    async run({ store, key }) {
      const input = newObject("foo", { spec: { v: 1 } });
      const out = await store.create(key("foo"), input);
      const pristine = structuredClone(out);
      (input.spec as Record<string, unknown>).v = 99;
      (out.spec as Record<string, unknown>).v = 98;
      out.metadata.labels = { mutated: "yes" };
      const got = await store.get(key("foo"));
      assert.deepEqual(got, pristine);
      (got.spec as Record<string, unknown>).v = 97;
      assert.deepEqual(await store.get(key("foo")), pristine);
      const listed = await store.list(key("foo"), { recursive: false });
      assert.deepEqual(listed.items, [pristine]);
    },
  },
]);
