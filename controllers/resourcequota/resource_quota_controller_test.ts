import assert from "node:assert/strict";
import type { TestServer } from "../../tests/support/apiserver_harness.ts";
import { silentLogger } from "../../log/mod.ts";
import {
  ApiClient,
  controllerUser,
  inProcessTransport,
} from "../client/mod.ts";
import { ClusterTracker, InformerFactory } from "../runtime/mod.ts";
import { eventually, startStand } from "../../tests/support/controllers.ts";
import { runResourceQuotaController } from "./resource_quota_controller.ts";
import { widgetCrd } from "../../tests/support/crd_testdata.ts";

const QUOTAS = (ns: string) => `/api/v1/namespaces/${ns}/resourcequotas`;
const CMS = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

async function namespace(s: TestServer, name: string): Promise<void> {
  const r = await s.request("POST", "/api/v1/namespaces", {
    body: { metadata: { name } },
  });
  assert.equal(r.status, 201);
}

async function statusOf(s: TestServer, ns: string, name: string) {
  const r = await s.request("GET", `${QUOTAS(ns)}/${name}`);
  return r.body.status ?? {};
}

async function statusBecomes(
  s: TestServer,
  ns: string,
  name: string,
  want: Record<string, unknown>,
): Promise<void> {
  let last: unknown;
  try {
    await eventually(async () => {
      last = await statusOf(s, ns, name);
      return JSON.stringify(last) === JSON.stringify(want);
    }, `status ${JSON.stringify(want)}`);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last ${JSON.stringify(last)}`);
  }
}

Deno.test("resourcequota controller", async (t) => {
  const stand = await startStand({
    controllers: "resourcequota,root-ca-cert-publisher",
  });
  const s = stand.server;
  try {
    await namespace(s, "x");
    // The root CA publisher's kube-root-ca.crt is counted, as upstream.
    await eventually(async () =>
      (await s.request("GET", `${CMS("x")}/kube-root-ca.crt`)).status === 200
    );
    await t.step("a new quota gets hard from spec and exact used", async () => {
      await s.request("POST", CMS("x"), { body: { metadata: { name: "a" } } });
      const r = await s.request("POST", QUOTAS("x"), {
        body: {
          metadata: { name: "q" },
          spec: {
            hard: { "count/configmaps": "5", configmaps: "5", cpu: "2" },
          },
        },
      });
      assert.equal(r.status, 201);
      await statusBecomes(s, "x", "q", {
        hard: { "count/configmaps": "5", configmaps: "5", cpu: "2" },
        used: { "count/configmaps": "2", configmaps: "2" },
      });
    });
    await t.step("creates are charged by admission", async () => {
      const r = await s.request("POST", CMS("x"), {
        body: { metadata: { name: "b" } },
      });
      assert.equal(r.status, 201);
      assert.deepEqual((await statusOf(s, "x", "q")).used, {
        "count/configmaps": "3",
        configmaps: "3",
      });
    });
    await t.step("deletes are recalculated", async () => {
      for (const n of ["a", "b"]) {
        const r = await s.request("DELETE", `${CMS("x")}/${n}`);
        assert.equal(r.status, 200);
      }
      await statusBecomes(s, "x", "q", {
        hard: { "count/configmaps": "5", configmaps: "5", cpu: "2" },
        used: { "count/configmaps": "1", configmaps: "1" },
      });
    });
    await t.step("a change of spec.hard is carried to status", async () => {
      const cur = await s.request("GET", `${QUOTAS("x")}/q`);
      cur.body.spec.hard = { "count/secrets": "1k" };
      const r = await s.request("PUT", `${QUOTAS("x")}/q`, { body: cur.body });
      assert.equal(r.status, 200);
      await statusBecomes(s, "x", "q", {
        hard: { "count/secrets": "1k" },
        used: { "count/secrets": "0" },
      });
    });
    await t.step("a freed slot admits a create again", async () => {
      const cur = await s.request("GET", `${QUOTAS("x")}/q`);
      cur.body.spec.hard = { "count/configmaps": "2" };
      await s.request("PUT", `${QUOTAS("x")}/q`, { body: cur.body });
      await statusBecomes(s, "x", "q", {
        hard: { "count/configmaps": "2" },
        used: { "count/configmaps": "1" },
      });
      assert.equal(
        (await s.request("POST", CMS("x"), {
          body: { metadata: { name: "c" } },
        }))
          .status,
        201,
      );
      const over = await s.request("POST", CMS("x"), {
        body: { metadata: { name: "d" } },
      });
      assert.equal(over.status, 403);
      await s.request("DELETE", `${CMS("x")}/c`);
      await statusBecomes(s, "x", "q", {
        hard: { "count/configmaps": "2" },
        used: { "count/configmaps": "1" },
      });
      const again = await s.request("POST", CMS("x"), {
        body: { metadata: { name: "d" } },
      });
      assert.equal(again.status, 201);
    });
    await t.step(
      "custom resources are counted as count/<plural>.<group>",
      async () => {
        const crd = await s.request(
          "POST",
          "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
          { body: widgetCrd() },
        );
        assert.equal(crd.status, 201, JSON.stringify(crd.body));
        const widgets = "/apis/example.com/v1/namespaces/x/widgets";
        await eventually(
          async () => (await s.request("GET", widgets)).status === 200,
          "widgets served",
        );
        const widget = (name: string) => ({
          body: {
            apiVersion: "example.com/v1",
            kind: "Widget",
            metadata: { name },
          },
        });
        assert.equal(
          (await s.request("POST", widgets, widget("w1"))).status,
          201,
        );
        await s.request("POST", QUOTAS("x"), {
          body: {
            metadata: { name: "w" },
            spec: { hard: { "count/widgets.example.com": "2" } },
          },
        });
        await statusBecomes(s, "x", "w", {
          hard: { "count/widgets.example.com": "2" },
          used: { "count/widgets.example.com": "1" },
        });
        assert.equal(
          (await s.request("POST", widgets, widget("w2"))).status,
          201,
        );
        const over = await s.request("POST", widgets, widget("w3"));
        assert.equal(over.status, 403);
        assert.equal(
          over.body.message,
          'widgets.example.com "w3" is forbidden: exceeded quota: w, requested: count/widgets.example.com=1, used: count/widgets.example.com=2, limited: count/widgets.example.com=2',
        );
        await s.request("DELETE", `${widgets}/w1`);
        await statusBecomes(s, "x", "w", {
          hard: { "count/widgets.example.com": "2" },
          used: { "count/widgets.example.com": "1" },
        });
      },
    );
    await t.step(
      "quotas of a virtual cluster count that cluster's objects only",
      async () => {
        // Cluster t1 does not exist yet: its first request creates it.
        const t1 = "/clusters/t1/api/v1/namespaces";
        assert.equal(
          (await s.request("POST", t1, { body: { metadata: { name: "x" } } }))
            .status,
          201,
        );
        const secret = { body: { metadata: { name: "s" } } };
        await s.request("POST", `${t1}/x/secrets`, secret);
        await s.request("POST", "/api/v1/namespaces/x/secrets", secret);
        const r = await s.request("POST", `${t1}/x/resourcequotas`, {
          body: { metadata: { name: "q" }, spec: { hard: { secrets: "1" } } },
        });
        assert.equal(r.status, 201);
        await eventually(async () => {
          const q = await s.request("GET", `${t1}/x/resourcequotas/q`);
          return JSON.stringify(q.body.status?.used) === '{"secrets":"1"}';
        }, "t1's quota counts t1's one secret");
        const over = await s.request("POST", `${t1}/x/secrets`, {
          body: { metadata: { name: "s2" } },
        });
        assert.equal(over.status, 403);
        assert.equal(
          (await s.request("POST", "/api/v1/namespaces/x/secrets", {
            body: { metadata: { name: "s2" } },
          })).status,
          201,
          "root is not limited by t1's quota",
        );
      },
    );
  } finally {
    await stand.close();
  }
});

Deno.test("a periodic resync corrects a charge whose create failed", async () => {
  const stand = await startStand({ controllers: "-*" });
  const s = stand.server;
  const client = new ApiClient(
    inProcessTransport(
      s.api.handler,
      controllerUser("resourcequota-controller"),
    ),
  );
  // Informers read across clusters as the controller manager (as manager.ts).
  const reader = new ApiClient(inProcessTransport(s.api.handler));
  const informers = new InformerFactory(reader, silentLogger);
  const stop = new AbortController();
  const running = Promise.all([
    informers.run(stop.signal),
    runResourceQuotaController(
      {
        client,
        clusters: new ClusterTracker(informers),
        informers,
        logger: silentLogger,
      },
      stop.signal,
      { resyncMs: 100, settleMs: 50 },
    ),
  ]);
  try {
    await namespace(s, "y");
    await s.request("POST", QUOTAS("y"), {
      body: { metadata: { name: "q" }, spec: { hard: { configmaps: "4" } } },
    });
    await statusBecomes(s, "y", "q", {
      hard: { configmaps: "4" },
      used: { configmaps: "0" },
    });
    // Charged by admission, then refused by storage: AlreadyExists.
    assert.equal(
      (await s.request("POST", CMS("y"), { body: { metadata: { name: "a" } } }))
        .status,
      201,
    );
    const dup = await s.request("POST", CMS("y"), {
      body: { metadata: { name: "a" } },
    });
    assert.equal(dup.status, 409);
    assert.deepEqual((await statusOf(s, "y", "q")).used, { configmaps: "2" });
    await statusBecomes(s, "y", "q", {
      hard: { configmaps: "4" },
      used: { configmaps: "1" },
    });
  } finally {
    stop.abort();
    await running;
    client.close();
    reader.close();
    await stand.close();
  }
});
