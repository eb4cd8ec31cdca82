/**
 * SIGKILL of a process in the middle of eight concurrent writers through the
 * postgres store loses no acknowledged write: every acknowledged object is
 * there at its resourceVersion, nothing but writes in flight at the kill is
 * extra, and new revisions are larger than every old one.
 */
import assert from "node:assert/strict";
import { postgresBackend } from "../backends/postgres/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { startPostgres } from "./support/postgres.ts";
import {
  assertAcknowledgedKept,
  writeAndKill,
  writtenObjects,
} from "./support/crash_writes.ts";

const PREFIX = "/registry/configmaps/clusters/root/default/";
const WRITER =
  new URL("./support/postgres_crash_writer.ts", import.meta.url).pathname;
const ROUNDS = 2;
const WRITERS = 8;

Deno.test("every acknowledged write survives a SIGKILL during 8 concurrent postgres writers", async () => {
  const pg = await startPostgres();
  if (!pg) return;
  const flags = {
    "postgres-url": pg.url,
    "postgres-password-file": pg.passwordFile,
    "postgres-sslmode": "disable",
    "postgres-compaction-interval": "0",
  };
  const acked = new Map<number, string>();
  const inFlight = new Map<number, string>();
  let next: number = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const acks = await writeAndKill(
        [WRITER, pg.url, pg.passwordFile, String(next)],
        300 + 200 * round,
      );
      for (const [i, rv] of acks) acked.set(i, rv);
      const highest = Math.max(...acks.keys());

      const factory = await postgresBackend().open(flags, {
        dataDir: "/nonexistent",
        logger: silentLogger,
      });
      try {
        const store = factory.storeFor({ resource: "configmaps" });
        const present = await writtenObjects(store, PREFIX);
        // Extra objects: only writes that were in flight at the kill (at
        // most one per writer, with indexes just around the last acks).
        const extra = assertAcknowledgedKept(present, acked, inFlight);
        assert.ok(
          extra.length <= WRITERS && extra.every((i) => i <= highest + WRITERS),
          `unacknowledged objects present: ${extra.join(",")}`,
        );
        // Revisions are unique.
        const revs = [...present.values()].map(Number);
        assert.equal(new Set(revs).size, revs.length);
        const maxRV = Math.max(...revs);
        const current = await factory.currentRevision();
        assert.ok(current >= maxRV);
        const probe = await store.create(`${PREFIX}probe-${round}`, {
          metadata: { name: `probe-${round}`, namespace: "default" },
        });
        assert.ok(Number(probe.metadata.resourceVersion) > maxRV);
        console.log(
          `postgres crash round ${round}: ${acks.size} acknowledged (total ${acked.size}), ` +
            `${extra.length} in-flight writes committed, revision ${current}`,
        );
        for (const i of extra) inFlight.set(i, present.get(i)!);
        next = highest + WRITERS + 1; // past every name in flight at the kill
      } finally {
        await factory.close();
      }
    }
  } finally {
    await pg.stop();
  }
});
