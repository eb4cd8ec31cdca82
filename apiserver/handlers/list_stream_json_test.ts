import assert from "node:assert/strict";
import {
  LIST_CHUNK_BYTES,
  LIST_CHUNK_ITEMS,
  listResponse,
} from "./list_stream.ts";

Deno.test("a streamed list of JSON texts (chunked by size) has the bytes of JSON.stringify", async () => {
  const big = "x".repeat(Math.floor(LIST_CHUNK_BYTES / 3));
  for (
    const objects of [
      [],
      [{ a: 1 }],
      // Many small texts: several chunks of many items each.
      Array.from({ length: 3 * LIST_CHUNK_ITEMS + 7 }, (_, i) => ({ i })),
      // Texts of a third of a chunk, and one larger than a chunk.
      Array.from({ length: LIST_CHUNK_ITEMS + 5 }, (_, i) => ({
        i,
        v: i === 7 ? big.repeat(4) : i % 50 === 0 ? big : "s",
      })),
    ]
  ) {
    const head = JSON.stringify({ kind: "List", items: [] });
    let released = 0;
    const res = listResponse(
      head,
      "items",
      objects.map((o) => JSON.stringify(o)),
      (texts) => texts,
      () => released++,
      true,
    );
    assert.equal(
      await res.text(),
      JSON.stringify({ kind: "List", items: objects }) + "\n",
      `${objects.length} items`,
    );
    assert.equal(released, 1);
  }
});

Deno.test("a list of JSON texts up to LIST_CHUNK_BYTES is encoded at once; a longer one as it is read", async () => {
  const head = JSON.stringify({ kind: "List", items: [] });
  const text = JSON.stringify({ v: "x".repeat(1000) });
  // More items than LIST_CHUNK_ITEMS, fewer bytes than LIST_CHUNK_BYTES
  // (a page of 500 objects of ~1 KB).
  const fits = Math.floor(LIST_CHUNK_BYTES / text.length);
  assert.ok(fits > LIST_CHUNK_ITEMS);
  for (const [n, atOnce] of [[fits, true], [fits + 1, false]] as const) {
    let released = 0;
    const res = listResponse(
      head,
      "items",
      Array.from({ length: n }, () => text),
      (texts) => texts,
      () => released++,
      true,
    );
    assert.equal(released, atOnce ? 1 : 0, `${n} items`);
    const body = await res.text();
    assert.equal(released, 1);
    assert.equal(
      body,
      JSON.stringify({ kind: "List", items: Array(n).fill(JSON.parse(text)) }) +
        "\n",
    );
  }
});
