import assert from "node:assert/strict";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { cachedStoreFactory } from "../../storage/cacher/mod.ts";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";

/**
 * Lists and GETs written from the watch cache's JSON texts answer what the
 * decoding path answers over the same storage.
 */
Deno.test("lists and gets from stored JSON texts", async (t) => {
  const backend = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const storage = cachedStoreFactory(backend);
  const s = await startTestServer({ storage });
  try {
    // With type meta first (as kubectl sends), without any, and with a
    // value full of JSON syntax.
    for (let i = 0; i < 250; i++) {
      const name = `cm-${String(i).padStart(3, "0")}`;
      const body = i % 2 === 0
        ? configMap(name, { k: `v${i}` }, {
          metadata: { labels: { i: `${i % 3}` } },
        })
        : {
          metadata: { name, labels: { i: `${i % 3}` } },
          data: { k: `"}],{[\\${i}` },
        };
      const r = await s.request("POST", base, { body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    // A list across clusters (the whole resource) starts the cache and
    // waits for its fill; before it, gets and lists in one cluster read the
    // backend.
    assert.equal(
      (await s.request("GET", "/clusters/*/api/v1/configmaps")).status,
      200,
    );
    const gets = new Map<string, Record<string, unknown>>();
    await t.step(
      "a GET carries the type meta and parses to the object",
      async () => {
        for (const name of ["cm-000", "cm-001"]) {
          const res = await s.raw("GET", `${base}/${name}`);
          const text = await res.text();
          assert.equal(res.headers.get("content-type"), "application/json");
          assert.ok(text.endsWith("}\n"));
          const obj = JSON.parse(text);
          assert.equal(obj.apiVersion, "v1");
          assert.equal(obj.kind, "ConfigMap");
          assert.equal(obj.metadata.name, name);
          assert.equal(JSON.stringify(obj) + "\n", text);
          gets.set(name, obj);
        }
        const missing = await s.request("GET", `${base}/nope`);
        assert.equal(missing.status, 404);
        assert.equal(missing.body.reason, "NotFound");
      },
    );
    await t.step(
      "a full list (streamed) has every item without type meta",
      async () => {
        const res = await s.raw("GET", base);
        const text = await res.text();
        // deno-lint-ignore no-explicit-any
        const list: any = JSON.parse(text);
        assert.equal(JSON.stringify(list) + "\n", text);
        assert.equal(list.kind, "ConfigMapList");
        assert.equal(list.items.length, 250);
        for (const item of list.items) {
          assert.equal(item.apiVersion, undefined);
          assert.equal(item.kind, undefined);
        }
        const { apiVersion: _a, kind: _k, ...rest } = gets.get("cm-001")!;
        const second: { data: { k: string } } = list.items[1];
        assert.equal(second.data.k, '"}],{[\\1');
        assert.deepEqual(second, rest);
      },
    );
    await t.step("pages continue and count what remains", async () => {
      const first = await s.request("GET", `${base}?limit=100`);
      assert.equal(first.body.items.length, 100);
      assert.equal(first.body.metadata.remainingItemCount, 150);
      const next = await s.request(
        "GET",
        `${base}?limit=100&continue=${
          encodeURIComponent(first.body.metadata.continue)
        }`,
      );
      assert.equal(next.body.items[0].metadata.name, "cm-100");
      assert.equal(next.body.items[0].kind, undefined);
    });
    await t.step("label selectors filter", async () => {
      const r = await s.request("GET", `${base}?labelSelector=i%3D1`);
      assert.equal(r.body.items.length, 83);
      assert.ok(
        r.body.items.every((o: { metadata: { labels: { i: string } } }) =>
          o.metadata.labels.i === "1"
        ),
      );
    });
    await t.step("Tables are still built from objects", async () => {
      const r = await s.request("GET", `${base}?limit=5`, {
        headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
      });
      assert.equal(r.body.kind, "Table");
      assert.equal(r.body.rows.length, 5);
    });
    const cached = storage.storeFor({ resource: "configmaps" }) as unknown as {
      served: { cache: { get: number; list: number } };
    };
    assert.ok(cached.served.cache.list >= 3, "lists were served by the cache");
    assert.ok(cached.served.cache.get >= 2, "gets were served by the cache");
  } finally {
    await s.close();
    await storage.close();
  }
});
