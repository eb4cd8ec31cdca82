import assert from "node:assert/strict";
import type { Logger } from "../../log/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import { mountTmpfs, skipWithoutTmpfs } from "../../tests/support/tmpfs.ts";
import { openSqliteStoreFactory } from "./sqlite_store_factory.ts";
import {
  CM_PREFIX,
  cmKey,
  openLog,
  tempDir,
} from "../../tests/support/sqlite_log_fixtures.ts";

const modeOf = (path: string) => Deno.statSync(path).mode! & 0o777;

Deno.test("a new database, its directory and its WAL are private (0600, 0700)", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/new/state.db`;
  const factory = openSqliteStoreFactory({ path });
  try {
    await factory.log.create(cmKey("a"), "{}");
    assert.equal(modeOf(`${dir.path}/new`), 0o700);
    assert.equal(modeOf(path), 0o600);
    assert.ok(Deno.statSync(`${path}-wal`).size > 0, "the WAL is in use");
    assert.equal(modeOf(`${path}-wal`), 0o600);
  } finally {
    await factory.close();
  }
});

Deno.test("database files an older run left open are tightened on open, once, and a new WAL follows", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.db`;
  const first = openLog(dir.path);
  await first.create(cmKey("a"), "{}");
  await first.close();
  Deno.chmodSync(path, 0o644);
  // An empty WAL (and a stray -shm) is what a crash of an older run leaves.
  Deno.writeTextFileSync(`${path}-wal`, "");
  Deno.writeTextFileSync(`${path}-shm`, "");
  Deno.chmodSync(`${path}-wal`, 0o644);
  Deno.chmodSync(`${path}-shm`, 0o644);
  const lines: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    info: (msg, fields) => lines.push(`${msg} ${JSON.stringify(fields)}`),
    with: () => logger,
  };
  const factory = openSqliteStoreFactory({ path, logger });
  try {
    assert.equal(modeOf(path), 0o600);
    assert.equal(modeOf(`${path}-shm`), 0o600);
    await factory.log.create(cmKey("b"), "{}");
    assert.equal(modeOf(`${path}-wal`), 0o600);
    const tightened = lines.filter((l) => /tightened/.test(l));
    assert.equal(tightened.length, 1, lines.join("\n"));
    assert.match(tightened[0], /state\.db 644/);
    assert.match(tightened[0], /state\.db-wal 644/);
    assert.equal((await factory.log.list(CM_PREFIX)).records.length, 2);
  } finally {
    await factory.close();
  }
  Deno.removeSync(`${path}-shm`);
  // With the WAL gone (checkpointed on close), the next one is 0600 too.
  assert.throws(() => Deno.statSync(`${path}-wal`), Deno.errors.NotFound);
  const again = openLog(dir.path);
  try {
    await again.create(cmKey("c"), "{}");
    assert.equal(modeOf(`${path}-wal`), 0o600);
  } finally {
    await again.close();
  }
});

Deno.test("on a full disk writes fail with a clear error, reads go on, and writes resume once space is freed", async () => {
  const disk = await mountTmpfs(2 * 1024 * 1024);
  if (skipWithoutTmpfs(disk, "sqlite on a full disk")) return;
  await using _ = disk;
  const log = openLog(disk.path);
  try {
    await log.create(cmKey("before"), "{}");
    await disk.fill();
    const big = JSON.stringify({ data: "x".repeat(256 * 1024) });
    await assert.rejects(
      log.create(cmKey("big"), big),
      (err) =>
        isStorageError(err, "Internal") &&
        /disk holding the database is full/.test(err.message),
    );
    assert.equal((await log.get(cmKey("before")))?.value, "{}");
    assert.equal(await log.get(cmKey("big")), undefined);
    await log.ready();
    await disk.free();
    const rev = await log.create(cmKey("big"), big);
    assert.equal((await log.get(cmKey("big")))?.modRevision, rev);
    assert.equal(log.integrityCheck(), "ok");
  } finally {
    await log.close();
  }
});
