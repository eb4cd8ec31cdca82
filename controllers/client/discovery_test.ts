import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { widgetCrd } from "../../tests/support/crd_testdata.ts";
import { eventually } from "../../tests/support/controllers.ts";
import type { ApiHandler } from "../../apiserver/request_context.ts";
import { ApiClient } from "./api_client.ts";
import { discoverResources } from "./discovery.ts";
import type { Transport } from "./transport.ts";

const ADMIN = {
  username: "admin",
  groups: ["system:masters", "system:authenticated"],
};

/** A transport counting requests; `plain` drops aggregated discovery. */
function counting(handler: ApiHandler, plain = false) {
  const paths: string[] = [];
  const transport: Transport = {
    send(req) {
      paths.push(new URL(req.url).pathname);
      if (plain) req.headers.set("accept", "application/json");
      return handler(req, { user: ADMIN, signal: req.signal });
    },
    close() {},
  };
  return { client: new ApiClient(transport), paths };
}

Deno.test("aggregated discovery lists what the legacy walk lists, in two requests", async () => {
  const s = await startTestServer();
  try {
    await s.request(
      "POST",
      "/clusters/t/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      { body: widgetCrd() },
    );
    const aggregated = counting(s.api.handler);
    const legacy = counting(s.api.handler, true);
    await eventually(
      async () =>
        (await discoverResources(aggregated.client, "t")).resources.some((r) =>
          r.resource === "widgets"
        ),
      "widgets served",
    );
    aggregated.paths.length = 0;
    const a = await discoverResources(aggregated.client, "t");
    const l = await discoverResources(legacy.client, "t");
    assert.deepEqual(a, l);
    assert.deepEqual(a.failed, []);
    assert.ok(a.resources.some((r) => r.resource === "configmaps"));
    assert.deepEqual(aggregated.paths.sort(), [
      "/clusters/t/api",
      "/clusters/t/apis",
    ]);
    // The legacy walk: /api, /apis (refused aggregated), then every group.
    assert.ok(legacy.paths.length > 10, legacy.paths.join());
  } finally {
    await s.close();
  }
});

Deno.test("discovery across clusters lists the built-ins, not one cluster's custom resources", async () => {
  const s = await startTestServer();
  try {
    await s.request(
      "POST",
      "/clusters/t/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      { body: widgetCrd() },
    );
    const { client } = counting(s.api.handler);
    await eventually(
      async () =>
        (await discoverResources(client, "t")).resources.some((r) =>
          r.resource === "widgets"
        ),
      "widgets served in t",
    );
    const all = await discoverResources(client, "*");
    assert.ok(all.resources.some((r) => r.resource === "configmaps"));
    assert.ok(!all.resources.some((r) => r.resource === "widgets"));
  } finally {
    await s.close();
  }
});
