import assert from "node:assert/strict";
import {
  ADMIN,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { KUBECTL_BODIES } from "../protobuf/testdata/kubectl_bodies.ts";
import { fromBase64 } from "../protobuf/testdata/envelope.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";

Deno.test("protobuf request bodies from kubectl are accepted over HTTP", async (t) => {
  const s = await startTestServer();
  const post = (path: string, body: Uint8Array) =>
    s.api.handler(
      new Request(`http://x${path}`, {
        method: "POST",
        headers: { "content-type": PROTOBUF },
        body: new Uint8Array(body),
      }),
      { user: ADMIN },
    );
  try {
    await t.step(
      "kubectl create configmap's body creates the configmap",
      async () => {
        const res = await post(
          "/api/v1/namespaces/default/configmaps",
          fromBase64(KUBECTL_BODIES["configmap"].body),
        );
        const body = await res.json();
        assert.equal(res.status, 201, JSON.stringify(body));
        assert.equal(body.kind, "ConfigMap");
      },
    );
    await t.step("a body without the k8s magic is 400", async () => {
      const res = await post(
        "/api/v1/namespaces/default/configmaps",
        new Uint8Array([1, 2, 3]),
      );
      assert.equal(res.status, 400);
      assert.equal((await res.json()).kind, "Status");
    });
  } finally {
    await s.close();
  }
});
