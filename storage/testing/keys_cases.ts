/**
 * Conformance cases for the key schema: key validation, cluster and
 * namespace isolation, and resources sharing one backend (kplane's key
 * layout; upstream has no cluster segment, so these extend
 * RunTestGetListNonRecursive / RunTestNamespaceScopedList-style checks).
 *
 * @module
 */

import assert from "node:assert/strict";
import { objectKey, resourcePrefix } from "../mod.ts";
import { casesOf } from "./_case.ts";
import { expectStorageError, names, newObject, rvOf } from "./_helpers.ts";

/** Cases about keys, clusters and resources. */
export const keysCases = casesOf("keys and isolation", [
  {
    name: "keys with empty, '.' or '..' segments are rejected with InvalidKey",
    upstream: "(hyperplane) key schema",
    async run({ store, prefix }) {
      const base = prefix({ namespace: null });
      const bad = [
        `${base}ns//foo`,
        `${base}./foo`,
        `${base}ns/../foo`,
        `${base}ns/..`,
        `${base}ns/.`,
      ];
      for (const k of bad) {
        await expectStorageError(
          store.create(k, newObject("foo")),
          "InvalidKey",
          `create at ${k}`,
        );
        await expectStorageError(store.get(k), "InvalidKey", `get at ${k}`);
        await expectStorageError(
          store.delete(k),
          "InvalidKey",
          `delete at ${k}`,
        );
        await expectStorageError(
          store.guaranteedUpdate(k, {
            ignoreNotFound: true,
            tryUpdate: () => newObject("foo"),
          }),
          "InvalidKey",
          `guaranteedUpdate at ${k}`,
        );
      }
      const listed = await store.list(prefix({ all: true }), {
        recursive: true,
      });
      assert.deepEqual(listed.items, [], "nothing may have been stored");
    },
  },
  {
    name:
      "keys outside the store's resource prefix are rejected with InvalidKey",
    upstream: "(hyperplane) key schema",
    async run({ store, otherResource }) {
      const other = otherResource("o");
      const foreign = objectKey({
        ...other,
        cluster: "root",
        namespace: "ns",
        name: "foo",
      });
      await expectStorageError(
        store.create(foreign, newObject("foo")),
        "InvalidKey",
        "create in another resource",
      );
      await expectStorageError(store.get(foreign), "InvalidKey");
      await expectStorageError(
        store.list(resourcePrefix(other), { recursive: true }),
        "InvalidKey",
        "list of another resource's prefix",
      );
      await expectStorageError(
        store.create("registry/relative/foo", newObject("foo")),
        "InvalidKey",
        "create at a relative key",
      );
    },
  },
  {
    name: "objects with the same name in different clusters are independent",
    upstream: "(hyperplane) cluster identity in keys",
    async run({ store, key }) {
      const a = await store.create(
        key("foo", { cluster: "alpha" }),
        newObject("foo", { spec: { c: "alpha" } }),
      );
      const b = await store.create(
        key("foo", { cluster: "beta" }),
        newObject("foo", { spec: { c: "beta" } }),
      );
      assert.deepEqual(await store.get(key("foo", { cluster: "alpha" })), a);
      assert.deepEqual(await store.get(key("foo", { cluster: "beta" })), b);
      await store.delete(key("foo", { cluster: "alpha" }));
      await expectStorageError(
        store.get(key("foo", { cluster: "alpha" })),
        "NotFound",
      );
      assert.deepEqual(await store.get(key("foo", { cluster: "beta" })), b);
      await expectStorageError(
        store.get(key("foo", { cluster: "gamma" })),
        "NotFound",
      );
    },
  },
  {
    name: "a cluster prefix lists only that cluster's objects",
    upstream: "(hyperplane) cluster isolation; RunTestList (prefix)",
    async run({ store, key, prefix }) {
      // "ab" shares a textual prefix with "a": the "/" boundary must hold.
      for (const cluster of ["a", "ab", "b"]) {
        await store.create(key("x", { cluster }), newObject("x"));
        await store.create(
          key("y", { cluster, namespace: null }),
          newObject("y"),
        );
      }
      for (const cluster of ["a", "ab", "b"]) {
        const res = await store.list(prefix({ cluster, namespace: null }), {
          recursive: true,
        });
        assert.equal(res.items.length, 2, `cluster ${cluster}`);
        assert.deepEqual(
          [...names(res.items)].sort(),
          ["x", "y"],
          `cluster ${cluster}`,
        );
      }
      const all = await store.list(prefix({ all: true }), { recursive: true });
      assert.equal(all.items.length, 6);
    },
  },
  {
    name: "a namespace prefix lists only that namespace's objects",
    upstream: "RunTestList (namespace prefix)",
    async run({ store, key, prefix }) {
      await store.create(key("a", { namespace: "ns" }), newObject("a"));
      await store.create(key("b", { namespace: "ns2" }), newObject("b"));
      await store.create(key("c", { namespace: "n" }), newObject("c"));
      await store.create(
        key("d", { namespace: "ns", cluster: "other" }),
        newObject("d"),
      );
      const ns = await store.list(prefix({ namespace: "ns" }), {
        recursive: true,
      });
      assert.deepEqual(names(ns.items), ["a"]);
      const ns2 = await store.list(prefix({ namespace: "ns2" }), {
        recursive: true,
      });
      assert.deepEqual(names(ns2.items), ["b"]);
      const other = await store.list(
        prefix({ namespace: "ns", cluster: "other" }),
        { recursive: true },
      );
      assert.deepEqual(names(other.items), ["d"]);
    },
  },
  {
    name: "stores of different resources never see each other's objects",
    upstream: "(hyperplane) one backend, many resources",
    async run({ factory, store, key, prefix, otherResource }) {
      const otherRef = otherResource("o");
      const other = factory.storeFor(otherRef);
      assert.equal(
        factory.storeFor(otherRef),
        other,
        "storeFor must return the same instance for the same resource",
      );
      const otherKey = objectKey({
        ...otherRef,
        cluster: "root",
        namespace: "ns",
        name: "foo",
      });
      await store.create(key("foo"), newObject("foo", { spec: { r: 1 } }));
      await other.create(otherKey, newObject("foo", { spec: { r: 2 } }));
      const mine = await store.list(prefix({ all: true }), { recursive: true });
      assert.equal(mine.items.length, 1);
      assert.deepEqual(mine.items[0].spec, { r: 1 });
      const theirs = await other.list(resourcePrefix(otherRef), {
        recursive: true,
      });
      assert.equal(theirs.items.length, 1);
      assert.deepEqual(theirs.items[0].spec, { r: 2 });
      assert.equal((await store.stats()).objectCount, 1);
      assert.equal((await other.stats()).objectCount, 1);
    },
  },
  {
    name: "all resources of a backend share one growing revision sequence",
    upstream: "(hyperplane) backend-wide revisions",
    async run({ factory, store, key, otherResource }) {
      const otherRef = otherResource("o");
      const other = factory.storeFor(otherRef);
      const otherKey = (name: string) =>
        objectKey({ ...otherRef, cluster: "root", name });
      const a = rvOf(await store.create(key("a"), newObject("a")));
      const b = rvOf(await other.create(otherKey("b"), newObject("b")));
      const c = rvOf(await store.create(key("c"), newObject("c")));
      assert.ok(a < b && b < c, `revisions must grow: ${a}, ${b}, ${c}`);
      assert.ok(await other.currentRevision() >= c);
      assert.ok(await factory.currentRevision() >= c);
    },
  },
]);
