import assert from "node:assert/strict";
import { isStorageError } from "../errors.ts";
import type { Store } from "../store.ts";
import { CachedStore } from "./cached_store.ts";
import { createQuietly, quietCreatesOf } from "./quiet_creates.ts";
import { obj, openEnv } from "../../tests/support/log_store_env.ts";

Deno.test("a quiet create stores the bytes a create stores and answers its revision", async () => {
  const env = openEnv();
  try {
    const cached = new CachedStore(env.store);
    assert.ok(quietCreatesOf(env.store), "the log-backed store has them");
    assert.ok(quietCreatesOf(cached), "the watch cache passes them on");
    const body = () => obj("a", { labels: { x: "y" }, spec: { n: [1, "2"] } });
    const loud = await env.store.create(env.key("loud"), {
      ...body(),
      metadata: { ...body().metadata, name: "loud" },
    });
    const rev = await createQuietly(cached, env.key("quiet"), {
      ...body(),
      metadata: { ...body().metadata, name: "quiet" },
    });
    assert.equal(rev, Number(loud.metadata.resourceVersion) + 1);
    const [l, q] = await Promise.all(
      ["loud", "quiet"].map((n) => env.log.get(env.key(n))),
    );
    assert.equal(q!.modRevision, rev);
    assert.equal(q!.value, l!.value.replace('"loud"', '"quiet"'));
    const got = await env.store.get(env.key("quiet"));
    assert.equal(got.metadata.resourceVersion, String(rev));
    await cached.close();
  } finally {
    await env.close();
  }
});

Deno.test("a quiet create fails as a create does", async () => {
  const env = openEnv();
  try {
    await createQuietly(env.store, env.key("a"), obj("a"));
    await assert.rejects(
      createQuietly(env.store, env.key("a"), obj("a")),
      (e) => isStorageError(e, "KeyExists"),
    );
    const stamped = obj("b");
    stamped.metadata.resourceVersion = "5";
    await assert.rejects(
      createQuietly(env.store, env.key("b"), stamped),
      (e) => isStorageError(e, "InvalidObject"),
    );
    await assert.rejects(
      createQuietly(env.store, "/registry/other/clusters/root/ns/b", obj("b")),
      (e) => isStorageError(e),
    );
    await assert.rejects(
      env.store.get(env.key("b")),
      (e) => isStorageError(e, "NotFound"),
    );
  } finally {
    await env.close();
  }
});

Deno.test("a store without quiet creates is written through create", async () => {
  const env = openEnv();
  try {
    let creates = 0;
    // A wrapper that only has the Store methods (as the encryption layer).
    const plain: Store = new Proxy(env.store, {
      get(target, prop) {
        if (prop === "createQuietly") return undefined;
        if (prop === "create") {
          return (...args: Parameters<Store["create"]>) => {
            creates++;
            return target.create(...args);
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    assert.equal(quietCreatesOf(plain), undefined);
    const rev = await createQuietly(plain, env.key("a"), obj("a"));
    assert.equal(creates, 1);
    const cached = new CachedStore(plain);
    const rev2 = await createQuietly(cached, env.key("b"), obj("b"));
    assert.equal(creates, 2);
    assert.equal(rev2, rev + 1);
    const got = await env.store.get(env.key("b"));
    assert.equal(got.metadata.resourceVersion, String(rev2));
    await cached.close();
  } finally {
    await env.close();
  }
});
