import assert from "node:assert/strict";
import { CachedStore } from "./cached_store.ts";
import { holdsKey } from "./key_reads.ts";
import { obj, openEnv } from "../../tests/support/log_store_env.ts";
import { overriding } from "../../tests/support/cacher_fixtures.ts";

Deno.test("holdsKey answers from the cache's keys, without a read", async () => {
  const env = openEnv();
  try {
    const cached = new CachedStore(env.store);
    await env.store.create(env.key("a"), obj("a"));
    await cached.list(env.prefix, { recursive: true }); // fills the cache
    const noReads = overriding(cached, {
      get: () => {
        throw new Error("no get expected");
      },
    });
    assert.equal(await holdsKey(noReads, env.key("a")), true);
    assert.equal(await holdsKey(noReads, env.key("b")), false);
    // Not a prefix match: a longer key with the same start is another key.
    assert.equal(await holdsKey(noReads, env.key("a") + "x"), false);
    await cached.close();
  } finally {
    await env.close();
  }
});

Deno.test("holdsKey reads the key where there are no cached keys, and passes other errors on", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a"));
    assert.equal(await holdsKey(env.store, env.key("a")), true);
    assert.equal(await holdsKey(env.store, env.key("b")), false);
    // A cache that cannot answer yet (currentKeys undefined) reads too.
    const unready = overriding(env.store, { currentKeys: () => undefined });
    assert.equal(await holdsKey(unready, env.key("a")), true);
    const down = overriding(env.store, {
      get: () => Promise.reject(new Error("down")),
    });
    await assert.rejects(holdsKey(down, env.key("a")), /down/);
  } finally {
    await env.close();
  }
});
