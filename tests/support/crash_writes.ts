/**
 * The SIGKILL durability tests' shared steps (`backends/sqlite/crash_test.ts`,
 * `tests/postgres_crash_test.ts`): run a writer process that prints
 * `ack <index> <resourceVersion>` after each acknowledged create of
 * `obj-<index>`, kill it mid-stream, then read back what the store holds and
 * check that every acknowledged write is there at its resourceVersion.
 *
 * @example
 * ```ts
 * const acks = await writeAndKill(["writer.ts", path, "0"], 200);
 * const present = await writtenObjects(store, PREFIX);
 * const extra = assertAcknowledgedKept(present, acks, new Map());
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Store } from "../../storage/mod.ts";

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

/**
 * Runs `deno run -A <args>` until it has acknowledged `killAfter` writes,
 * SIGKILLs it, and returns every acknowledgement (index → resourceVersion).
 * Fails when the writer ends on its own.
 */
export async function writeAndKill(
  args: string[],
  killAfter: number,
): Promise<Map<number, string>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
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

/** The `obj-<index>` objects under `prefix`: index → resourceVersion. */
export async function writtenObjects(
  store: Store,
  prefix: string,
): Promise<Map<number, string>> {
  const list = await store.list(prefix, { recursive: true });
  return new Map(
    list.items.filter((o) => o.metadata.name!.startsWith("obj-")).map((o) => [
      Number(o.metadata.name!.slice(4)),
      o.metadata.resourceVersion!,
    ]),
  );
}

/**
 * Asserts that every acknowledged write, and every write found in flight
 * after an earlier kill, is present at its resourceVersion; returns the
 * indexes present but in neither (writes in flight at this kill), for the
 * caller to bound.
 */
export function assertAcknowledgedKept(
  present: Map<number, string>,
  acked: Map<number, string>,
  inFlight: Map<number, string>,
): number[] {
  for (const [i, rv] of acked) {
    assert.equal(present.get(i), rv, `acknowledged obj-${i} at ${rv}`);
  }
  for (const [i, rv] of inFlight) assert.equal(present.get(i), rv);
  return [...present.keys()].filter((i) => !acked.has(i) && !inFlight.has(i));
}
