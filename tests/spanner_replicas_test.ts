/**
 * Two replicas on one Spanner database (the emulator): every write through
 * either reaches both replicas' subscribers, in one commit order, no gaps.
 */
import assert from "node:assert/strict";
import { startSpannerEmulator } from "./support/spanner.ts";
import type { LogEvent } from "../storage/log/log.ts";
import {
  openSpannerLog,
  type SpannerLog,
} from "../backends/spanner/spanner_log.ts";

const K = "/registry/configmaps/clusters/root/default/";

/** Collects events from `log` until `n` have arrived. */
function collect(log: SpannerLog, n: number): Promise<LogEvent[]> {
  return new Promise((resolve) => {
    const got: LogEvent[] = [];
    const stop = log.subscribe((events) => {
      got.push(...events);
      if (got.length >= n) {
        stop();
        resolve(got);
      }
    });
  });
}

Deno.test("two replicas on one spanner database see each other's writes", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const config = {
    project: "test-project",
    instance: "test-instance",
    database: "replicas-db",
    emulatorHost: emu.host,
  };
  // Both start together: schema creation races must be harmless.
  const [a, b] = await Promise.all([
    openSpannerLog(config, { retentionMs: 0, pollIntervalMs: 100 }),
    openSpannerLog(config, { retentionMs: 0, pollIntervalMs: 100 }),
  ]);
  try {
    await t.step(
      "a write through one reaches the other's subscriber",
      async () => {
        const onB = collect(b, 2);
        const r1 = await a.create(K + "x", '{"v":1}');
        const r2 = await a.update(K + "x", '{"v":2}', r1);
        const got = await onB;
        assert.deepEqual(got.map((e) => [e.type, e.revision, e.value]), [
          ["create", r1, '{"v":1}'],
          ["update", r2, '{"v":2}'],
        ]);
        assert.equal((await b.get(K + "x"))?.modRevision, r2);
      },
    );

    await t.step(
      "a concurrent burst from both replicas is seen identically ordered by both",
      async () => {
        const perReplica = 25;
        const onA = collect(a, 2 * perReplica);
        const onB = collect(b, 2 * perReplica);
        const writes = [];
        for (let i = 0; i < perReplica; i++) {
          writes.push(a.create(`${K}a-${i}`, "{}"));
          writes.push(b.create(`${K}b-${i}`, "{}"));
        }
        const revisions = await Promise.all(writes);
        const [seenA, seenB] = await Promise.all([onA, onB]);
        assert.deepEqual(seenA, seenB);
        const order = seenA.map((e) => e.revision);
        for (let i = 1; i < order.length; i++) {
          assert.ok(order[i] > order[i - 1]);
        }
        assert.deepEqual(order, [...revisions].sort((x, y) => x - y));
        assert.equal(new Set(seenA.map((e) => e.key)).size, 2 * perReplica);
      },
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
    await emu.stop();
  }
});
