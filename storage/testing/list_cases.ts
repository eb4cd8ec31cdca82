/**
 * Conformance cases for `list`: prefixes, single keys, predicates, paging
 * with continue tokens and resourceVersion matching (upstream RunTestList,
 * RunTestListWithoutPaging, RunTestGetListNonRecursive,
 * RunTestListContinuation, RunTestListContinuationWithFilter,
 * RunTestConsistentList).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { KubeObject, ListOptions, Predicate, Store } from "../mod.ts";
import { casesOf } from "./_case.ts";
import {
  expectStorageError,
  listRV,
  names,
  newObject,
  rvOf,
  tooLargeRevision,
  withSpec,
} from "./_helpers.ts";

/** A predicate on a label value. */
function labelIs(label: string, value: string): Predicate {
  return { matches: (obj) => obj.metadata.labels?.[label] === value };
}

/** Every predicate-matching item under `key`, following continue tokens. */
async function listAllPages(
  store: Store,
  key: string,
  opts: ListOptions,
): Promise<{ pages: KubeObject[][]; rvs: string[] }> {
  const pages: KubeObject[][] = [];
  const rvs: string[] = [];
  let cont: string | undefined;
  for (let i = 0; i < 100; i++) {
    const res = await store.list(key, { ...opts, continue: cont });
    pages.push(res.items);
    rvs.push(res.resourceVersion);
    if (!res.continue) return { pages, rvs };
    cont = res.continue;
  }
  assert.fail("paging did not finish within 100 pages");
}

/** Cases about listing. */
export const listCases = casesOf("list", [
  {
    name: "list of a prefix returns every object below it in key order",
    upstream: "RunTestList / RunTestListWithoutPaging",
    async run({ store, key, prefix }) {
      const created: KubeObject[] = [];
      for (const n of ["c", "a", "b", "a-1", "b0"]) {
        created.push(await store.create(key(n), newObject(n)));
      }
      const res = await store.list(prefix(), { recursive: true });
      assert.deepEqual(names(res.items), ["a", "a-1", "b", "b0", "c"]);
      for (const item of res.items) {
        const want = created.find((c) =>
          c.metadata.name === item.metadata.name
        );
        assert.deepEqual(item, want, "items carry their own resourceVersion");
      }
      assert.equal(res.continue, undefined);
      const newest = Math.max(...created.map(rvOf));
      assert.ok(listRV(res.resourceVersion) >= newest);
    },
  },
  {
    name:
      "list of an empty prefix returns no items and a current resourceVersion",
    upstream: "RunTestList (empty list)",
    async run({ store, prefix }) {
      const before = await store.currentRevision();
      const res = await store.list(prefix(), { recursive: true });
      assert.deepEqual(res.items, []);
      assert.equal(res.continue, undefined);
      // Even on a brand-new backend: "0" would tell clients "any version",
      // so a watch from it would replay the state (etcd starts at 1).
      assert.ok(listRV(res.resourceVersion) >= before);
    },
  },
  {
    name: "a non-recursive list returns exactly the named object or nothing",
    upstream: "RunTestGetListNonRecursive",
    async run({ store, key }) {
      const foo = await store.create(key("foo"), newObject("foo"));
      await store.create(key("foo2"), newObject("foo2"));
      await store.create(key("fo"), newObject("fo"));
      const one = await store.list(key("foo"), { recursive: false });
      assert.deepEqual(one.items, [foo]);
      assert.ok(listRV(one.resourceVersion) >= rvOf(foo));
      const none = await store.list(key("missing"), { recursive: false });
      assert.deepEqual(none.items, []);
      listRV(none.resourceVersion);
    },
  },
  {
    name:
      "a non-recursive Exact list at an older revision returns the object as it was",
    upstream: "RunTestGetListNonRecursive (RV=previous, Exact)",
    async run({ store, key }) {
      const v1 = await store.create(key("foo"), newObject("foo"));
      await store.guaranteedUpdate(key("foo"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const res = await store.list(key("foo"), {
        recursive: false,
        resourceVersion: v1.metadata.resourceVersion,
        resourceVersionMatch: "Exact",
      });
      assert.deepEqual(res.items, [v1]);
      assert.equal(res.resourceVersion, v1.metadata.resourceVersion);
    },
  },
  {
    name: "list with a predicate returns only matching objects",
    upstream: "RunTestList (filter)",
    async run({ store, key, prefix }) {
      for (const [n, tier] of [["a", "x"], ["b", "y"], ["c", "x"]]) {
        await store.create(key(n), newObject(n, { labels: { tier } }));
      }
      const res = await store.list(prefix(), {
        recursive: true,
        predicate: labelIs("tier", "x"),
      });
      assert.deepEqual(names(res.items), ["a", "c"]);
    },
  },
  {
    name: "list with a limit pages through every object with continue tokens",
    upstream: "RunTestListContinuation / RunTestList (paging)",
    async run({ store, key, prefix }) {
      for (const n of ["a", "b", "c", "d", "e"]) {
        await store.create(key(n), newObject(n));
      }
      const first = await store.list(prefix(), {
        recursive: true,
        limit: 2,
        predicate: { matches: () => true, everything: true },
      });
      assert.deepEqual(names(first.items), ["a", "b"]);
      assert.ok(
        first.continue,
        "a first page of 2 out of 5 needs a continue token",
      );
      if (first.remainingItemCount !== undefined) {
        assert.equal(first.remainingItemCount, 3);
      }
      const { pages, rvs } = await listAllPages(store, prefix(), {
        recursive: true,
        limit: 2,
      });
      assert.deepEqual(pages.map(names), [["a", "b"], ["c", "d"], ["e"]]);
      assert.equal(new Set(rvs).size, 1, "every page is read at one revision");
    },
  },
  {
    name: "continued pages are read at the first page's revision",
    upstream: "RunTestListContinuation",
    async run({ store, key, prefix }) {
      for (const n of ["a", "b", "c"]) {
        await store.create(key(n), newObject(n, { spec: { v: 1 } }));
      }
      const first = await store.list(prefix(), { recursive: true, limit: 1 });
      assert.deepEqual(names(first.items), ["a"]);
      assert.ok(first.continue);
      await store.guaranteedUpdate(key("b"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      await store.create(key("bb"), newObject("bb"));
      await store.delete(key("c"));
      const rest = await store.list(prefix(), {
        recursive: true,
        continue: first.continue,
      });
      assert.deepEqual(names(rest.items), ["b", "c"]);
      assert.deepEqual(rest.items[0].spec, { v: 1 });
      assert.equal(rest.resourceVersion, first.resourceVersion);
      assert.equal(rest.continue, undefined);
      const fresh = await store.list(prefix(), { recursive: true });
      assert.deepEqual(names(fresh.items), ["a", "b", "bb"]);
    },
  },
  {
    name:
      "list with a limit and a predicate fills each page with matching objects",
    upstream: "RunTestListContinuationWithFilter",
    async run({ store, key, prefix }) {
      const plan: Array<[string, string]> = [
        ["a", "yes"],
        ["b", "no"],
        ["c", "no"],
        ["d", "yes"],
        ["e", "no"],
        ["f", "yes"],
      ];
      for (const [n, m] of plan) {
        await store.create(key(n), newObject(n, { labels: { m } }));
      }
      const opts: ListOptions = {
        recursive: true,
        limit: 2,
        predicate: labelIs("m", "yes"),
      };
      const first = await store.list(prefix(), opts);
      assert.deepEqual(names(first.items), ["a", "d"]);
      assert.ok(first.continue);
      const { pages } = await listAllPages(store, prefix(), opts);
      assert.deepEqual(pages.flat().map((o) => o.metadata.name), [
        "a",
        "d",
        "f",
      ]);
      for (const page of pages) assert.ok(page.length <= 2);
    },
  },
  {
    name:
      "list with a limit larger than the result returns everything without a continue token",
    upstream: "RunTestList (limit > count)",
    async run({ store, key, prefix }) {
      for (const n of ["a", "b"]) await store.create(key(n), newObject(n));
      const res = await store.list(prefix(), { recursive: true, limit: 10 });
      assert.deepEqual(names(res.items), ["a", "b"]);
      assert.equal(res.continue, undefined);
    },
  },
  {
    name: "list with resourceVersion 0 returns the objects",
    upstream: "RunTestList (RV=0)",
    async run({ store, key, prefix }) {
      const a = await store.create(key("a"), newObject("a"));
      const res = await store.list(prefix(), {
        recursive: true,
        resourceVersion: "0",
      });
      assert.deepEqual(res.items, [a]);
      listRV(res.resourceVersion);
    },
  },
  {
    name: "list NotOlderThan a revision returns data at least that new",
    upstream: "RunTestList (RV=N, NotOlderThan)",
    async run({ store, key, prefix }) {
      const a = await store.create(key("a"), newObject("a"));
      const b = await store.create(key("b"), newObject("b"));
      for (const match of ["", "NotOlderThan"] as const) {
        const res = await store.list(prefix(), {
          recursive: true,
          resourceVersion: b.metadata.resourceVersion,
          resourceVersionMatch: match,
        });
        assert.deepEqual(res.items, [a, b], `match ${JSON.stringify(match)}`);
        assert.ok(listRV(res.resourceVersion) >= rvOf(b));
      }
      const older = await store.list(prefix(), {
        recursive: true,
        resourceVersion: a.metadata.resourceVersion,
        resourceVersionMatch: "NotOlderThan",
      });
      assert.ok(listRV(older.resourceVersion) >= rvOf(a));
      assert.ok(older.items.some((o) => o.metadata.name === "a"));
    },
  },
  {
    name: "an Exact list returns the state at that revision",
    upstream: "RunTestList (RV=N, Exact)",
    async run({ store, key, prefix }) {
      const a = await store.create(
        key("a"),
        newObject("a", { spec: { v: 1 } }),
      );
      await store.create(key("b"), newObject("b"));
      await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const res = await store.list(prefix(), {
        recursive: true,
        resourceVersion: a.metadata.resourceVersion,
        resourceVersionMatch: "Exact",
      });
      assert.deepEqual(res.items, [a]);
      assert.equal(res.resourceVersion, a.metadata.resourceVersion);
    },
  },
  {
    name:
      "a list with a limit and a resourceVersion reads exactly at that revision",
    upstream: "RunTestList (RV=N, limit, legacy match)",
    async run({ store, key, prefix }) {
      const a = await store.create(key("a"), newObject("a"));
      await store.create(key("b"), newObject("b"));
      const res = await store.list(prefix(), {
        recursive: true,
        resourceVersion: a.metadata.resourceVersion,
        limit: 10,
      });
      assert.deepEqual(res.items, [a]);
      assert.equal(res.resourceVersion, a.metadata.resourceVersion);
    },
  },
  {
    name:
      "list at a resourceVersion newer than the store's fails with TooLargeResourceVersion",
    upstream: "RunTestList (too high resource version)",
    async run({ store, key, prefix }) {
      await store.create(key("a"), newObject("a"));
      const rv = String(tooLargeRevision(await store.currentRevision()));
      for (
        const opts of [
          { resourceVersion: rv },
          { resourceVersion: rv, resourceVersionMatch: "NotOlderThan" },
          { resourceVersion: rv, resourceVersionMatch: "Exact" },
          { resourceVersion: rv, limit: 1 },
        ] as const
      ) {
        await expectStorageError(
          store.list(prefix(), { recursive: true, ...opts }),
          "TooLargeResourceVersion",
          `list ${JSON.stringify(opts)}`,
        );
      }
    },
  },
  {
    name: "a consistent list reflects every write acknowledged before it",
    upstream: "RunTestConsistentList",
    async run({ store, key, prefix }) {
      const a = await store.create(key("a"), newObject("a"));
      const first = await store.list(prefix(), { recursive: true });
      assert.deepEqual(first.items, [a]);
      assert.ok(listRV(first.resourceVersion) >= rvOf(a));
      const b = await store.guaranteedUpdate(key("a"), {
        tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
      });
      const second = await store.list(prefix(), { recursive: true });
      assert.deepEqual(second.items, [b]);
      assert.ok(listRV(second.resourceVersion) >= rvOf(b));
      assert.ok(
        await store.currentRevision() >= listRV(second.resourceVersion),
      );
    },
  },
  {
    name:
      "a malformed resourceVersion, match or continue token on list fails with InvalidArgument",
    upstream: "RunTestList (invalid arguments)",
    async run({ store, key, prefix }) {
      await store.create(key("a"), newObject("a"));
      const bad: ListOptions[] = [
        { recursive: true, resourceVersion: "abc" },
        { recursive: true, resourceVersion: "-5" },
        {
          recursive: true,
          resourceVersion: "1",
          resourceVersionMatch: "Sometimes" as "Exact",
        },
        { recursive: true, continue: "not-a-token!" },
        { recursive: true, continue: btoa('{"v":"other","rv":1,"start":"a"}') },
      ];
      for (const opts of bad) {
        await expectStorageError(
          store.list(prefix(), opts),
          "InvalidArgument",
          `list ${JSON.stringify(opts)}`,
        );
      }
    },
  },
]);
