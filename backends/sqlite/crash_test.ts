import assert from "node:assert/strict";
import { openSqliteStoreFactory } from "./sqlite_store_factory.ts";
import { tempDir } from "../../tests/support/sqlite_log_fixtures.ts";

const PREFIX = "/registry/configmaps/clusters/root/default/";
const WRITER = new URL("./_crash_writer.ts", import.meta.url).pathname;
const ROUNDS = 3;

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

/** Runs the writer until it has acknowledged `killAfter` writes, then SIGKILLs it. */
async function writeAndKill(
  path: string,
  first: number,
  killAfter: number,
): Promise<Map<number, string>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, path, String(first)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const acks = new Map<number, string>();
  let killed = false;
  // Keep reading after the kill: every line the child wrote before dying is
  // in the pipe and counts as acknowledged.
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
  return acks;
}

Deno.test("every acknowledged write survives a SIGKILL of the writing process", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.db`;
  const acked = new Map<number, string>();
  const inFlight = new Map<number, string>();
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const acks = await writeAndKill(path, next, 200 + 150 * round);
    for (const [i, rv] of acks) acked.set(i, rv);
    const lastAcked = Math.max(...acks.keys());

    const factory = openSqliteStoreFactory({ path });
    try {
      assert.equal(factory.log.integrityCheck(), "ok");
      const store = factory.storeFor({ resource: "configmaps" });
      const list = await store.list(PREFIX, { recursive: true });
      const present = new Map(
        list.items.filter((o) => o.metadata.name!.startsWith("obj-")).map((
          o,
        ) => [
          Number(o.metadata.name!.slice(4)),
          o.metadata.resourceVersion!,
        ]),
      );
      for (const [i, rv] of acked) {
        assert.equal(present.get(i), rv, `acknowledged obj-${i} at ${rv}`);
      }
      // An in-flight write found after an earlier kill stays as it was.
      for (const [i, rv] of inFlight) assert.equal(present.get(i), rv);
      // Nothing unacknowledged but the one write in flight at the kill.
      const extra = [...present.keys()].filter((i) =>
        !acked.has(i) && !inFlight.has(i)
      );
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
