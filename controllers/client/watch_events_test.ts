import assert from "node:assert/strict";
import { watchEvents } from "./watch_events.ts";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
}

async function collect(
  chunks: Uint8Array[],
  signal = new AbortController().signal,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (
    const v of watchEvents(() => Promise.resolve(streamOf(chunks)), signal)
  ) out.push(v);
  return out;
}

const enc = new TextEncoder();

Deno.test("watchEvents: several lines in one chunk, blank lines skipped", async () => {
  assert.deepEqual(
    await collect([enc.encode('{"a":1}\n\n{"b":2}\n  \n{"c":3}\n')]),
    [{ a: 1 }, { b: 2 }, { c: 3 }],
  );
});

Deno.test("watchEvents: a line split across chunks, a UTF-8 character split between bytes", async () => {
  const bytes = enc.encode('{"name":"é✓"}\n{"n":2}\n');
  // Split inside the two-byte "é" and inside the three-byte "✓".
  const at = [3, 10, 11, 13, bytes.length];
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of at) {
    chunks.push(bytes.slice(from, to));
    from = to;
  }
  assert.deepEqual(await collect(chunks), [{ name: "é✓" }, { n: 2 }]);
});

Deno.test("watchEvents: a last line without its newline is dropped", async () => {
  assert.deepEqual(
    await collect([enc.encode('{"a":1}\n{"b":')]),
    [{ a: 1 }],
  );
});

Deno.test("watchEvents: a null body yields nothing; a bad line throws", async () => {
  const none: unknown[] = [];
  for await (
    const v of watchEvents(
      () => Promise.resolve(null),
      new AbortController().signal,
    )
  ) none.push(v);
  assert.deepEqual(none, []);
  await assert.rejects(() => collect([enc.encode("{nope}\n")]), SyntaxError);
});

Deno.test("watchEvents: an abort ends the iteration quietly and cancels the body", async () => {
  const stop = new AbortController();
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode('{"a":1}\n'));
    },
    cancel() {
      cancelled = true;
    },
  });
  const out: unknown[] = [];
  for await (const v of watchEvents(() => Promise.resolve(body), stop.signal)) {
    out.push(v);
    stop.abort();
  }
  assert.deepEqual(out, [{ a: 1 }]);
  assert.equal(cancelled, true);
});

Deno.test("watchEvents: events handed over as objects are yielded as they are", async () => {
  const a = Object.freeze({ type: "ADDED", object: Object.freeze({}) });
  const b = Object.freeze({ type: "DELETED", object: Object.freeze({}) });
  const events = new ReadableStream({
    start(c) {
      c.enqueue(a);
      c.enqueue(b);
      c.close();
    },
  });
  const out: unknown[] = [];
  for await (
    const v of watchEvents(
      () => Promise.resolve({ events }),
      new AbortController().signal,
    )
  ) out.push(v);
  assert.equal(out.length, 2);
  assert.equal(out[0], a);
  assert.equal(out[1], b);
});

Deno.test("watchEvents: an abort ends the objects quietly and cancels them", async () => {
  const stop = new AbortController();
  let cancelled = false;
  const events = new ReadableStream({
    start(c) {
      c.enqueue({ type: "ADDED" });
    },
    cancel() {
      cancelled = true;
    },
  });
  const out: unknown[] = [];
  for await (
    const v of watchEvents(() => Promise.resolve({ events }), stop.signal)
  ) {
    out.push(v);
    stop.abort();
  }
  assert.deepEqual(out, [{ type: "ADDED" }]);
  assert.equal(cancelled, true);
});
