import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

Deno.test("a delete body in an unknown media type is 415 and deletes nothing", async () => {
  const s = await startTestServer();
  try {
    const base = "/api/v1/namespaces/default/configmaps";
    assert.equal(
      (await s.request("POST", base, { body: configMap("kept") })).status,
      201,
    );
    const bad = await s.request("DELETE", `${base}/kept`, {
      text: "{}",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(bad.status, 415);
    assert.equal(bad.body.reason, "UnsupportedMediaType");
    assert.equal((await s.request("GET", `${base}/kept`)).status, 200);
    const ok = await s.raw("DELETE", `${base}/kept`, {
      text: "{}",
      headers: { "content-type": "application/json" },
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await s.close();
  }
});
