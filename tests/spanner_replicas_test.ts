/**
 * Two replicas on one Spanner database (the emulator): every write through
 * either reaches both replicas' subscribers, in one commit order, no gaps.
 */
import assert from "node:assert/strict";
import { spannerTestConfig, startSpannerEmulator } from "./support/spanner.ts";
import type { LogEvent } from "../storage/log/log.ts";
import {
  openSpannerLog,
  spannerBackend,
  type SpannerLog,
} from "../backends/spanner/mod.ts";
import { silentLogger } from "../log/mod.ts";
import {
  objectKey,
  type StoreFactory,
  type WatchEvent,
} from "../storage/mod.ts";

const K = "/registry/configmaps/clusters/root/default/";

/** Collects events after revision `after` from `log` until `n` have arrived. */
function collect(
  log: SpannerLog,
  n: number,
  after = 0,
): Promise<LogEvent[]> {
  return new Promise((resolve) => {
    const got: LogEvent[] = [];
    const stop = log.subscribe((events) => {
      got.push(...events.filter((e) => e.revision > after));
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
  const config = spannerTestConfig(emu, "replicas-db");
  // Four start together on a fresh database: schema creation races (the
  // emulator refuses concurrent schema changes) must be harmless.
  const [a, b, ...more] = await Promise.all(
    Array.from(
      { length: 4 },
      () => openSpannerLog(config, { retentionMs: 0, pollIntervalMs: 100 }),
    ),
  );
  await Promise.all(more.map((l) => l.close()));
  try {
    await t.step(
      "a write through one reaches both replicas' subscribers",
      async () => {
        const onA = collect(a, 2);
        const onB = collect(b, 2);
        const r1 = await a.create(K + "x", '{"v":1}');
        const r2 = await a.update(K + "x", '{"v":2}', r1);
        // Both replicas' subscribers, the writer's too: the next step's
        // collectors must not receive these two late.
        for (const got of await Promise.all([onA, onB])) {
          assert.deepEqual(got.map((e) => [e.type, e.revision, e.value]), [
            ["create", r1, '{"v":1}'],
            ["update", r2, '{"v":2}'],
          ]);
        }
        assert.equal((await b.get(K + "x"))?.modRevision, r2);
      },
    );

    await t.step(
      "a concurrent burst from both replicas is seen identically ordered by both",
      async () => {
        const perReplica = 25;
        const before = await a.currentRevision();
        const onA = collect(a, 2 * perReplica, before);
        const onB = collect(b, 2 * perReplica, before);
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

Deno.test("a write through one server's store reaches the other server's watch", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const open = (): Promise<StoreFactory> =>
    spannerBackend().open({
      "spanner-project": "test-project",
      "spanner-instance": "test-instance",
      "spanner-database": "replicas-store-db",
      "spanner-emulator-host": emu.host,
    }, { dataDir: "/nonexistent", logger: silentLogger });
  const a = await open();
  const b = await open();
  const ref = { resource: "configmaps" };
  const storeA = a.storeFor(ref);
  const storeB = b.storeFor(ref);
  const key = (name: string) =>
    objectKey({ ...ref, cluster: "root", namespace: "default", name });
  const prefix = "/registry/configmaps/clusters/root/";
  try {
    await t.step(
      "create, update and delete arrive in order on the other replica",
      async () => {
        const from = await storeB.currentRevision();
        const watcher = await storeB.watch(prefix, {
          recursive: true,
          resourceVersion: String(from),
        });
        const events: WatchEvent[] = [];
        const done = (async () => {
          for await (const ev of watcher) {
            events.push(ev);
            if (events.length === 3) break;
          }
        })();
        const created = await storeA.create(key("cm"), {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "cm", namespace: "default" },
          data: { v: "1" },
        });
        const updated = await storeA.guaranteedUpdate(key("cm"), {
          tryUpdate: (cur) => ({ ...cur!, data: { v: "2" } }),
        });
        const deleted = await storeA.delete(key("cm"));
        await done;
        watcher.stop();
        assert.deepEqual(
          events.map((e) =>
            "object" in e
              ? [e.type, e.object.metadata.resourceVersion]
              : [e.type]
          ),
          [
            ["ADDED", created.metadata.resourceVersion],
            ["MODIFIED", updated.metadata.resourceVersion],
            ["DELETED", deleted.metadata.resourceVersion],
          ],
        );
      },
    );

    await t.step(
      "watch latency: local and remote (printed, not asserted)",
      async () => {
        const latency = async (writer: typeof storeA, name: string) => {
          const samples: number[] = [];
          for (let i = 0; i < 20; i++) {
            const watcher = await storeB.watch(key(`${name}-${i}`), {
              recursive: false,
              resourceVersion: String(await storeB.currentRevision()),
            });
            const it = watcher[Symbol.asyncIterator]();
            const start = performance.now();
            const write = writer.create(key(`${name}-${i}`), {
              metadata: { name: `${name}-${i}`, namespace: "default" },
            });
            await it.next();
            const took = performance.now() - start;
            await write;
            watcher.stop();
            samples.push(took);
          }
          samples.sort((x, y) => x - y);
          return `p50 ${samples[10].toFixed(1)} ms, max ${
            samples[19].toFixed(1)
          } ms`;
        };
        console.log(
          `local write -> local watch: ${await latency(storeB, "local")}`,
        );
        console.log(
          `remote write -> watch: ${await latency(storeA, "remote")}`,
        );
      },
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
    await emu.stop();
  }
});
