import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { decodeKubeProtobuf } from "./decode.ts";
import { KUBECTL_BODIES } from "./testdata/kubectl_bodies.ts";
import { fromBase64 } from "./testdata/envelope.ts";

/** Where kubectl posts each `create` fixture. */
const COLLECTIONS: Record<string, string> = {
  "configmap": "/api/v1/namespaces/default/configmaps",
  "secret-generic": "/api/v1/namespaces/default/secrets",
  "secret-docker-registry": "/api/v1/namespaces/default/secrets",
  "namespace": "/api/v1/namespaces",
  "serviceaccount": "/api/v1/namespaces/default/serviceaccounts",
  "role": "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
  "rolebinding":
    "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
  "clusterrole": "/apis/rbac.authorization.k8s.io/v1/clusterroles",
  "clusterrole-aggregated": "/apis/rbac.authorization.k8s.io/v1/clusterroles",
  "clusterrolebinding":
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
};

Deno.test("the server creates every object decoded from a kubectl create body", async (t) => {
  const server = await startTestServer();
  try {
    for (const [name, path] of Object.entries(COLLECTIONS)) {
      await t.step(name, async () => {
        const obj = decodeKubeProtobuf(fromBase64(KUBECTL_BODIES[name].body));
        const res = await server.request(
          "POST",
          `${path}?fieldManager=kubectl-create&fieldValidation=Strict`,
          { body: obj },
        );
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.kind, obj.kind);
      });
    }
  } finally {
    await server.close();
  }
});
