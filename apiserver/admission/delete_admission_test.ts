/**
 * Deletes pass validating admission as upstream's `deleteValidation`: a
 * ValidatingAdmissionPolicy matching DELETE sees `object == null` and the
 * object being deleted as `oldObject`, and may refuse the delete; nothing
 * is deleted then. Dry runs are refused the same way.
 */

import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const AR = "/apis/admissionregistration.k8s.io/v1";
const CM = "/api/v1/namespaces/default/configmaps";

Deno.test("a ValidatingAdmissionPolicy on DELETE refuses deleting a protected object", async () => {
  const s = await startTestServer();
  try {
    const p = await s.request("POST", `${AR}/validatingadmissionpolicies`, {
      body: {
        metadata: { name: "keep-protected" },
        spec: {
          matchConstraints: {
            resourceRules: [{
              apiGroups: [""],
              apiVersions: ["v1"],
              operations: ["DELETE"],
              resources: ["configmaps"],
            }],
          },
          validations: [{
            expression:
              "object == null && oldObject.metadata.?labels.?protected.orValue('') != 'true'",
            message: "protected configmaps may not be deleted",
          }],
        },
      },
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const b = await s.request(
      "POST",
      `${AR}/validatingadmissionpolicybindings`,
      {
        body: {
          metadata: { name: "keep-protected" },
          spec: { policyName: "keep-protected", validationActions: ["Deny"] },
        },
      },
    );
    assert.equal(b.status, 201, JSON.stringify(b.body));
    for (
      const [name, labels] of [["kept", { protected: "true" }], ["gone", {}]]
    ) {
      const r = await s.request("POST", CM, {
        body: configMap(name as string, {}, { metadata: { labels } }),
      });
      assert.equal(r.status, 201);
    }
    // The binding is in force once the policy index has seen it.
    let refused = await s.request("DELETE", `${CM}/kept?dryRun=All`);
    for (let i = 0; i < 100 && refused.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      refused = await s.request("DELETE", `${CM}/kept?dryRun=All`);
    }
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.match(
      refused.body.message,
      /ValidatingAdmissionPolicy 'keep-protected' with binding 'keep-protected' denied request: protected configmaps may not be deleted/,
    );
    const real = await s.request("DELETE", `${CM}/kept`);
    assert.equal(real.status, 422);
    assert.equal((await s.request("GET", `${CM}/kept`)).status, 200);
    const other = await s.request("DELETE", `${CM}/gone`);
    assert.equal(other.status, 200, JSON.stringify(other.body));
    assert.equal((await s.request("GET", `${CM}/gone`)).status, 404);
    // A collection delete asks for each object: the protected one stays.
    const coll = await s.request("DELETE", CM);
    assert.equal(coll.status, 422);
    assert.equal((await s.request("GET", `${CM}/kept`)).status, 200);
  } finally {
    await s.close();
  }
});
