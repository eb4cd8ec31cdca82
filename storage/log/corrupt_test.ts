import assert from "node:assert/strict";
import {
  CorruptObjectsError,
  isStorageError,
  MAX_CORRUPT_KEYS,
} from "../errors.ts";
import type { KubeObject } from "../object.ts";
import {
  describe,
  obj,
  openEnv,
  take,
} from "../../tests/support/log_store_env.ts";

/** Matches objects labelled `x`. */
const LABELLED = { matches: (o: KubeObject) => !!o.metadata.labels?.x };

/** Asserts `p` rejects with a `CorruptObject` error naming `key`. */
async function rejectsCorrupt(p: Promise<unknown>, key: string) {
  await assert.rejects(p, (err) => {
    assert.ok(isStorageError(err, "CorruptObject"), String(err));
    assert.equal(err.key, key);
    assert.ok(err.message.includes(`Key: ${key},`), err.message);
    return true;
  });
}

Deno.test("get, update and delete of a corrupt value name its key; the other objects are untouched", async () => {
  const env = openEnv();
  try {
    const good = await env.store.create(env.key("good"), obj("good"));
    await env.log.create(env.key("bad"), '{"kind":"Thing",garbage');
    await rejectsCorrupt(env.store.get(env.key("bad")), env.key("bad"));
    await rejectsCorrupt(
      env.store.get(env.key("bad"), { resourceVersion: "1" }),
      env.key("bad"),
    );
    await rejectsCorrupt(
      env.store.guaranteedUpdate(env.key("bad"), { tryUpdate: (o) => o! }),
      env.key("bad"),
    );
    await rejectsCorrupt(env.store.delete(env.key("bad")), env.key("bad"));
    assert.deepEqual(await env.store.get(env.key("good")), good);
    assert.equal((await env.log.get(env.key("bad")))?.value.length, 23);
  } finally {
    await env.close();
  }
});

Deno.test("a list fails naming every corrupt key, also past a page's limit and a filter", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a"));
    await env.log.create(env.key("b"), "null");
    await env.store.create(env.key("c"), obj("c"));
    await env.log.create(env.key("d"), '{"metadata":{"name":"d"}');
    await env.store.create(env.key("e"), obj("e"));
    const corrupt = [env.key("b"), env.key("d")];
    const cases = [
      { recursive: true },
      { recursive: true, limit: 10 },
      { recursive: true, limit: 2 }, // the page fills with a, c: b is met
      { recursive: true, predicate: LABELLED },
    ];
    for (const opts of cases) {
      await assert.rejects(env.store.list(env.nsPrefix(), opts), (err) => {
        assert.ok(err instanceof CorruptObjectsError, String(err));
        assert.ok(isStorageError(err, "CorruptObject"));
        const named = err.errors.map((e) => e.key);
        if (opts.limit === 2) assert.deepEqual(named, [env.key("b")]);
        else assert.deepEqual(named, corrupt, JSON.stringify(opts));
        assert.equal(err.truncated, false);
        assert.match(
          err.message,
          /^unable to transform or decode \d objects: \{\n\t/,
        );
        return true;
      });
    }
    // One key, not recursive.
    await assert.rejects(
      env.store.list(env.key("b"), { recursive: false }),
      (err) => err instanceof CorruptObjectsError && err.errors.length === 1,
    );
    // Outside the corrupt range a page still works.
    const page = await env.store.list(env.nsPrefix(), {
      recursive: true,
      limit: 1,
    });
    assert.deepEqual(page.items.map((o) => o.metadata.name), ["a"]);
  } finally {
    await env.close();
  }
});

Deno.test("a list names at most MAX_CORRUPT_KEYS corrupt keys and says it stopped", async () => {
  const env = openEnv();
  try {
    for (let i = 0; i < MAX_CORRUPT_KEYS + 5; i++) {
      await env.log.create(env.key(`k${String(i).padStart(3, "0")}`), "{");
    }
    await assert.rejects(
      env.store.list(env.nsPrefix(), { recursive: true }),
      (err) => {
        assert.ok(err instanceof CorruptObjectsError);
        assert.equal(err.errors.length, MAX_CORRUPT_KEYS);
        assert.equal(err.truncated, true);
        assert.equal(err.errors[0].key, env.key("k000"));
        return true;
      },
    );
  } finally {
    await env.close();
  }
});

Deno.test("the unsafe delete removes only a corrupt value, and watchers learn of it", async () => {
  const env = openEnv();
  try {
    const good = await env.store.create(env.key("good"), obj("good"));
    const badRev = await env.log.create(env.key("bad"), "[1]");
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: String(badRev),
    });
    const labelled = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: String(badRev),
      predicate: LABELLED,
    });
    await assert.rejects(
      env.store.delete(env.key("good"), { expectCorrupt: true }),
      (err) =>
        isStorageError(err, "InvalidObject") &&
        /decodable/.test((err as Error).message),
    );
    await assert.rejects(
      env.store.delete(env.key("none"), { expectCorrupt: true }),
      (err) => isStorageError(err, "NotFound"),
    );
    const gone = await env.store.delete(env.key("bad"), {
      expectCorrupt: true,
      // Ignored: nothing can be checked on a value that does not decode.
      preconditions: { uid: "other" },
      validateDeletion: () => {
        throw new Error("never called");
      },
    });
    assert.deepEqual(gone.metadata, {
      name: "bad",
      namespace: "ns",
      resourceVersion: String(badRev + 1),
    });
    assert.equal(await env.log.get(env.key("bad")), undefined);
    assert.deepEqual(await env.store.get(env.key("good")), good);
    const list = await env.store.list(env.nsPrefix(), { recursive: true });
    assert.deepEqual(list.items.map((o) => o.metadata.name), ["good"]);
    const it = w[Symbol.asyncIterator]();
    assert.deepEqual((await take(it, 1)).map(describe), [
      `DELETED:bad@${badRev + 1}`,
    ]);
    const lit = labelled[Symbol.asyncIterator]();
    assert.deepEqual((await take(lit, 1)).map(describe), [
      `DELETED:bad@${badRev + 1}`,
    ]);
    w.stop();
    labelled.stop();
  } finally {
    await env.close();
  }
});

Deno.test("a watch from the start fails on a corrupt value instead of skipping it", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a"));
    await env.log.create(env.key("b"), "{oops");
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: "0",
      predicate: LABELLED,
    });
    const events = await take(w[Symbol.asyncIterator](), 2);
    const last = events[events.length - 1];
    assert.equal(last.type, "ERROR", events.map(describe).join());
    if (last.type === "ERROR") {
      assert.equal(last.error.code, "CorruptObject");
      assert.match(last.error.message, /Key: \/registry\/.*\/ns\/b,/);
    }
    w.stop();
  } finally {
    await env.close();
  }
});
