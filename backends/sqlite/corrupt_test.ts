import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  CorruptObjectsError,
  isStorageError,
  type KubeObject,
} from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import {
  CM_PREFIX,
  cmKey,
  openLog,
  tempDir,
} from "../../tests/support/sqlite_log_fixtures.ts";

const RES = { resource: "configmaps" };
const cm = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default", uid: crypto.randomUUID() },
  data: { k: name },
});

Deno.test("a value damaged in state.db is a corrupt object after a restart, and only it can be deleted the unsafe way", async () => {
  await using dir = await tempDir();
  let factory = new LogStoreFactory(openLog(dir.path));
  const good = await factory.storeFor(RES).create(cmKey("good"), cm("good"));
  await factory.storeFor(RES).create(cmKey("bad"), cm("bad"));
  await factory.close();

  // As an operator's editor or a damaged disk would.
  const db = new DatabaseSync(`${dir.path}/state.db`);
  db.prepare(
    "UPDATE log SET value = ? WHERE key = ? AND rev = (SELECT rev FROM kv WHERE key = ?)",
  ).run('{"kind":"ConfigMap",garbage', cmKey("bad"), cmKey("bad"));
  db.close();

  factory = new LogStoreFactory(openLog(dir.path));
  try {
    const store = factory.storeFor(RES);
    assert.deepEqual(await store.get(cmKey("good")), good);
    await assert.rejects(store.get(cmKey("bad")), (err) => {
      assert.ok(isStorageError(err, "CorruptObject"));
      assert.match(
        err.message,
        /^StorageError: corrupt object, Code: 7, Key: \/registry\/configmaps\/clusters\/root\/default\/bad, ResourceVersion: 0, AdditionalErrorMsg: object not decodable revision=\d+: /,
      );
      return true;
    });
    await assert.rejects(
      store.list(CM_PREFIX, { recursive: true }),
      (err) =>
        err instanceof CorruptObjectsError &&
        err.errors.length === 1 && err.errors[0].key === cmKey("bad"),
    );
    await assert.rejects(
      store.delete(cmKey("good"), { expectCorrupt: true }),
      (err) => isStorageError(err, "InvalidObject"),
    );
    await store.delete(cmKey("bad"), { expectCorrupt: true });
    const list = await store.list(CM_PREFIX, { recursive: true });
    assert.deepEqual(list.items, [good]);
  } finally {
    await factory.close();
  }
});
