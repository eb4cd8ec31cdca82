/**
 * Conformance cases for the backend-level operations: current revision,
 * readiness and stats (upstream RunTestStats, the revision checks of
 * RunTestCreate, and readiness as exercised by the storage health check).
 *
 * @module
 */

import assert from "node:assert/strict";
import { casesOf } from "./_case.ts";
import { newObject, rvOf, withSpec } from "./_helpers.ts";

/** Cases about revisions, readiness and stats. */
export const backendCases = casesOf("revisions, readiness and stats", [
  {
    name:
      "the current revision covers every acknowledged write and never goes back",
    upstream: "RunTestCreate / RunTestGuaranteedUpdate (revision checks)",
    async run({ factory, store, key }) {
      const r0 = await store.currentRevision();
      const created = await store.create(key("a"), newObject("a"));
      const r1 = await store.currentRevision();
      assert.ok(r1 >= rvOf(created) && rvOf(created) > r0);
      const updated = await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const r2 = await factory.currentRevision();
      assert.ok(r2 >= rvOf(updated) && rvOf(updated) > r1);
      const deleted = await store.delete(key("a"));
      const r3 = await store.currentRevision();
      assert.ok(r3 >= rvOf(deleted) && rvOf(deleted) > r2);
      assert.ok(Number.isSafeInteger(r3));
    },
  },
  {
    name: "readiness resolves for a healthy backend",
    upstream: "(hyperplane) readiness / storage health check",
    async run({ factory, store }) {
      await factory.readiness();
      await store.readiness();
    },
  },
  {
    name: "stats counts the resource's objects in every cluster",
    upstream: "RunTestStats",
    async run({ store, key }) {
      assert.equal((await store.stats()).objectCount, 0);
      await store.create(key("a"), newObject("a"));
      await store.create(key("b", { cluster: "other" }), newObject("b"));
      await store.create(key("c", { namespace: null }), newObject("c"));
      const three = await store.stats();
      assert.equal(three.objectCount, 3);
      if (three.estimatedSizeBytes !== undefined) {
        assert.ok(three.estimatedSizeBytes > 0);
      }
      await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      assert.equal((await store.stats()).objectCount, 3);
      await store.delete(key("b", { cluster: "other" }));
      assert.equal((await store.stats()).objectCount, 2);
    },
  },
]);
