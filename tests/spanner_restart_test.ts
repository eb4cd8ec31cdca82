/**
 * Restarting on an existing Spanner database: the schema step is idempotent
 * and every object and the revision order survive.
 */
import assert from "node:assert/strict";
import { spannerTestConfig, startSpannerEmulator } from "./support/spanner.ts";
import { openSpannerLog } from "../backends/spanner/mod.ts";
import { allUnavailable } from "./support/unavailable.ts";

const K = "/registry/configmaps/clusters/root/default/";

Deno.test("a restart on an existing spanner database keeps objects and revision order", async () => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const config = spannerTestConfig(emu, "restart-db");
  try {
    const first = await openSpannerLog(config, { retentionMs: 0 });
    const revs: number[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        revs.push(await first.create(`${K}o-${i}`, `{"i":${i}}`));
      }
      revs.push(await first.update(`${K}o-0`, '{"i":"updated"}', revs[0]));
    } finally {
      await first.close();
    }
    const before = revs.at(-1)!;

    // Open twice more: the second and third starts find everything in place.
    for (let round = 0; round < 2; round++) {
      const log = await openSpannerLog(config, { retentionMs: 0 });
      try {
        assert.equal(await log.currentRevision() >= before, true);
        const page = await log.list(K + "o-");
        assert.deepEqual(
          page.records.map((r) => r.key),
          [0, 1, 2, 3, 4].map((i) => `${K}o-${i}`),
        );
        assert.equal(page.records[0].value, '{"i":"updated"}');
        assert.equal(page.records[0].modRevision, before);
        assert.equal(page.records[0].createRevision, revs[0]);
        const history = await log.changes(K + "o-", 0);
        assert.deepEqual(history.map((e) => e.revision), revs);
        const next = await log.create(`${K}after-${round}`, "{}");
        assert.ok(next > before, "revisions keep growing after a restart");
      } finally {
        await log.close();
      }
    }
  } finally {
    await emu.stop();
  }
});

Deno.test("a spanner emulator that stops answering gives Unavailable within the deadline, and the log works on when it answers again", async () => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const config = spannerTestConfig(emu, "frozen-db");
  try {
    const log = await openSpannerLog(config, {
      retentionMs: 0,
      requestTimeoutMs: 1_000,
    });
    try {
      const first = await log.create(`${K}before`, "{}");
      emu.pause();
      try {
        const { ms } = await allUnavailable(
          [
            log.create(`${K}during`, "{}"),
            log.get(`${K}before`),
            log.ready(),
          ],
          /^spanner: emulator 127\.0\.0\.1:\d+ \(projects\/[^)]*\) did not answer within 1s/,
        );
        // The client's own deadlines are 30 s for a read and longer for a
        // commit; the log's bound is what ended these.
        assert.ok(ms < 10_000, `${ms} ms`);
      } finally {
        emu.resume();
      }
      let after = 0;
      for (let i = 0; i < 100 && !after; i++) {
        after = await log.create(`${K}after-${i}`, "{}").catch(() => 0);
        if (!after) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(after > first, `${after} > ${first}`);
    } finally {
      await log.close();
    }
  } finally {
    await emu.stop();
  }
});
