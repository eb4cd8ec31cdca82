import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/memory_log.ts";
import { createLogger } from "../../log/mod.ts";
import { isStorageError } from "../errors.ts";
import { objectKey } from "../keys.ts";
import { LogStoreFactory } from "../log/mod.ts";
import { CorruptObjectsError } from "../errors.ts";
import { type CachedStore, cachedStoreFactory } from "./mod.ts";

const RES = { resource: "configmaps" };
const PREFIX = "/registry/configmaps/clusters/root/";
const key = (name: string) =>
  objectKey({ ...RES, cluster: "root", namespace: "default", name });
const cm = (name: string) => ({
  metadata: { name, namespace: "default", uid: crypto.randomUUID() },
  data: { name },
});

/** Polls `cond` every 20 ms for up to 10 s. */
async function eventually(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

Deno.test("a corrupt object leaves the others readable through the cache, and the cache recovers after its unsafe delete", async () => {
  const log = new MemoryLog();
  const lines: string[] = [];
  const logger = createLogger({ level: "warn", write: (l) => lines.push(l) });
  const factory = cachedStoreFactory(new LogStoreFactory(log), {
    eager: true,
    logger,
  });
  try {
    const store = factory.storeFor(RES) as CachedStore;
    const good = await store.create(key("good"), cm("good"));
    // Corrupt values written below the store, as a damaged disk would.
    await log.create(key("bad"), '{"kind":"ConfigMap",garbage');
    await log.create(key("cut"), '{"kind":"ConfigMap","metadata":{"name":"c');

    // The fill fails (the cache stays uninitialised, as upstream's), reads
    // go to the backend without waiting for the cache.
    await eventually(() => lines.length >= 2, "two failed fills");
    assert.equal(store.serving, false);
    await store.readiness(); // a failing fill does not make the server unready
    assert.deepEqual(await store.get(key("good")), good);
    await assert.rejects(store.get(key("bad")), (err) => {
      assert.ok(isStorageError(err, "CorruptObject"));
      assert.match(
        err.message,
        /^StorageError: corrupt object, Code: 7, Key: \/registry\/configmaps\/clusters\/root\/default\/bad, /,
      );
      return true;
    });
    await assert.rejects(
      store.list(PREFIX, { recursive: true }),
      (err) => {
        assert.ok(err instanceof CorruptObjectsError);
        assert.deepEqual(err.errors.map((e) => e.key), [
          key("bad"),
          key("cut"),
        ]);
        return true;
      },
    );

    // Retries back off: no tight loop, one line per failed attempt.
    const before = lines.length;
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(
      lines.length - before <= 5,
      `${lines.length - before} failed fills in 1 s`,
    );
    assert.ok(lines.every((l) => l.includes("watch cache")));

    // Only a corrupt object may go the unsafe way.
    await assert.rejects(
      store.delete(key("good"), { expectCorrupt: true }),
      (err) => isStorageError(err, "InvalidObject"),
    );
    for (const name of ["bad", "cut"]) {
      const gone = await store.delete(key(name), { expectCorrupt: true });
      assert.equal(gone.metadata.name, name);
      assert.equal(gone.metadata.namespace, "default");
    }
    await assert.rejects(
      store.delete(key("bad"), { expectCorrupt: true }),
      (err) => isStorageError(err, "NotFound"),
    );

    // The next fill succeeds without a restart: the cache serves again.
    await eventually(() => store.serving, "the cache to initialise");
    const served = store.served.cache.list;
    const list = await store.list(PREFIX, { recursive: true });
    assert.deepEqual(list.items.map((o) => o.metadata.name), ["good"]);
    assert.equal(store.served.cache.list, served + 1);
    assert.deepEqual(await store.get(key("good")), good);
  } finally {
    await factory.close();
  }
});

Deno.test("after a restart with a corrupt object, the first reads do not wait for a fill that cannot finish", async () => {
  const log = new MemoryLog();
  const backend = new LogStoreFactory(log);
  const good = await backend.storeFor(RES).create(key("good"), cm("good"));
  await log.create(key("bad"), "[]");
  const factory = cachedStoreFactory(backend, { freshnessTimeoutMs: 60_000 });
  try {
    const store = factory.storeFor(RES) as CachedStore;
    assert.deepEqual(await store.get(key("good")), good); // starts the fill
    // The fill fails at once; the list waiting for it is let go then (it
    // would otherwise wait out freshnessTimeoutMs, 60 s here, and time out
    // the test) and reads the backend.
    await assert.rejects(
      store.list(PREFIX, { recursive: true }),
      (err) =>
        err instanceof CorruptObjectsError &&
        /stored value is an array, not an object/.test(err.message),
    );
    assert.equal(store.serving, false);
    assert.equal(store.served.backend.list, 1);
  } finally {
    await factory.close();
  }
});
