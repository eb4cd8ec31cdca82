import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const QUOTAS = "/api/v1/namespaces/default/resourcequotas";

function quota(name: string, spec: Record<string, unknown>) {
  return { body: { metadata: { name }, spec } };
}

Deno.test("resourcequotas", async (t) => {
  const s = await startTestServer();
  try {
    await t.step(
      "quantities are stored in canonical form and status starts empty",
      async () => {
        const r = await s.request(
          "POST",
          QUOTAS,
          {
            body: {
              metadata: { name: "q" },
              spec: { hard: { secrets: "1000m", cpu: 1.5, memory: "1.5Gi" } },
              status: { used: { secrets: "9" } },
            },
          },
        );
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.deepEqual(r.body.spec.hard, {
          secrets: "1",
          cpu: "1500m",
          memory: "1536Mi",
        });
        assert.equal(r.body.status, undefined);
      },
    );
    await t.step("status is written only through /status", async () => {
      const cur = (await s.request("GET", `${QUOTAS}/q`)).body;
      cur.status = { hard: { secrets: "1" }, used: { secrets: "0" } };
      const put = await s.request("PUT", `${QUOTAS}/q`, { body: cur });
      assert.equal(put.status, 200);
      assert.equal(put.body.status, undefined);
      const st = await s.request("PUT", `${QUOTAS}/q/status`, { body: cur });
      assert.equal(st.status, 200);
      assert.deepEqual(st.body.status, {
        hard: { secrets: "1" },
        used: { secrets: "0" },
      });
    });
    await t.step("names and quantities are validated as upstream", async () => {
      const r = await s.request(
        "POST",
        QUOTAS,
        quota("bad", {
          hard: {
            "count/configmaps": "1500m",
            "kubernetes.io/x": "1500m",
            secrets: "-1",
            storage: "1",
            foo: "1",
            "a/b/c": "1",
            pods: "x",
          },
        }),
      );
      assert.equal(r.status, 422);
      const causes = r.body.details.causes.map((
        c: { field: string; message: string },
      ) => `${c.field}: ${c.message}`);
      assert.deepEqual(causes, [
        'spec.hard[count/configmaps]: Invalid value: "1500m": must be an integer',
        'spec.hard[secrets]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota',
        'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
        `spec.hard[a/b/c]: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
        `spec.hard[pods]: Invalid value: "x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      ]);
    });
    await t.step(
      "pod scopes are accepted as upstream accepts them, and checked against standard resources",
      async () => {
        const ok = await s.request(
          "POST",
          QUOTAS,
          quota("scoped", {
            hard: { "count/configmaps": "1", pods: "2" },
            scopes: ["Terminating"],
          }),
        );
        assert.equal(ok.status, 201, JSON.stringify(ok.body));
        const bad = await s.request(
          "POST",
          QUOTAS,
          quota("scoped2", {
            hard: { configmaps: "1" },
            scopes: ["BestEffort", "NotBestEffort", "Nope"],
          }),
        );
        assert.equal(bad.status, 422);
        assert.deepEqual(
          bad.body.details.causes.map((c: { message: string }) => c.message),
          [
            "Invalid value: array: unsupported scope applied to resource",
            "Invalid value: array: unsupported scope applied to resource",
            "Invalid value: array: unsupported scope",
            "Invalid value: array: conflicting scopes",
          ],
        );
      },
    );
    await t.step("scope selectors are validated as upstream", async () => {
      const r = await s.request(
        "POST",
        QUOTAS,
        quota("sel", {
          hard: { pods: "1" },
          scopeSelector: {
            matchExpressions: [
              { scopeName: "PriorityClass", operator: "In" },
              { scopeName: "Terminating", operator: "In", values: ["a"] },
              { scopeName: "PriorityClass", operator: "Exists", values: ["a"] },
            ],
          },
        }),
      );
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.body.details.causes.map((c: { field: string }) => c.field),
        [
          "spec.scopeSelector.matchExpressions.values",
          "spec.scopeSelector.matchExpressions.operator",
          "spec.scopeSelector.matchExpressions.values",
        ],
      );
    });
    await t.step("kubectl's table: NAME AGE REQUEST LIMIT", async () => {
      await s.request(
        "POST",
        QUOTAS,
        quota("compute", {
          hard: {
            "limits.cpu": "2",
            "requests.cpu": "1",
            "count/secrets": "3",
          },
        }),
      );
      await s.request("PUT", `${QUOTAS}/compute/status`, {
        body: {
          metadata: { name: "compute" },
          status: {
            hard: {
              "limits.cpu": "2",
              "requests.cpu": "1",
              "count/secrets": "3",
            },
            used: { "count/secrets": "1" },
          },
        },
      });
      const r = await s.request("GET", `${QUOTAS}/compute`, {
        headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
      });
      assert.deepEqual(
        r.body.columnDefinitions.map((c: { name: string }) => c.name),
        ["Name", "Age", "Request", "Limit"],
      );
      assert.deepEqual(r.body.rows[0].cells.slice(2), [
        "count/secrets: 1/3, requests.cpu: 0/1",
        "limits.cpu: 0/2",
      ]);
    });
    await t.step(
      "discovery: short name quota and the status subresource",
      async () => {
        const r = await s.request("GET", "/api/v1");
        const names = r.body.resources.map((x: { name: string }) => x.name);
        assert.ok(names.includes("resourcequotas/status"));
        const rq = r.body.resources.find((x: { name: string }) =>
          x.name === "resourcequotas"
        );
        assert.deepEqual(rq.shortNames, ["quota"]);
      },
    );
    await t.step("OpenAPI v3 describes the kind", async () => {
      const idx = await s.request("GET", "/openapi/v3");
      const url = idx.body.paths["api/v1"].serverRelativeURL;
      const doc = await s.request("GET", url);
      const schemas = doc.body.components.schemas;
      assert.ok(schemas["io.k8s.api.core.v1.ResourceQuota"]);
      assert.ok(schemas["io.k8s.api.core.v1.ResourceQuotaSpec"]);
    });
  } finally {
    await s.close();
  }
});
