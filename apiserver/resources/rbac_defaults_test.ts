import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

Deno.test("binding subjects get upstream's default apiGroup", async () => {
  const s = await startTestServer();
  try {
    for (
      const [path, kind] of [
        [
          "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
          "RoleBinding",
        ],
        [
          "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
          "ClusterRoleBinding",
        ],
      ]
    ) {
      const r = await s.request("POST", path, {
        body: {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind,
          metadata: { name: "defaults" },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "view",
          },
          subjects: [
            { kind: "User", name: "u" },
            { kind: "Group", name: "g" },
            { kind: "ServiceAccount", name: "sa", namespace: "default" },
          ],
        },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.subjects.map((x: { apiGroup?: string }) => x.apiGroup ?? ""),
        ["rbac.authorization.k8s.io", "rbac.authorization.k8s.io", ""],
      );
    }
  } finally {
    await s.close();
  }
});
