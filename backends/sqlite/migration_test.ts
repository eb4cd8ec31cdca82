import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { CM_PREFIX, cmKey, openLog, tempDir } from "./_test_util.ts";

/** The schema of files written before `kv` carried the live value. */
const OLD_SCHEMA = `
CREATE TABLE log (rev INTEGER PRIMARY KEY, key TEXT NOT NULL,
  create_rev INTEGER NOT NULL, prev_rev INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0, value TEXT);
CREATE INDEX log_key_rev ON log (key, rev);
CREATE TABLE kv (key TEXT PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (name, value) VALUES ('revision', 1), ('compacted', 0);
`;

Deno.test("a database file from the schema without values in kv is migrated on open", async () => {
  await using dir = await tempDir();
  const old = new DatabaseSync(`${dir.path}/state.db`);
  old.exec(OLD_SCHEMA);
  const insert = old.prepare(
    `INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  // a: created at 2, updated at 3; b: created at 4, deleted at 5; c: created at 6.
  insert.run(2, cmKey("a"), 2, null, 0, '{"v":"a1"}');
  insert.run(3, cmKey("a"), 2, 2, 0, '{"v":"a2"}');
  insert.run(4, cmKey("b"), 4, null, 0, '{"v":"b1"}');
  insert.run(5, cmKey("b"), 4, 4, 1, null);
  insert.run(6, cmKey("c"), 6, null, 0, '{"v":"c1"}');
  old.exec(`INSERT INTO kv (key, rev) VALUES ('${cmKey("a")}', 3),
    ('${cmKey("c")}', 6)`);
  old.close();

  const log = openLog(dir.path);
  try {
    assert.equal(await log.currentRevision(), 6);
    assert.deepEqual(await log.get(cmKey("a")), {
      key: cmKey("a"),
      value: '{"v":"a2"}',
      createRevision: 2,
      modRevision: 3,
    });
    assert.equal(await log.get(cmKey("b")), undefined);
    const listed = await log.list(CM_PREFIX);
    assert.deepEqual(
      listed.records.map((r) => [r.key, r.value, r.createRevision]),
      [[cmKey("a"), '{"v":"a2"}', 2], [cmKey("c"), '{"v":"c1"}', 6]],
    );
    assert.deepEqual(await log.count(CM_PREFIX), { count: 2, bytes: 20 });
    const r7 = await log.update(cmKey("c"), '{"v":"c2"}', 6);
    assert.equal((await log.get(cmKey("c")))?.value, '{"v":"c2"}');
    assert.equal((await log.get(cmKey("c")))?.createRevision, 6);
    const changes = await log.changes(CM_PREFIX, 6);
    assert.deepEqual(changes.map((e) => [e.type, e.revision, e.prevValue]), [
      ["update", r7, '{"v":"c1"}'],
    ]);
    assert.equal(log.integrityCheck(), "ok");
  } finally {
    await log.close();
  }
  // Opening again finds the new schema and changes nothing.
  const again = openLog(dir.path);
  try {
    assert.equal((await again.get(cmKey("a")))?.value, '{"v":"a2"}');
    assert.equal(await again.currentRevision(), 7);
  } finally {
    await again.close();
  }
});
