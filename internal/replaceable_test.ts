import assert from "node:assert/strict";
import { ReplaceableClient } from "./replaceable.ts";
import { sleep } from "./sleep.ts";

/** A stand-in client: its number, and whether it was retired. */
interface Fake {
  id: number;
  closed: boolean;
}

function fakes() {
  let next = 0;
  return () => ({ id: next++, closed: false });
}

Deno.test("a client is replaced once, only while current and once old enough, and the old one is retired", async () => {
  const open = fakes();
  const retired: number[] = [];
  let replaced = 0;
  const c = new ReplaceableClient<Fake>(open(), open, {
    minAgeMs: 50,
    retire: (stale) => {
      stale.closed = true;
      retired.push(stale.id);
      return Promise.resolve();
    },
    replaced: () => replaced++,
  });
  const first = c.current;
  // Too young: a deadline right after it became current does not replace it.
  assert.equal(c.replace(first), false);
  assert.equal(c.current, first);
  await sleep(60);
  assert.equal(c.replace(first), true);
  const second = c.current;
  assert.notEqual(second, first);
  // Another call of the replaced client passing its deadline: nothing.
  assert.equal(c.replace(first), false);
  assert.equal(c.current, second);
  await c.end();
  assert.deepEqual(retired, [0]);
  assert.equal(first.closed, true);
  assert.equal(second.closed, false, "the current client is the caller's");
  assert.equal(replaced, 1);
  // Ended: no more replacements.
  await sleep(60);
  assert.equal(c.replace(second), false);
});

Deno.test("ending tells retiring clients to close at once and waits for them", async () => {
  const open = fakes();
  const c = new ReplaceableClient<Fake>(open(), open, {
    minAgeMs: 0,
    retire: async (stale, closing) => {
      await sleep(60_000, closing);
      stale.closed = true;
    },
  });
  const first = c.current;
  assert.equal(c.replace(first), true);
  const started = performance.now();
  await c.end();
  assert.ok(performance.now() - started < 1_000);
  assert.equal(first.closed, true);
});

Deno.test("a retire that fails does not fail the end", async () => {
  const open = fakes();
  const c = new ReplaceableClient<Fake>(open(), open, {
    minAgeMs: 0,
    retire: () => Promise.reject(new Error("refused")),
  });
  assert.equal(c.replace(c.current), true);
  await c.end();
});
