import assert from "node:assert/strict";
import { isStorageError, type StorageErrorCode } from "../errors.ts";
import type { KubeObject } from "../object.ts";
import type { ListOptions, Predicate } from "../store.ts";
import { MemoryLog } from "../../backends/memory/memory_log.ts";
import { LogStoreFactory } from "./log_store_factory.ts";
import {
  obj,
  openEnv,
  type TestEnv,
} from "../../tests/support/log_store_env.ts";

async function rejectsWith(
  p: Promise<unknown>,
  code: StorageErrorCode,
): Promise<void> {
  await assert.rejects(p, (err) => {
    assert.ok(isStorageError(err), `expected a StorageError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

const names = (items: KubeObject[]) => items.map((o) => o.metadata.name);

/** Creates `a`..`e` in namespace `ns` (revisions 2..6) and one elsewhere. */
async function seed(env: TestEnv): Promise<void> {
  for (const n of ["a", "b", "c", "d", "e"]) {
    await env.store.create(
      env.key(n),
      obj(n, { labels: { even: String("bd".includes(n)) } }),
    );
  }
  await env.store.create(env.key("z", "other"), obj("z")); // 7
}

const even: Predicate = {
  matches: (o) => o.metadata.labels?.even === "true",
};

Deno.test("a recursive list returns the prefix's objects in key order at the current revision", async () => {
  const env = openEnv();
  try {
    await seed(env);
    const res = await env.store.list(env.nsPrefix(), { recursive: true });
    assert.deepEqual(names(res.items), ["a", "b", "c", "d", "e"]);
    assert.equal(res.resourceVersion, "7");
    assert.equal(res.continue, undefined);
    const noSlash = await env.store.list(env.nsPrefix().slice(0, -1), {
      recursive: true,
    });
    assert.deepEqual(names(noSlash.items), ["a", "b", "c", "d", "e"]);
    const all = await env.store.list(env.prefix, { recursive: true });
    assert.equal(all.items.length, 6);
  } finally {
    await env.close();
  }
});

Deno.test("a non-recursive list returns the one key or nothing", async () => {
  const env = openEnv();
  try {
    await seed(env);
    const one = await env.store.list(env.key("b"), { recursive: false });
    assert.deepEqual(names(one.items), ["b"]);
    assert.equal(one.resourceVersion, "7");
    const none = await env.store.list(env.key("bb"), { recursive: false });
    assert.deepEqual(none.items, []);
    const filtered = await env.store.list(env.key("a"), {
      recursive: false,
      predicate: even,
    });
    assert.deepEqual(filtered.items, []);
  } finally {
    await env.close();
  }
});

Deno.test("list continues after the last key of the previous page at the first page's revision", async () => {
  const env = openEnv();
  try {
    await seed(env);
    const p1 = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 2,
    });
    assert.deepEqual(names(p1.items), ["a", "b"]);
    assert.equal(p1.remainingItemCount, 3);
    assert.ok(p1.continue);
    // Changes after the first page do not show in later pages.
    await env.store.delete(env.key("c"));
    await env.store.create(env.key("bb"), obj("bb"));
    const p2 = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 2,
      continue: p1.continue,
    });
    assert.deepEqual(names(p2.items), ["c", "d"]);
    assert.equal(p2.resourceVersion, "7");
    assert.equal(p2.remainingItemCount, 1);
    const p3 = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 2,
      continue: p2.continue,
    });
    assert.deepEqual(names(p3.items), ["e"]);
    assert.equal(p3.continue, undefined);
    assert.equal(p3.remainingItemCount, undefined);
  } finally {
    await env.close();
  }
});

Deno.test("a predicate filters before the limit and the token points after the last key examined", async () => {
  const env = openEnv();
  try {
    await seed(env);
    const p1 = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 1,
      predicate: even,
    });
    assert.deepEqual(names(p1.items), ["b"]);
    assert.equal(p1.remainingItemCount, undefined, "unknown with a filter");
    const p2 = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 1,
      predicate: even,
      continue: p1.continue,
    });
    assert.deepEqual(names(p2.items), ["d"]);
    const p3 = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 1,
      predicate: even,
      continue: p2.continue,
    });
    assert.deepEqual(p3.items, []);
    assert.equal(p3.continue, undefined);
  } finally {
    await env.close();
  }
});

Deno.test("list resourceVersion semantics follow kube-apiserver", async (t) => {
  const env = openEnv();
  try {
    await seed(env);
    await env.store.delete(env.key("a")); // 8
    const list = (opts: Omit<ListOptions, "recursive">) =>
      env.store.list(env.nsPrefix(), { recursive: true, ...opts });

    await t.step("N without a limit means not older than N", async () => {
      const res = await list({ resourceVersion: "4" });
      assert.equal(res.resourceVersion, "8");
      assert.equal(res.items.length, 4);
    });
    await t.step("N with a limit means exactly N", async () => {
      const res = await list({ resourceVersion: "4", limit: 11 });
      assert.equal(res.resourceVersion, "4");
      assert.deepEqual(names(res.items), ["a", "b", "c"]);
    });
    await t.step("Exact reads at N", async () => {
      const res = await list({
        resourceVersion: "3",
        resourceVersionMatch: "Exact",
      });
      assert.equal(res.resourceVersion, "3");
      assert.deepEqual(names(res.items), ["a", "b"]);
    });
    await t.step("NotOlderThan reads the latest", async () => {
      const res = await list({
        resourceVersion: "3",
        resourceVersionMatch: "NotOlderThan",
        limit: 1,
      });
      assert.equal(res.resourceVersion, "8");
    });
    await t.step("0 reads any (the latest here)", async () => {
      assert.equal(
        (await list({ resourceVersion: "0", limit: 1 })).resourceVersion,
        "8",
      );
    });
    await t.step("a revision beyond the current one is too large", async () => {
      await rejectsWith(
        list({ resourceVersion: "100" }),
        "TooLargeResourceVersion",
      );
      await rejectsWith(
        list({ resourceVersion: "100", resourceVersionMatch: "Exact" }),
        "TooLargeResourceVersion",
      );
      await rejectsWith(
        list({ resourceVersion: "100", resourceVersionMatch: "NotOlderThan" }),
        "TooLargeResourceVersion",
      );
    });
    await t.step("malformed options are invalid arguments", async () => {
      await rejectsWith(list({ resourceVersion: "x" }), "InvalidArgument");
      await rejectsWith(list({ limit: -1 }), "InvalidArgument");
      await rejectsWith(list({ continue: "garbage!" }), "InvalidArgument");
      await rejectsWith(
        list({ resourceVersion: "1", resourceVersionMatch: "Sometime" as "" }),
        "InvalidArgument",
      );
      const p1 = await list({ limit: 1 });
      await rejectsWith(
        list({ limit: 1, continue: p1.continue, resourceVersion: "3" }),
        "InvalidArgument",
      );
    });
    await t.step("Exact below the compacted revision is expired", async () => {
      const p1 = await list({ limit: 1 });
      await env.factory.compact(8);
      await rejectsWith(
        list({ resourceVersion: "4", resourceVersionMatch: "Exact" }),
        "Expired",
      );
      await env.store.create(env.key("f"), obj("f")); // 9
      await env.factory.compact(9);
      await assert.rejects(list({ limit: 1, continue: p1.continue }), (err) => {
        assert.ok(isStorageError(err, "Expired"));
        assert.match(err.message, /continue parameter is too old/);
        return true;
      });
    });
  } finally {
    await env.close();
  }
});

Deno.test("a continue token cannot reach outside the prefix it was issued for", async () => {
  const env = openEnv();
  try {
    await seed(env);
    const p1 = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 1,
    });
    const other = await env.store.list(env.nsPrefix("other"), {
      recursive: true,
      limit: 1,
      continue: p1.continue,
    });
    // The token's start key is relative: it resumes after "a" inside "other/".
    assert.deepEqual(names(other.items), ["z"]);
  } finally {
    await env.close();
  }
});

Deno.test("remainingItemCount is the same for logs that cannot count ranges", async () => {
  const log = new MemoryLog();
  // The same log without the optional countFrom capability.
  const plain = new Proxy(log, {
    get(target, prop) {
      if (prop === "countFrom") return undefined;
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const counting = new LogStoreFactory(log);
  const listing = new LogStoreFactory(plain);
  try {
    const prefix = "/registry/things/clusters/root/ns/";
    const a = counting.storeFor({ resource: "things" });
    const b = listing.storeFor({ resource: "things" });
    for (const n of ["a", "b", "c", "d"]) await a.create(prefix + n, obj(n));
    await a.delete(prefix + "b");
    for (const store of [a, b]) {
      const p1 = await store.list(prefix, { recursive: true, limit: 1 });
      assert.equal(p1.remainingItemCount, 2);
      const p2 = await store.list(prefix, {
        recursive: true,
        limit: 1,
        continue: p1.continue,
      });
      assert.deepEqual(names(p2.items), ["c"]);
      assert.equal(p2.remainingItemCount, 1);
    }
  } finally {
    await counting.close();
  }
});
