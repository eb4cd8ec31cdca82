/**
 * Example (a) runs: it starts in-process, answers fetch-style requests
 * (validation and defaulting of the `Widget` kind included) and real
 * kubectl v1.35 lists its widgets through the kubeconfig it writes.
 */

import assert from "node:assert/strict";
import {
  kubeTools,
  runTool,
  skipWithoutKubeTools,
} from "../tests/support/kubectl.ts";
import { adminSender } from "../tests/support/control_plane_requests.ts";
import { startMinimalControlPlane } from "./minimal_control_plane.ts";

const WIDGETS = "/apis/example.com/v1/namespaces/default/widgets";

Deno.test("the minimal control plane serves widgets to fetch and kubectl", async () => {
  const started = performance.now();
  await using cp = await startMinimalControlPlane();
  // Reported, not asserted (a shared machine's timing is no verdict).
  console.log(
    `minimal control plane started in ${
      Math.round(performance.now() - started)
    } ms`,
  );
  const send = adminSender(cp);
  const created = await send("POST", WIDGETS, {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "first" },
    spec: { size: 3 },
  });
  assert.equal(created.status, 201);
  assert.equal((await created.json()).spec.color, "grey"); // defaulted
  const bad = await send("POST", WIDGETS, {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "huge" },
    spec: { size: 99 },
  });
  assert.equal(bad.status, 422);
  assert.match((await bad.json()).message, /spec\.size/);
  const secrets = await send("GET", "/api/v1/namespaces/default/secrets");
  assert.equal(secrets.status, 404); // not chosen, not served
  await secrets.body?.cancel();
  const anonymous = await cp.handler(new Request(`http://cp${WIDGETS}`));
  assert.equal(anonymous.status, 403);
  await anonymous.body?.cancel();

  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl get widgets")) return;
  await cp.serve();
  const kubeconfig = `${cp.dataDir}/admin.kubeconfig`;
  await Deno.writeTextFile(kubeconfig, await cp.kubeconfig());
  const got = await runTool(tools!.kubectl, [
    "--kubeconfig",
    kubeconfig,
    "get",
    "widgets",
  ], { env: { HOME: cp.dataDir } });
  assert.match(got.stdout, /^NAME\s+SIZE\s+COLOR\s*$/m);
  assert.match(got.stdout, /^first\s+3\s+grey\s*$/m);
});
