import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";

async function seed(s: TestServer) {
  for (
    const [name, labels] of [
      ["a", { app: "web", tier: "front" }],
      ["b", { app: "api" }],
      ["c", { app: "web", canary: "true" }],
      ["d", {}],
    ] as const
  ) {
    const r = await s.request("POST", base, {
      body: configMap(name, {}, { metadata: { labels } }),
    });
    assert.equal(r.status, 201);
  }
}

function names(body: { items: Array<{ metadata: { name: string } }> }) {
  return body.items.map((i) => i.metadata.name);
}

Deno.test("list", async (t) => {
  const s = await startTestServer();
  try {
    await seed(s);
    await t.step("returns a ConfigMapList with a resourceVersion", async () => {
      const r = await s.request("GET", base);
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, "ConfigMapList");
      assert.equal(r.body.apiVersion, "v1");
      assert.match(r.body.metadata.resourceVersion, /^\d+$/);
      assert.deepEqual(names(r.body), ["a", "b", "c", "d"]);
    });
    await t.step("filters with set-based label selectors", async () => {
      const q = (sel: string) =>
        s.request("GET", `${base}?labelSelector=${encodeURIComponent(sel)}`);
      assert.deepEqual(names((await q("app=web")).body), ["a", "c"]);
      assert.deepEqual(names((await q("app in (api,web),!canary")).body), [
        "a",
        "b",
      ]);
      assert.deepEqual(names((await q("app notin (web)")).body), ["b", "d"]);
      assert.deepEqual(names((await q("app!=web")).body), ["b", "d"]);
      assert.deepEqual(names((await q("tier")).body), ["a"]);
    });
    await t.step("a malformed label selector is 400", async () => {
      const r = await s.request(
        "GET",
        `${base}?labelSelector=${encodeURIComponent("app in (")}`,
      );
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, "BadRequest");
    });
    await t.step("filters with field selectors on metadata.name", async () => {
      const r = await s.request(
        "GET",
        `${base}?fieldSelector=metadata.name%3Db`,
      );
      assert.deepEqual(names(r.body), ["b"]);
      const ne = await s.request(
        "GET",
        `${base}?fieldSelector=metadata.name!%3Db`,
      );
      assert.deepEqual(names(ne.body), ["a", "c", "d"]);
    });
    await t.step(
      "an unsupported field is 400 field label not supported",
      async () => {
        const r = await s.request("GET", `${base}?fieldSelector=spec.foo%3Dx`);
        assert.equal(r.status, 400);
        assert.equal(r.body.message, "field label not supported: spec.foo");
      },
    );
    await t.step("pages with limit and continue", async () => {
      const p1 = await s.request("GET", `${base}?limit=3`);
      assert.deepEqual(names(p1.body), ["a", "b", "c"]);
      assert.ok(p1.body.metadata.continue);
      assert.equal(p1.body.metadata.remainingItemCount, 1);
      const p2 = await s.request(
        "GET",
        `${base}?limit=3&continue=${
          encodeURIComponent(p1.body.metadata.continue)
        }`,
      );
      assert.deepEqual(names(p2.body), ["d"]);
      assert.equal(p2.body.metadata.continue, undefined);
    });
    await t.step("lists across namespaces at /api/v1/configmaps", async () => {
      await s.request("POST", "/api/v1/namespaces/kube-system/configmaps", {
        body: configMap("sys"),
      });
      const r = await s.request(
        "GET",
        "/api/v1/configmaps?fieldSelector=metadata.namespace%3Dkube-system",
      );
      assert.deepEqual(names(r.body), ["sys"]);
    });
    await t.step("validates resourceVersionMatch like upstream", async () => {
      const r = await s.request(
        "GET",
        `${base}?resourceVersionMatch=NotOlderThan`,
      );
      assert.equal(r.status, 422);
      assert.equal(
        r.body.message,
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
      const bad = await s.request(
        "GET",
        `${base}?resourceVersion=1&resourceVersionMatch=Sometimes`,
      );
      assert.equal(bad.status, 422);
      assert.equal(bad.body.details.causes[0].reason, "FieldValueNotSupported");
      const exact0 = await s.request(
        "GET",
        `${base}?resourceVersion=0&resourceVersionMatch=Exact`,
      );
      assert.equal(exact0.status, 422);
    });
    await t.step(
      "a too-large resourceVersion is 504 with Retry-After",
      async () => {
        const r = await s.request(
          "GET",
          `${base}?resourceVersion=999999&resourceVersionMatch=NotOlderThan`,
        );
        assert.equal(r.status, 504);
        assert.equal(r.body.reason, "Timeout");
        assert.equal(r.headers.get("retry-after"), "1");
      },
    );
    await t.step("a malformed continue token is 400", async () => {
      const r = await s.request("GET", `${base}?continue=garbage`);
      assert.equal(r.status, 400);
    });
  } finally {
    await s.close();
  }
});
