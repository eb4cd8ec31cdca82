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

const PREFIX = "/registry/configmaps/clusters/root/default/";
const WRITER =
  new URL("./support/postgres_crash_writer.ts", import.meta.url).pathname;
const ROUNDS = 2;
const WRITERS = 8;

/** Splits a byte stream into lines. */
async function* lines(stream: ReadableStream<Uint8Array>) {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) yield buf;
}

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
      const child: Deno.ChildProcess = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", WRITER, pg.url, pg.passwordFile, String(next)],
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const killAfter = 300 + 200 * round;
      const acks = new Map<number, string>();
      let killed = false;
      // Keep reading after the kill: every line written before the death
      // is in the pipe and counts as acknowledged.
      for await (const line of lines(child.stdout)) {
        const m = /^ack (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        acks.set(Number(m[1]), m[2]);
        if (!killed && acks.size >= killAfter) {
          child.kill("SIGKILL");
          killed = true;
        }
      }
      const status = await child.status;
      assert.ok(killed, `writer ended on its own (code ${status.code})`);
      assert.equal(status.signal, "SIGKILL");
      for (const [i, rv] of acks) acked.set(i, rv);
      const highest = Math.max(...acks.keys());

      const factory = await postgresBackend().open(flags, {
        dataDir: "/nonexistent",
        logger: silentLogger,
      });
      try {
        const store = factory.storeFor({ resource: "configmaps" });
        const list = await store.list(PREFIX, { recursive: true });
        const present = new Map(
          list.items.filter((o) => o.metadata.name!.startsWith("obj-")).map(
            (
              o,
            ) => [
              Number(o.metadata.name!.slice(4)),
              o.metadata.resourceVersion!,
            ],
          ),
        );
        for (const [i, rv] of acked) {
          assert.equal(present.get(i), rv, `acknowledged obj-${i} at ${rv}`);
        }
        for (const [i, rv] of inFlight) assert.equal(present.get(i), rv);
        // Extra objects: only writes that were in flight at the kill (at
        // most one per writer, with indexes just around the last acks).
        const extra = [...present.keys()].filter((i) =>
          !acked.has(i) && !inFlight.has(i)
        );
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
