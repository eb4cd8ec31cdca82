/**
 * Example (a): the smallest useful control plane. It serves namespaces,
 * configmaps and one native kind of its own, `Widget`, from memory; no
 * files are left behind (the data directory is temporary).
 *
 * Run it with `deno run -A examples/minimal_control_plane.ts`; it prints
 * a kubeconfig path for `kubectl get widgets` and serves until Ctrl-C.
 *
 * @module
 */

import { createControlPlane } from "../mod.ts";
import { widgets } from "./widget.ts";

/** Starts the example control plane (memory storage, three kinds). */
export async function startMinimalControlPlane() {
  return await createControlPlane({
    resources: ["namespaces", "configmaps", widgets],
  });
}

if (import.meta.main) {
  const started = performance.now();
  await using cp = await startMinimalControlPlane();
  const ms = Math.round(performance.now() - started);
  // In-process, with fetch-style Requests:
  const res = await cp.handler(
    new Request("http://cp/apis/example.com/v1/namespaces/default/widgets", {
      method: "POST",
      headers: {
        authorization: `Bearer ${cp.adminToken}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ metadata: { name: "first" }, spec: { size: 3 } }),
    }),
  );
  console.log(`started in ${ms} ms; created a widget: ${res.status}`);
  // Over HTTPS for kubectl:
  const served = await cp.serve();
  const kubeconfig = `${cp.dataDir}/admin.kubeconfig`;
  await Deno.writeTextFile(kubeconfig, await cp.kubeconfig());
  console.log(`serving ${served.url}`);
  console.log(`kubectl --kubeconfig ${kubeconfig} get widgets`);
  await new Promise<void>((resolve) =>
    Deno.addSignalListener("SIGINT", () => resolve())
  );
}
