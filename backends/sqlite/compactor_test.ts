import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import { PeriodicCompactor } from "../../storage/log/periodic_compactor.ts";
import {
  cmKey,
  openLog,
  tempDir,
} from "../../tests/support/sqlite_log_fixtures.ts";

Deno.test("each compaction tick compacts to the revision of the previous tick", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  const compactor = new PeriodicCompactor({
    intervalMs: 0,
    target: log,
    logger: silentLogger,
  });
  try {
    let rev = await log.create(cmKey("a"), '"0"');
    await compactor.tick();
    const seen = rev;
    for (let i = 1; i < 5; i++) {
      rev = await log.update(cmKey("a"), `"${i}"`, rev);
    }
    assert.equal(await log.compactedRevision(), 0);
    await compactor.tick();
    assert.equal(await log.compactedRevision(), seen);
    await compactor.tick();
    assert.equal(await log.compactedRevision(), rev);
    assert.equal((await log.get(cmKey("a")))?.value, '"4"');
  } finally {
    await compactor.stop();
    await log.close();
  }
});

Deno.test("the compaction timer runs until stopped", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  const compactor = new PeriodicCompactor({
    intervalMs: 1,
    target: log,
    logger: silentLogger,
  });
  try {
    const rev = await log.create(cmKey("a"), "{}");
    while (await log.compactedRevision() < rev) {
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await compactor.stop();
    await log.close();
  }
  await compactor.tick(); // a stopped compactor ignores ticks
});
