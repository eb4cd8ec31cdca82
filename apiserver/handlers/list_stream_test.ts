import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { LIST_CHUNK_ITEMS, listResponse } from "./list_stream.ts";

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";

function list(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    metadata: { name: `o${i}`, labels: { 'a"b': "ü\u2028" } },
    data: { k: i % 2 ? null : [i, { x: "y" }] },
  }));
}

Deno.test("a streamed list has the bytes of JSON.stringify", async () => {
  for (
    const n of [
      0,
      1,
      LIST_CHUNK_ITEMS,
      LIST_CHUNK_ITEMS + 1,
      3 * LIST_CHUNK_ITEMS + 7,
    ]
  ) {
    const items = list(n);
    const expected = JSON.stringify({
      kind: "List",
      metadata: { resourceVersion: "7" },
      items,
    }) + "\n";
    const head = JSON.stringify({
      kind: "List",
      metadata: { resourceVersion: "7" },
      items: [],
    });
    const res = listResponse(head, "items", [...items], (c) => c);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(await res.text(), expected, `${n} items`);
  }
});

Deno.test("a list whose array is not its last field is refused", () => {
  assert.throws(() =>
    listResponse(JSON.stringify({ items: [], b: 1 }), "items", [], (c) => c)
  );
});

Deno.test("lists and Tables of many objects are served whole and in order", async () => {
  const s = await startTestServer();
  try {
    const base = "/api/v1/namespaces/default/configmaps";
    const n = 2 * LIST_CHUNK_ITEMS + 50;
    for (let i = 0; i < n; i++) {
      const name = `cm-${String(i).padStart(4, "0")}`;
      const r = await s.request("POST", base, {
        body: configMap(name, { v: String(i) }),
      });
      assert.equal(r.status, 201);
    }
    const res = await s.raw("GET", base);
    const text = await res.text();
    const body = JSON.parse(text);
    // Compact JSON survives a parse and stringify unchanged: the stream
    // wrote exactly what encoding the whole list at once writes.
    assert.equal(text, JSON.stringify(body) + "\n");
    assert.equal(body.kind, "ConfigMapList");
    assert.deepEqual(
      Object.keys(body),
      ["kind", "apiVersion", "metadata", "items"],
    );
    assert.equal(body.items.length, n);
    assert.equal(
      body.items[n - 1].metadata.name,
      `cm-${String(n - 1).padStart(4, "0")}`,
    );
    assert.equal(body.items[n - 1].data.v, String(n - 1));
    assert.equal(body.items[0].kind, undefined);

    const page = await s.request("GET", `${base}?limit=${n - 1}`);
    assert.equal(page.body.items.length, n - 1);
    assert.ok(page.body.metadata.continue);

    const t = await s.raw("GET", base, { headers: { accept: TABLE } });
    const tableText = await t.text();
    const table = JSON.parse(tableText);
    assert.equal(tableText, JSON.stringify(table) + "\n");
    assert.equal(table.kind, "Table");
    assert.equal(table.rows.length, n);
    assert.equal(table.rows[5].cells[0], "cm-0005");
    assert.equal(table.rows[5].object.metadata.name, "cm-0005");
    assert.ok(table.columnDefinitions.length > 0);
  } finally {
    await s.close();
  }
});
