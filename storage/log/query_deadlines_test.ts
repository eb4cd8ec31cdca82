import assert from "node:assert/strict";
import { isStorageError } from "../errors.ts";
import { QueryDeadlines } from "./query_deadlines.ts";

Deno.test("a bounded query settles as it does, or fails with Unavailable once its deadline passed", async () => {
  const d = new QueryDeadlines("postgres: 127.0.0.1:5432/db");
  try {
    assert.equal(await d.bound(Promise.resolve(7), "get", 1_000), 7);
    const refused = new Error("refused");
    assert.equal(
      await d.bound(Promise.reject(refused), "get", 1_000).catch((e) => e),
      refused,
    );
    const started = performance.now();
    const err = await d.bound(new Promise(() => {}), "create /x", 300)
      .catch((e) => e);
    assert.ok(isStorageError(err, "Unavailable"), String(err));
    assert.equal(
      err.message,
      "postgres: 127.0.0.1:5432/db did not answer within 0.3s: create /x",
    );
    assert.ok(performance.now() - started >= 300);
    // Nothing is left in flight, so the sweep stopped (the test's timer
    // sanitizer would report it otherwise).
    assert.equal(d.pending, 0);
  } finally {
    d.close();
  }
});

Deno.test("closing fails the queries still in flight", async () => {
  const d = new QueryDeadlines("postgres: 127.0.0.1:5432/db");
  const pending = d.bound(new Promise(() => {}), "list", 60_000)
    .catch((e) => e);
  assert.equal(d.pending, 1);
  d.close();
  const err = await pending;
  assert.ok(isStorageError(err, "Unavailable"), String(err));
  assert.match(err.message, /the log is closed/);
  assert.equal(d.pending, 0);
});

Deno.test("settled waits for calls that outlived their deadline, at most the given time", async () => {
  const d = new QueryDeadlines("spanner: emulator 127.0.0.1:9010");
  let finish!: () => void;
  const late = new Promise<void>((r) => finish = r);
  const err = await d.bound(late, "create", 100).catch((e) => e);
  assert.ok(isStorageError(err, "Unavailable"), String(err));
  let started = performance.now();
  await d.settled(200);
  assert.ok(performance.now() - started >= 190, "gave up after the bound");
  setTimeout(finish, 50);
  started = performance.now();
  await d.settled(10_000);
  assert.ok(performance.now() - started < 5_000, "returned once it settled");
  await d.settled(10_000); // nothing left: at once
  d.close();
});

Deno.test("the expired hook runs once a deadline passes, before the rejection, and not for a query that settled", async () => {
  const d = new QueryDeadlines("postgres: 127.0.0.1:5432/db");
  try {
    const calls: string[] = [];
    assert.equal(
      await d.bound(Promise.resolve(1), "get", 1_000, () => calls.push("x")),
      1,
    );
    const err = await d.bound(
      new Promise(() => {}),
      "get /y",
      100,
      () => calls.push("expired"),
    ).catch((e) => {
      calls.push("rejected");
      return e;
    });
    assert.ok(isStorageError(err, "Unavailable"), String(err));
    assert.deepEqual(calls, ["expired", "rejected"]);
    // A hook that throws does not keep the rejection from going out.
    const thrown = await d.bound(new Promise(() => {}), "get /z", 100, () => {
      throw new Error("hook");
    }).catch((e) => e);
    assert.ok(isStorageError(thrown, "Unavailable"), String(thrown));
  } finally {
    d.close();
  }
});
