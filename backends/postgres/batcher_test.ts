import assert from "node:assert/strict";
import { type PendingWrite, WriteBatcher, type WriteRow } from "./_batcher.ts";

function rowsFor(writes: PendingWrite[], first: number): WriteRow[] {
  return writes.map((_, i) => ({
    status: "",
    revision: first + i,
    prev_revision: null,
    prev_value: null,
  }));
}

Deno.test("a lone write goes at once; writes arriving meanwhile share the next batch", async () => {
  const batches: number[] = [];
  let rev = 1;
  const release: (() => void)[] = [];
  const b = new WriteBatcher({
    run: async (writes) => {
      batches.push(writes.length);
      await new Promise<void>((r) => release.push(r));
      const rows = rowsFor(writes, rev + 1);
      rev += writes.length;
      return rows;
    },
    committed: () => {},
    maxInFlight: 1,
  });
  const first = b.write(0, "/registry/a/0", "{}", 0);
  const rest = Array.from(
    { length: 5 },
    (_, i) => b.write(0, `/registry/a/${i + 1}`, "{}", 0),
  );
  assert.deepEqual(batches, [1]);
  release.shift()!();
  await first;
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(batches, [1, 5]);
  release.shift()!();
  const results = await Promise.all(rest);
  assert.deepEqual(results.map((r) => r.event?.revision), [3, 4, 5, 6, 7]);
  await b.drained();
});

Deno.test("a batch is bounded by bytes but always takes one write", async () => {
  const batches: number[] = [];
  const b = new WriteBatcher({
    run: (writes) => {
      batches.push(writes.length);
      return Promise.resolve(rowsFor(writes, 1));
    },
    committed: () => {},
    maxInFlight: 1,
    maxBatchBytes: 100,
  });
  const big = "x".repeat(60);
  await Promise.all([
    b.write(0, "/k/0", big, 0),
    b.write(0, "/k/1", big, 0),
    b.write(0, "/k/2", big, 0),
    b.write(0, "/k/3", "x".repeat(500), 0),
  ]);
  assert.deepEqual(batches, [1, 1, 1, 1]);
});

Deno.test("a failed batch fails each of its writes", async () => {
  const b = new WriteBatcher({
    run: () => Promise.reject(new Error("connection lost")),
    committed: () => {},
  });
  const results = await Promise.allSettled([
    b.write(0, "/k/0", "{}", 0),
    b.write(0, "/k/1", "{}", 0),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
  await b.drained();
});

Deno.test("a reserved slot counts as a batch in flight until released", async () => {
  const batches: number[] = [];
  const b = new WriteBatcher({
    run: (writes) => {
      batches.push(writes.length);
      return Promise.resolve(rowsFor(writes, 1));
    },
    committed: () => {},
    maxInFlight: 1,
  });
  assert.equal(b.reserve(), true);
  assert.equal(b.reserve(), false, "the only slot is taken");
  const queued = [b.write(0, "/k/0", "{}", 0), b.write(0, "/k/1", "{}", 0)];
  let drained = false;
  const idle = b.drained().then(() => drained = true);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(batches, [], "queued writes wait for the slot");
  assert.equal(drained, false);
  b.release();
  await Promise.all(queued);
  await idle;
  assert.deepEqual(batches, [2]);
  assert.equal(b.reserve(), true, "free again");
  b.release();
});
