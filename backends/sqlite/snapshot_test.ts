import assert from "node:assert/strict";
import { join } from "node:path";
import { silentLogger } from "../../log/mod.ts";
import {
  CM_PREFIX,
  cmKey,
  openLog,
  tempDir,
} from "../../tests/support/sqlite_log_fixtures.ts";
import {
  readSnapshotHeader,
  restoreSnapshot,
  SNAPSHOT_MAGIC,
  SnapshotError,
  verifySnapshot,
  writeSnapshot,
} from "./snapshot.ts";
import {
  controlSocketPath,
  requestSnapshot,
  serveControlSocket,
} from "./snapshot_socket.ts";
import { startSnapshotSchedule } from "./snapshot_schedule.ts";

async function fill(dir: string) {
  const log = openLog(dir);
  for (let i = 0; i < 20; i++) await log.create(cmKey(`c${i}`), `{"i":${i}}`);
  await log.update(cmKey("c1"), `{"i":"one"}`, 3);
  await log.delete(cmKey("c2"), 4);
  return log;
}

Deno.test("a snapshot restores to a database with every record, revision and the history order", async () => {
  await using dir = await tempDir();
  const log = await fill(dir.path);
  const file = join(dir.path, "a.snap");
  const header = await writeSnapshot(log, file);
  assert.equal(header.revision, await log.currentRevision());
  assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
  const before = await log.list(CM_PREFIX);
  const changes = await log.changes(CM_PREFIX, 0);
  await log.create(cmKey("after"), "{}"); // not in the snapshot
  await log.close();
  assert.deepEqual(await verifySnapshot(file), header);
  const restored = join(dir.path, "fresh", "state.db");
  await restoreSnapshot(file, restored);
  const again = openLog(join(dir.path, "fresh"));
  try {
    assert.equal(await again.currentRevision(), header.revision);
    assert.deepEqual(await again.list(CM_PREFIX), before);
    assert.deepEqual(await again.changes(CM_PREFIX, 0), changes);
    const rev = await again.create(cmKey("new"), "{}");
    assert.equal(rev, header.revision + 1);
    assert.equal(again.integrityCheck(), "ok");
  } finally {
    await again.close();
  }
});

Deno.test("a corrupt, truncated or foreign snapshot is refused and the target is untouched", async () => {
  await using dir = await tempDir();
  const log = await fill(dir.path);
  const file = join(dir.path, "a.snap");
  await writeSnapshot(log, file);
  await log.close();
  const bytes = await Deno.readFile(file);
  const { offset } = await readSnapshotHeader(file);
  const flipped = bytes.slice();
  flipped[offset + 5000 < bytes.length ? offset + 5000 : bytes.length - 1] ^=
    0xff;
  const cases: [string, Uint8Array, RegExp][] = [
    ["flipped", flipped, /is corrupt: checksum mismatch/],
    [
      "truncated",
      bytes.slice(0, bytes.length - 100),
      /is corrupt: the header promises/,
    ],
    [
      "foreign",
      new TextEncoder().encode("SQLite format 3\0..."),
      /is not a hyperplane snapshot/,
    ],
    [
      "bad header",
      new TextEncoder().encode(SNAPSHOT_MAGIC + "{nope\n"),
      /header is not valid JSON/,
    ],
  ];
  for (const [name, content, why] of cases) {
    const bad = join(dir.path, `${name}.snap`);
    await Deno.writeFile(bad, content);
    const target = join(dir.path, `target-${name.replace(" ", "-")}`);
    await assert.rejects(
      restoreSnapshot(bad, join(target, "state.db")),
      (err: Error) => err instanceof SnapshotError && why.test(err.message),
    );
    await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
  }
  await assert.rejects(
    verifySnapshot(join(dir.path, "flipped.snap")),
    /checksum mismatch/,
  );
  // Never over an existing database.
  await assert.rejects(
    restoreSnapshot(file, join(dir.path, "state.db")),
    /exists: a snapshot is restored into a fresh data dir/,
  );
});

Deno.test("writeSnapshot does not replace an existing file", async () => {
  await using dir = await tempDir();
  const log = await fill(dir.path);
  const file = join(dir.path, "a.snap");
  await Deno.writeTextFile(file, "mine");
  await assert.rejects(writeSnapshot(log, file), /exists/);
  assert.equal(await Deno.readTextFile(file), "mine");
  await log.close();
});

Deno.test("the control socket is private and writes snapshots for a client", async () => {
  await using dir = await tempDir();
  const log = await fill(dir.path);
  const socket = await serveControlSocket({
    path: controlSocketPath(dir.path),
    snapshot: (f) => writeSnapshot(log, f),
    logger: silentLogger,
  });
  try {
    const st = await Deno.stat(controlSocketPath(dir.path));
    assert.equal(st.mode! & 0o777, 0o600);
    const file = join(dir.path, "via-socket.snap");
    const header = await requestSnapshot(controlSocketPath(dir.path), file);
    assert.equal(header.revision, await log.currentRevision());
    assert.deepEqual(await verifySnapshot(file), header);
    await assert.rejects(
      requestSnapshot(controlSocketPath(dir.path), file),
      /exists/,
    );
  } finally {
    await socket!.close();
    await log.close();
  }
  await assert.rejects(
    requestSnapshot(controlSocketPath(dir.path), join(dir.path, "x")),
    /no hyperplane server answers/,
  );
});

Deno.test("scheduled snapshots keep the newest N", async () => {
  await using dir = await tempDir();
  const log = await fill(dir.path);
  let t = Date.UTC(2026, 0, 1);
  const schedule = startSnapshotSchedule({
    dir: join(dir.path, "snapshots"),
    intervalMs: 3_600_000,
    retention: 2,
    snapshot: (f) => writeSnapshot(log, f),
    logger: silentLogger,
    now: () => new Date(t += 1000),
  });
  try {
    const files = [];
    for (let i = 0; i < 4; i++) files.push(await schedule.tick());
    const left = [...Deno.readDirSync(join(dir.path, "snapshots"))].map((e) =>
      e.name
    ).sort();
    assert.deepEqual(left, files.slice(2).map((f) => f!.split("/").at(-1)));
    assert.deepEqual(left, [
      "snapshot-20260101T000003000Z.snap",
      "snapshot-20260101T000004000Z.snap",
    ]);
  } finally {
    await schedule.stop();
    await log.close();
  }
});
