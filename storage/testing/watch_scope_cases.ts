/**
 * Conformance cases for what a watch sees: one namespace, one cluster, the
 * whole resource, one resource among many (upstream
 * RunTestNamespaceScopedWatch, RunTestClusterScopedWatch, extended with
 * kplane's cluster segment in every key).
 *
 * @module
 */

import assert from "node:assert/strict";
import { objectKey, type Predicate, resourcePrefix } from "../mod.ts";
import { casesOf } from "./_case.ts";
import { newObject, withSpec, withWatch } from "./_helpers.ts";

const nameIs = (name: string): Predicate => ({
  matches: (obj) => obj.metadata.name === name,
});

/** Cases about watch scopes and isolation. */
export const watchScopeCases = casesOf("watch scopes", [
  {
    name: "a namespace watch sees only that namespace of that cluster",
    upstream: "RunTestNamespaceScopedWatch",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix({ all: true }), {
        recursive: true,
      });
      await withWatch(store, prefix({ namespace: "ns" }), {
        recursive: true,
        resourceVersion: start.resourceVersion,
      }, async (w) => {
        // Writes outside the namespace come first: any event for them fails.
        await store.create(key("a", { namespace: "ns2" }), newObject("a"));
        await store.create(key("a", { namespace: "n" }), newObject("a"));
        await store.create(
          key("a", { namespace: "ns", cluster: "other" }),
          newObject("a"),
        );
        await store.create(key("a", { namespace: null }), newObject("a"));
        const mine = await store.create(key("a"), newObject("a"));
        assert.deepEqual(await w.expect("ADDED"), mine);
        await store.guaranteedUpdate(key("a", { namespace: "ns2" }), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        await store.delete(key("a", { namespace: "ns", cluster: "other" }));
        await w.expectQuiet();
      });
    },
  },
  {
    name: "a namespace watch with a name predicate sees only that object",
    upstream: "RunTestNamespaceScopedWatch (metadata.name field selector)",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix(), { recursive: true });
      await withWatch(store, prefix(), {
        recursive: true,
        resourceVersion: start.resourceVersion,
        predicate: nameIs("foo1"),
      }, async (w) => {
        await store.create(key("foo2"), newObject("foo2"));
        const foo1 = await store.create(key("foo1"), newObject("foo1"));
        assert.deepEqual(await w.expect("ADDED"), foo1);
        await store.guaranteedUpdate(key("foo2"), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        const up = await store.guaranteedUpdate(key("foo1"), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        assert.deepEqual(await w.expect("MODIFIED"), up);
        await w.expectQuiet();
      });
    },
  },
  {
    name:
      "a cluster watch sees only that cluster, namespaced and cluster-scoped keys alike",
    upstream: "RunTestClusterScopedWatch (cluster-wide watch)",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix({ all: true }), {
        recursive: true,
      });
      await withWatch(store, prefix({ cluster: "a", namespace: null }), {
        recursive: true,
        resourceVersion: start.resourceVersion,
      }, async (w) => {
        // "ab" shares a textual prefix with "a": the "/" boundary must hold.
        await store.create(key("x", { cluster: "ab" }), newObject("x"));
        await store.create(
          key("x", { cluster: "ab", namespace: null }),
          newObject("x"),
        );
        await store.create(key("x", { cluster: "b" }), newObject("x"));
        const ns = await store.create(
          key("x", { cluster: "a" }),
          newObject("x"),
        );
        assert.deepEqual(await w.expect("ADDED"), ns);
        const top = await store.create(
          key("y", { cluster: "a", namespace: null }),
          newObject("y"),
        );
        assert.deepEqual(await w.expect("ADDED"), top);
        await store.delete(key("x", { cluster: "ab" }));
        const gone = await store.delete(
          key("y", { cluster: "a", namespace: null }),
        );
        assert.deepEqual(await w.expect("DELETED"), gone);
        await w.expectQuiet();
      });
    },
  },
  {
    name:
      "a single cluster-scoped key watch ignores its siblings in other clusters",
    upstream: "RunTestClusterScopedWatch (request with name)",
    async run({ store, key }) {
      const k = key("foo", { cluster: "a", namespace: null });
      const start = await store.list(k, { recursive: false });
      await withWatch(store, k, {
        recursive: false,
        resourceVersion: start.resourceVersion,
      }, async (w) => {
        await store.create(
          key("foo", { cluster: "b", namespace: null }),
          newObject("foo"),
        );
        await store.create(key("foo", { cluster: "a" }), newObject("foo"));
        await store.create(
          key("foo2", { cluster: "a", namespace: null }),
          newObject("foo2"),
        );
        const mine = await store.create(k, newObject("foo"));
        assert.deepEqual(await w.expect("ADDED"), mine);
        await w.expectQuiet();
      });
    },
  },
  {
    name: "a resource-wide watch sees every cluster",
    upstream: "RunTestClusterScopedWatch (all clusters)",
    async run({ store, key, prefix }) {
      const start = await store.list(prefix({ all: true }), {
        recursive: true,
      });
      await withWatch(store, prefix({ all: true }), {
        recursive: true,
        resourceVersion: start.resourceVersion,
      }, async (w) => {
        for (const cluster of ["root", "a", "b"]) {
          const created = await store.create(
            key("x", { cluster }),
            newObject("x"),
          );
          assert.deepEqual(
            await w.expect("ADDED"),
            created,
            `cluster ${cluster}`,
          );
        }
      });
    },
  },
  {
    name: "a watch on one resource never sees another resource's writes",
    upstream: "(hyperplane) one backend, many resources",
    async run({ factory, store, key, prefix, otherResource }) {
      const otherRef = otherResource("o");
      const other = factory.storeFor(otherRef);
      const start = await store.list(prefix({ all: true }), {
        recursive: true,
      });
      await withWatch(store, prefix({ all: true }), {
        recursive: true,
        resourceVersion: start.resourceVersion,
      }, async (w) => {
        await other.create(
          objectKey({
            ...otherRef,
            cluster: "root",
            namespace: "ns",
            name: "x",
          }),
          newObject("x"),
        );
        const mine = await store.create(key("x"), newObject("x"));
        assert.deepEqual(await w.expect("ADDED"), mine);
        await w.expectQuiet();
      });
      await withWatch(other, resourcePrefix(otherRef), {
        recursive: true,
        resourceVersion: "0",
      }, async (w) => {
        const ev = await w.expect("ADDED");
        assert.equal(ev.metadata.name, "x");
        await w.expectQuiet();
      });
    },
  },
]);
