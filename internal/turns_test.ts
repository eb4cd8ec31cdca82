import assert from "node:assert/strict";
import { nextTurn, TimeSlice, TURN_BUDGET_MS } from "./turns.ts";

Deno.test("nextTurn lets a due timer run; microtasks alone do not", async () => {
  let fired = false;
  setTimeout(() => fired = true, 0);
  await Promise.resolve();
  assert.equal(fired, false);
  await nextTurn();
  await nextTurn();
  assert.equal(fired, true);
});

Deno.test("a TimeSlice is due once it has lasted its length, and pause starts a new one", async () => {
  const slice = new TimeSlice(20);
  assert.equal(slice.due, false);
  const until = performance.now() + 25;
  while (performance.now() < until) { /* work */ }
  assert.equal(slice.due, true);
  await slice.pause();
  assert.equal(slice.due, false);
  while (!slice.due) { /* work */ }
  slice.restart();
  assert.equal(slice.due, false);
});

/** Busy work for `ms` milliseconds. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* work */ }
}

Deno.test("paused slices share one budget per turn: a timer waits for about one turn's budget of their work, not one slice per stream", async () => {
  const streams = 12; // 12 slices of 10 ms: 120 ms per turn without the gate
  const slices = Array.from({ length: streams }, () => new TimeSlice(10));
  const done = new Array<number>(streams).fill(0);
  let stop = false;
  // Streams of 1 ms items, each pausing when its slice is due.
  const running = slices.map(async (slice, i) => {
    await slice.pause();
    while (!stop) {
      spin(1);
      done[i]++;
      if (slice.due) await slice.pause();
    }
  });
  const sum = () => done.reduce((a, b) => a + b, 0);
  await new Promise((r) => setTimeout(r, 0));
  const before = sum();
  await new Promise<void>((resolve) => {
    setTimeout(() => {
      const total = sum() - before;
      stop = true;
      // One turn's budget (1 ms items) plus one item for each stream cut
      // short; 120 without the shared gate.
      assert.ok(
        total <= TURN_BUDGET_MS + 2 * streams,
        `paused work before the timer: ${total} items of 1 ms`,
      );
      resolve();
    }, 0);
  });
  await Promise.all(running);
});

Deno.test("paused slices take turns: each gets a full budget within as many turns as there are slices", async () => {
  const n = 4;
  const slices = Array.from({ length: n }, () => new TimeSlice(5));
  const turnsWithWork: number[][] = Array.from({ length: n }, () => []);
  let turn = 0;
  let stop = false;
  const ticker = setInterval(() => turn++, 0);
  const streams = slices.map(async (slice, i) => {
    await slice.pause();
    while (!stop) {
      spin(1);
      const t = turnsWithWork[i];
      if (t.at(-1) !== turn) t.push(turn);
      if (slice.due) await slice.pause();
    }
  });
  // Wait for several rounds of turns.
  while (turn < 6 * n) await new Promise((r) => setTimeout(r, 0));
  stop = true;
  clearInterval(ticker);
  await Promise.all(streams);
  // Every stream did work in many turns (none starved by the others).
  for (const t of turnsWithWork) assert.ok(t.length >= 3, `turns: ${t}`);
});
