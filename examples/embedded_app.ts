/**
 * Example (b): an application that embeds its control plane. One process
 * runs the API on SQLite (state survives restarts in `dataDir`), the
 * built-in controllers that apply to its kinds, and its own
 * `widget-builder` controller; the application talks to the API
 * in-process through the fetch-style handler.
 *
 * Run it with `deno run -A examples/embedded_app.ts [DATA_DIR]`.
 *
 * @module
 */

import { type ControlPlane, createControlPlane, type Logger } from "../mod.ts";
import { widgets } from "./widget.ts";
import { widgetController } from "./widget_controller.ts";

/** Starts the embedded control plane with its data in `dataDir`. */
export async function startEmbeddedApp(
  dataDir: string,
  logger?: Logger,
): Promise<ControlPlane> {
  return await createControlPlane({
    storage: { backend: "sqlite" },
    dataDir,
    resources: ["namespaces", "configmaps", "secrets", widgets],
    controllers: ["*", widgetController],
    logger,
  });
}

/** Orders a widget through the API, as the application's own code would. */
export async function orderWidget(
  cp: ControlPlane,
  name: string,
  size: number,
): Promise<Response> {
  return await cp.handler(
    new Request(
      "http://app/apis/example.com/v1/namespaces/default/widgets",
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${cp.adminToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          apiVersion: "example.com/v1",
          kind: "Widget",
          metadata: { name },
          spec: { size },
        }),
      },
    ),
  );
}

if (import.meta.main) {
  const dataDir = Deno.args[0] ?? await Deno.makeTempDir();
  await using cp = await startEmbeddedApp(dataDir);
  const res = await orderWidget(cp, `w-${Date.now()}`, 5);
  console.log(`ordered a widget: ${res.status}; data in ${dataDir}`);
  console.log(`controllers: ${cp.controllers.join(", ")}`);
}
