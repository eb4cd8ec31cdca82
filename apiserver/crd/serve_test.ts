// The CRD definitions plugged into today's generic API server as static
// kinds: proves the ResourceDefinition values work end to end over HTTP
// before the dynamic wiring (see README.md) exists.
import assert from "node:assert/strict";
import { BUILTIN_RESOURCES } from "../resources/registry.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import { computeCrdStatus } from "./status.ts";
import { crdToDefinitions } from "./to_definition.ts";
import { defaultCrd } from "./validate_crd.ts";

function cronTabV1() {
  const crd = cronTabCrd();
  defaultCrd(crd);
  crd.status = computeCrdStatus(crd, { others: [], now: new Date() });
  return crdToDefinitions(crd).find((v) => v.definition.version === "v1")!;
}

const BASE = "/apis/stable.example.com/v1/namespaces/default/crontabs";

function body(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: "stable.example.com/v1",
    kind: "CronTab",
    metadata: { name },
    spec,
  };
}

Deno.test("a custom resource is served by the generic handlers", async (t) => {
  const v1 = cronTabV1();
  const srv = await startTestServer({
    resources: [...BUILTIN_RESOURCES, v1.definition],
  });
  try {
    await t.step("create prunes and defaults", async () => {
      const res = await srv.request("POST", BASE, {
        body: body("a", { cronSpec: "* * * * */5", image: "img", foo: 1 }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.spec, {
        cronSpec: "* * * * */5",
        image: "img",
        replicas: 1,
      });
      assert.equal(res.body.metadata.generation, 1);
    });

    await t.step("invalid objects get 422 with causes", async () => {
      const res = await srv.request("POST", BASE, {
        body: body("b", { cronSpec: "nope", replicas: 0 }),
      });
      assert.equal(res.status, 422);
      assert.equal(res.body.reason, "Invalid");
      assert.deepEqual(
        res.body.details.causes.map((c: { field: string }) => c.field),
        ["spec.cronSpec", "spec.replicas"],
      );
      assert.match(
        res.body.message,
        /^CronTab\.stable\.example\.com "b" is invalid: \[spec\.cronSpec: Invalid value: "nope": spec\.cronSpec in body should match/,
      );
    });

    await t.step("the status subresource only changes status", async () => {
      const cur = await srv.request("GET", `${BASE}/a`);
      const res = await srv.request("PUT", `${BASE}/a/status`, {
        body: {
          ...cur.body,
          spec: { image: "changed" },
          status: { replicas: 2 },
        },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.status, { replicas: 2 });
      assert.equal(res.body.spec.image, "img");
    });

    await t.step("kubectl's Table shows the printer columns", async () => {
      const res = await srv.request("GET", BASE, {
        headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.columnDefinitions.map((c: { name: string }) => c.name),
        ["Name", "Spec", "Replicas", "Ready", "Age"],
      );
      assert.deepEqual(res.body.rows[0].cells.slice(0, 4), [
        "a",
        "* * * * */5",
        1,
        null,
      ]);
    });
  } finally {
    await srv.close();
  }
});
