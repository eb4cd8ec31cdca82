/**
 * Example (b) runs: the application's own controller builds the widget it
 * ordered, and the widget is still there after the application restarts
 * on the same SQLite data directory.
 */

import assert from "node:assert/strict";
import { orderWidget, startEmbeddedApp } from "./embedded_app.ts";

const WIDGET = "/apis/example.com/v1/namespaces/default/widgets/first";

async function getWidget(
  cp: Awaited<ReturnType<typeof startEmbeddedApp>>,
): Promise<{ status?: { built?: boolean }; spec?: { size?: number } }> {
  const res = await cp.handler(
    new Request(`http://app${WIDGET}`, {
      headers: { authorization: `Bearer ${cp.adminToken}` },
    }),
  );
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("the embedded app's controller builds its widgets, which survive a restart", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    {
      await using cp = await startEmbeddedApp(dataDir);
      assert.ok(cp.controllers.includes("widget-builder"));
      assert.ok(cp.controllers.includes("namespace"));
      // Not served, so not run: no service accounts in this app.
      assert.ok(!cp.controllers.includes("serviceaccount"));
      const res = await orderWidget(cp, "first", 4);
      assert.equal(res.status, 201);
      await res.body?.cancel();
      const deadline = Date.now() + 20_000;
      while (!(await getWidget(cp)).status?.built) {
        assert.ok(Date.now() < deadline, "the widget was never built");
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await using again = await startEmbeddedApp(dataDir);
    const widget = await getWidget(again);
    assert.equal(widget.spec?.size, 4);
    assert.equal(widget.status?.built, true);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
