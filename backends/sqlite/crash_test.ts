import assert from "node:assert/strict";
import { openSqliteStoreFactory } from "./sqlite_store_factory.ts";
import { tempDir } from "../../tests/support/sqlite_log_fixtures.ts";
import {
  assertAcknowledgedKept,
  writeAndKill,
  writtenObjects,
} from "../../tests/support/crash_writes.ts";

const PREFIX = "/registry/configmaps/clusters/root/default/";
const WRITER = new URL("./_crash_writer.ts", import.meta.url).pathname;
const ROUNDS = 3;

Deno.test("every acknowledged write survives a SIGKILL of the writing process", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.db`;
  const acked = new Map<number, string>();
  const inFlight = new Map<number, string>();
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const acks = await writeAndKill(
      [WRITER, path, String(next)],
      200 + 150 * round,
    );
    for (const [i, rv] of acks) acked.set(i, rv);
    const lastAcked = Math.max(...acks.keys());

    const factory = openSqliteStoreFactory({ path });
    try {
      assert.equal(factory.log.integrityCheck(), "ok");
      const store = factory.storeFor({ resource: "configmaps" });
      const present = await writtenObjects(store, PREFIX);
      // An in-flight write found after an earlier kill stays as it was;
      // nothing unacknowledged but the one write in flight at the kill.
      const extra = assertAcknowledgedKept(present, acked, inFlight);
      assert.ok(
        extra.length === 0 ||
          (extra.length === 1 && extra[0] === lastAcked + 1),
        `unacknowledged objects present: ${extra.join(",")}`,
      );
      const maxRV = Math.max(...[...present.values()].map(Number));
      const current = await factory.currentRevision();
      assert.ok(current >= maxRV);
      const probe = await store.create(`${PREFIX}probe-${round}`, {
        metadata: { name: `probe-${round}`, namespace: "default" },
      });
      assert.ok(Number(probe.metadata.resourceVersion) > maxRV);
      console.log(
        `crash round ${round}: ${acks.size} acknowledged (total ${acked.size}), ` +
          `in-flight write ${extra.length ? "present" : "absent"}, ` +
          `revision ${current}`,
      );
      for (const i of extra) inFlight.set(i, present.get(i)!);
      next = lastAcked + 2; // skip the name possibly taken by the in-flight write
    } finally {
      await factory.close();
    }
  }
});
