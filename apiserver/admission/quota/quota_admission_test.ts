import assert from "node:assert/strict";
import {
  startTestServer,
  type TestServer,
} from "../../../tests/support/apiserver_harness.ts";

const NS = "/api/v1/namespaces/default";

/** Creates a quota and sets its status as the controller would. */
async function quota(
  s: TestServer,
  name: string,
  hard: Record<string, string>,
  used: Record<string, string> | undefined,
  spec: Record<string, unknown> = {},
): Promise<void> {
  const r = await s.request("POST", `${NS}/resourcequotas`, {
    body: { metadata: { name }, spec: { hard, ...spec } },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const st = await s.request("PUT", `${NS}/resourcequotas/${name}/status`, {
    body: { metadata: { name }, status: { hard, ...(used ? { used } : {}) } },
  });
  assert.equal(st.status, 200, JSON.stringify(st.body));
}

async function used(s: TestServer, name: string): Promise<unknown> {
  const r = await s.request("GET", `${NS}/resourcequotas/${name}`);
  return r.body.status?.used;
}

function cm(name: string) {
  return { body: { metadata: { name } } };
}

Deno.test("quota admission", async (t) => {
  const s = await startTestServer();
  try {
    await t.step(
      "a create over count/configmaps is refused with upstream's 403 message",
      async () => {
        await quota(s, "q", { "count/configmaps": "2" }, {
          "count/configmaps": "0",
        });
        for (const n of ["a", "b"]) {
          const r = await s.request("POST", `${NS}/configmaps`, cm(n));
          assert.equal(r.status, 201);
        }
        assert.deepEqual(await used(s, "q"), { "count/configmaps": "2" });
        const r = await s.request("POST", `${NS}/configmaps`, cm("c"));
        assert.equal(r.status, 403);
        assert.equal(r.body.reason, "Forbidden");
        assert.equal(
          r.body.message,
          'configmaps "c" is forbidden: exceeded quota: q, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2',
        );
        assert.deepEqual(r.body.details, { name: "c", kind: "configmaps" });
      },
    );
    await t.step(
      "other kinds and other namespaces are not limited",
      async () => {
        const r = await s.request("POST", `${NS}/secrets`, cm("s1"));
        assert.equal(r.status, 201);
        await s.request("POST", "/api/v1/namespaces", cm("other"));
        const o = await s.request(
          "POST",
          "/api/v1/namespaces/other/configmaps",
          cm("x"),
        );
        assert.equal(o.status, 201);
      },
    );
    await t.step("updates charge nothing", async () => {
      const r = await s.request("PUT", `${NS}/configmaps/a`, {
        body: { metadata: { name: "a" }, data: { k: "v" } },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(await used(s, "q"), { "count/configmaps": "2" });
    });
    await t.step("a dry-run create is checked but not charged", async () => {
      await quota(s, "secrets", { secrets: "5" }, { secrets: "1" });
      const ok = await s.request("POST", `${NS}/secrets?dryRun=All`, cm("d"));
      assert.equal(ok.status, 201);
      assert.deepEqual(await used(s, "secrets"), { secrets: "1" });
      const over = await s.request(
        "POST",
        `${NS}/configmaps?dryRun=All`,
        cm("d"),
      );
      assert.equal(over.status, 403);
    });
    await t.step("the legacy name secrets counts secrets", async () => {
      const r = await s.request("POST", `${NS}/secrets`, cm("s2"));
      assert.equal(r.status, 201);
      assert.deepEqual(await used(s, "secrets"), { secrets: "2" });
    });
    await t.step(
      "a quota whose usage is unknown refuses with upstream's message",
      async () => {
        await quota(s, "fresh", { "count/serviceaccounts": "3" }, undefined);
        const r = await s.request("POST", `${NS}/serviceaccounts`, cm("sa"));
        assert.equal(r.status, 403);
        assert.equal(
          r.body.message,
          'serviceaccounts "sa" is forbidden: status unknown for quota: fresh, resources: count/serviceaccounts',
        );
      },
    );
    await t.step("a quota without status.hard limits nothing yet", async () => {
      const r = await s.request("POST", `${NS}/resourcequotas`, {
        body: {
          metadata: { name: "pending" },
          spec: { hard: { "count/leases.coordination.k8s.io": "0" } },
        },
      });
      assert.equal(r.status, 201);
      const l = await s.request(
        "POST",
        "/apis/coordination.k8s.io/v1/namespaces/default/leases",
        cm("l1"),
      );
      assert.equal(l.status, 201);
    });
    await t.step("a scoped quota never matches object counts", async () => {
      await quota(
        s,
        "scoped",
        { "count/roles.rbac.authorization.k8s.io": "0" },
        {
          "count/roles.rbac.authorization.k8s.io": "0",
        },
        { scopes: ["Terminating"] },
      );
      const r = await s.request(
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
        cm("r1"),
      );
      assert.equal(r.status, 201);
    });
    await t.step(
      "when a second quota refuses, the first one's charge is given back",
      async () => {
        await s.request("POST", "/api/v1/namespaces", cm("two"));
        const base = "/api/v1/namespaces/two";
        for (const [name, hard] of [["a", "5"], ["b", "0"]]) {
          const r = await s.request("POST", `${base}/resourcequotas`, {
            body: { metadata: { name }, spec: { hard: { configmaps: hard } } },
          });
          assert.equal(r.status, 201);
          await s.request("PUT", `${base}/resourcequotas/${name}/status`, {
            body: {
              metadata: { name },
              status: { hard: { configmaps: hard }, used: { configmaps: "0" } },
            },
          });
        }
        const r = await s.request("POST", `${base}/configmaps`, cm("x"));
        assert.equal(r.status, 403);
        assert.match(r.body.message, /exceeded quota: b, /);
        const a = await s.request("GET", `${base}/resourcequotas/a`);
        assert.deepEqual(a.body.status.used, { configmaps: "0" });
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("32 concurrent creates against a quota of 10: exactly 10 succeed", async () => {
  const s = await startTestServer();
  try {
    await s.request("POST", "/api/v1/namespaces", cm("race"));
    const base = "/api/v1/namespaces/race";
    await s.request("POST", `${base}/resourcequotas`, {
      body: {
        metadata: { name: "q" },
        spec: { hard: { "count/configmaps": "10" } },
      },
    });
    await s.request("PUT", `${base}/resourcequotas/q/status`, {
      body: {
        metadata: { name: "q" },
        status: {
          hard: { "count/configmaps": "10" },
          used: { "count/configmaps": "0" },
        },
      },
    });
    let running = true;
    let maxUsed = 0;
    const sampler = (async () => {
      while (running) {
        const q = await s.request("GET", `${base}/resourcequotas/q`);
        const used = q.body.status.used["count/configmaps"];
        maxUsed = Math.max(maxUsed, Number(used));
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    const results = await Promise.all(
      Array.from(
        { length: 32 },
        (_, i) => s.request("POST", `${base}/configmaps`, cm(`c${i}`)),
      ),
    );
    running = false;
    await sampler;
    assert.ok(maxUsed <= 10, `used reached ${maxUsed}`);
    const codes = results.map((r) => r.status);
    assert.equal(codes.filter((c) => c === 201).length, 10);
    assert.equal(codes.filter((c) => c === 403).length, 22);
    const list = await s.request("GET", `${base}/configmaps`);
    assert.equal(list.body.items.length, 10);
    const q = await s.request("GET", `${base}/resourcequotas/q`);
    assert.deepEqual(q.body.status.used, { "count/configmaps": "10" });
  } finally {
    await s.close();
  }
});
