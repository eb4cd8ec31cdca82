import assert from "node:assert/strict";
import { jsonLines } from "./json_lines.ts";

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
    const v of jsonLines(() => Promise.resolve(streamOf(chunks)), signal)
  ) out.push(v);
  return out;
}

const enc = new TextEncoder();

Deno.test("jsonLines: several lines in one chunk, blank lines skipped", async () => {
  assert.deepEqual(
    await collect([enc.encode('{"a":1}\n\n{"b":2}\n  \n{"c":3}\n')]),
    [{ a: 1 }, { b: 2 }, { c: 3 }],
  );
});

Deno.test("jsonLines: a line split across chunks, a UTF-8 character split between bytes", async () => {
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

Deno.test("jsonLines: a last line without its newline is dropped", async () => {
  assert.deepEqual(
    await collect([enc.encode('{"a":1}\n{"b":')]),
    [{ a: 1 }],
  );
});

Deno.test("jsonLines: a null body yields nothing; a bad line throws", async () => {
  const none: unknown[] = [];
  for await (
    const v of jsonLines(
      () => Promise.resolve(null),
      new AbortController().signal,
    )
  ) none.push(v);
  assert.deepEqual(none, []);
  await assert.rejects(() => collect([enc.encode("{nope}\n")]), SyntaxError);
});

Deno.test("jsonLines: an abort ends the iteration quietly and cancels the body", async () => {
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
  for await (const v of jsonLines(() => Promise.resolve(body), stop.signal)) {
    out.push(v);
    stop.abort();
  }
  assert.deepEqual(out, [{ a: 1 }]);
  assert.equal(cancelled, true);
});
