/**
 * Test helpers: an in-process API server with the controllers running on it,
 * and a poll-until helper (tests wait for outcomes, never for times).
 *
 * @module
 */

import { startTestServer, type TestServer } from "./apiserver_harness.ts";
import { silentLogger } from "../../log/mod.ts";
import {
  type RunningControllers,
  startControllers,
} from "../../controllers/manager.ts";
import type { StartControllersOptions } from "../../controllers/manager.ts";

/** A test API server with controllers. */
export interface ControllerStand {
  server: TestServer;
  controllers: RunningControllers;
  close(): Promise<void>;
}

/** The CA the stand publishes. */
export const TEST_CA =
  "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n";

/** Starts an in-process API server (memory) and the controllers on it. */
export async function startStand(
  opts: Partial<StartControllersOptions> = {},
): Promise<ControllerStand> {
  const server = await startTestServer();
  const controllers = startControllers({
    handler: server.api.handler,
    logger: silentLogger,
    rootCA: TEST_CA,
    ...opts,
  });
  return {
    server,
    controllers,
    async close() {
      await controllers.stop();
      await server.close();
    },
  };
}

/**
 * Polls `cond` up to `attempts` (2,000) times, `intervalMs` (10) apart:
 * fails after ~20 s plus the time `cond` itself takes.
 */
export async function eventually(
  cond: () => Promise<boolean> | boolean,
  what = "condition",
  { attempts = 2000, intervalMs = 10 } = {},
): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Creates Widget `name` (the kind of `widgetCrd` in `crd_testdata.ts`) in
 * `namespace` under `base` (`""` or `/clusters/<name>`), retrying until its
 * CRD is served; returns the created object.
 */
export async function createWidgetWhenServed(
  s: Pick<TestServer, "request">,
  base: string,
  namespace: string,
  name: string,
): Promise<Record<string, unknown>> {
  let created: Record<string, unknown> = {};
  await eventually(async () => {
    const r = await s.request(
      "POST",
      `${base}/apis/example.com/v1/namespaces/${namespace}/widgets`,
      {
        body: {
          apiVersion: "example.com/v1",
          kind: "Widget",
          metadata: { name },
        },
      },
    );
    created = r.body as Record<string, unknown>;
    return r.status === 201;
  }, `widget ${name} created`);
  return created;
}
