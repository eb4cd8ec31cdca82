import assert from "node:assert/strict";
import { PeriodicCompactor } from "../../storage/log/periodic_compactor.ts";
import { silentLogger } from "../../log/mod.ts";
import {
  CM_PREFIX,
  cmKey,
  openLog,
  tempDir,
} from "../../tests/support/sqlite_log_fixtures.ts";

const KEYS = 100;
const UPDATES = 50_000;
/** Updates between compaction ticks (each tick keeps one tick of history). */
const TICK_EVERY = 500;
/** Pages of schema, freelist slack and WAL header SQLite needs at any size. */
const FIXED_OVERHEAD = 512 * 1024;

/** The WAL may hold `wal_autocheckpoint` pages (and is trimmed to 16 MiB). */
const WAL_BOUND = 16 * 1024 * 1024;

async function size(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
}

Deno.test("the database file stays bounded under churn with compaction", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  const compactor = new PeriodicCompactor({
    intervalMs: 0,
    target: {
      currentRevision: () => log.currentRevision(),
      compactedRevision: () => log.compactedRevision(),
      compact: (rev) => log.compact(rev),
      afterCompaction: () => log.checkpoint(),
    },
    logger: silentLogger,
  });
  try {
    const filler = "x".repeat(400);
    const revs = new Array<number>(KEYS);
    for (let k = 0; k < KEYS; k++) {
      revs[k] = await log.create(cmKey(`k${k}`), JSON.stringify({ k, filler }));
    }
    let peak = 0;
    let walPeak = 0;
    const db = `${dir.path}/state.db`;
    for (let i = 0; i < UPDATES; i++) {
      const k = i % KEYS;
      const value = JSON.stringify({ k, i, filler });
      revs[k] = await log.update(cmKey(`k${k}`), value, revs[k]);
      if ((i + 1) % TICK_EVERY === 0) {
        walPeak = Math.max(walPeak, await size(`${db}-wal`));
        await compactor.tick();
        peak = Math.max(peak, await size(db));
      }
    }
    await compactor.tick();
    log.checkpoint();
    const live = await log.count(CM_PREFIX);
    assert.equal(live.count, KEYS);
    const liveBytes = live.bytes + KEYS * cmKey("k00").length;
    const bound = 20 * liveBytes + FIXED_OVERHEAD;
    const final = await size(db) + await size(`${db}-wal`);
    const written = UPDATES * (filler.length + 30);
    console.log(
      `churn: live=${liveBytes}B final=${final}B dbPeak=${peak}B ` +
        `walPeak=${walPeak}B bound=${bound}B written=${written}B`,
    );
    assert.ok(walPeak <= WAL_BOUND, `WAL peak ${walPeak} B`);
    assert.ok(peak <= bound, `peak ${peak} B exceeds bound ${bound} B`);
    assert.ok(final <= bound, `final ${final} B exceeds bound ${bound} B`);
    // Once history is compacted away, freed pages go back to the file
    // system: the file shrinks to about the live data.
    const shrunk = 4 * liveBytes + 64 * 1024;
    assert.ok(final <= shrunk, `final ${final} B exceeds ${shrunk} B`);
    assert.equal(log.integrityCheck(), "ok");
    for (let k = 0; k < KEYS; k++) {
      assert.equal((await log.get(cmKey(`k${k}`)))?.modRevision, revs[k]);
    }
  } finally {
    await compactor.stop();
    await log.close();
  }
});
