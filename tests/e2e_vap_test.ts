/**
 * End-to-end ValidatingAdmissionPolicy with the real kubectl v1.35 against
 * a real `hyperplane server`: a policy and binding applied from YAML deny a
 * ConfigMap without a label (kubectl prints upstream's message), a Warn
 * binding shows kubectl's `Warning:` line, an invalid expression is refused
 * with a 422 (never a 500), and `get`/`explain` show upstream's columns and
 * schema.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-team
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["configmaps"]
    namespaceSelector:
      matchLabels:
        vap: enforced
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: "every ConfigMap needs a team label"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: require-team-binding
spec:
  policyName: require-team
  validationActions: [Deny]
`;

const WARN = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: small-configmaps
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["configmaps"]
  validations:
  - expression: "!has(object.data) || size(object.data) <= 1"
    messageExpression: "'has ' + string(size(object.data)) + ' keys, 1 at most'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: small-configmaps-warn
spec:
  policyName: small-configmaps
  validationActions: [Warn]
  matchResources:
    namespaceSelector:
      matchLabels:
        vap: warned
`;

const BROKEN = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: broken
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["configmaps"]
  validations:
  - expression: "object.metadata.name =="
`;

function configMap(name: string, ns: string, extra = ""): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
${extra}`;
}

/** Runs `args` until `ok` (a new binding is in force a moment after it is stored). */
async function eventually(
  k: Kubectl,
  args: string[],
  stdin: () => string,
  ok: (r: { code: number; stderr: string }) => boolean,
) {
  let r = await k(args, { stdin: stdin(), check: false });
  for (let i = 0; i < 40 && !ok(r); i++) {
    await new Promise((res) => setTimeout(res, 100));
    r = await k(args, { stdin: stdin(), check: false });
  }
  return r;
}

Deno.test("ValidatingAdmissionPolicy end to end with kubectl v1.35", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "ValidatingAdmissionPolicy e2e")) return;
  await using server = await startServer();
  const k = kubectlFor(tools!.kubectl, server);
  await k(["create", "namespace", "enforced"]);
  await k(["label", "namespace", "enforced", "vap=enforced"]);
  await k(["create", "namespace", "warned"]);
  await k(["label", "namespace", "warned", "vap=warned"]);
  let n = 0;

  await t.step(
    "a policy and binding from YAML deny a ConfigMap without a label",
    async () => {
      const applied = await k(["apply", "-f", "-"], { stdin: POLICY });
      assert.match(
        applied.stdout,
        /validatingadmissionpolicy.admissionregistration.k8s.io\/require-team created/,
      );
      assert.match(
        applied.stdout,
        /validatingadmissionpolicybinding.admissionregistration.k8s.io\/require-team-binding created/,
      );
      const denied = await eventually(
        k,
        ["apply", "-f", "-"],
        () => configMap(`plain-${++n}`, "enforced"),
        (r) => r.code !== 0,
      );
      assert.notEqual(denied.code, 0);
      assert.match(
        denied.stderr,
        /The configmaps "plain-\d+" is invalid: : ValidatingAdmissionPolicy 'require-team' with binding 'require-team-binding' denied request: every ConfigMap needs a team label/,
      );
      const created = await k(["create", "configmap", "x", "-n", "enforced"], {
        check: false,
      });
      assert.match(
        created.stderr,
        /ValidatingAdmissionPolicy 'require-team' with binding 'require-team-binding' denied request: every ConfigMap needs a team label/,
      );
      const labelled = await k(["apply", "-f", "-"], {
        stdin: configMap("labelled", "enforced", "  labels:\n    team: a\n"),
      });
      assert.match(labelled.stdout, /configmap\/labelled created/);
      // Namespaces the policy does not select are not affected.
      await k(["create", "configmap", "free", "-n", "default"]);
    },
  );

  await t.step(
    "a Warn binding prints kubectl's Warning line and the write succeeds",
    async () => {
      await k(["apply", "-f", "-"], { stdin: WARN });
      const r = await eventually(
        k,
        ["apply", "-f", "-"],
        () => configMap(`big-${++n}`, "warned", "data:\n  a: '1'\n  b: '2'\n"),
        (r) => r.stderr.includes("Warning:"),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /Warning: Validation failed for ValidatingAdmissionPolicy 'small-configmaps' with binding 'small-configmaps-warn': has 2 keys, 1 at most/,
      );
    },
  );

  await t.step(
    "an invalid expression is reported as invalid, never a 500",
    async () => {
      const r = await k(["apply", "-f", "-"], { stdin: BROKEN, check: false });
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /The ValidatingAdmissionPolicy "broken" is invalid: spec.validations\[0\].expression: Invalid value: "object.metadata.name ==": compilation failed: ERROR: <input>:1:/,
      );
      assert.doesNotMatch(r.stderr, /InternalError|500/);
    },
  );

  await t.step(
    "get shows upstream's columns; the status is filled; explain reads the schema",
    async () => {
      const policies = await k(["get", "validatingadmissionpolicies"]);
      assert.match(policies.stdout, /^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\n/);
      assert.match(policies.stdout, /\nrequire-team\s+1\s+<unset>\s+\S+/);
      const bindings = await k(["get", "validatingadmissionpolicybindings"]);
      assert.match(bindings.stdout, /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\n/);
      assert.match(
        bindings.stdout,
        /\nrequire-team-binding\s+require-team\s+<unset>\s+\S+/,
      );
      let status = "";
      for (let i = 0; i < 40 && !status.includes("observedGeneration"); i++) {
        status = (await k([
          "get",
          "validatingadmissionpolicy",
          "require-team",
          "-o",
          "jsonpath={.status}",
        ])).stdout;
        if (!status.includes("observedGeneration")) {
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      assert.deepEqual(JSON.parse(status), {
        observedGeneration: 1,
        typeChecking: {},
      });
      const explain = await k([
        "explain",
        "validatingadmissionpolicy.spec.validations",
      ]);
      assert.match(explain.stdout, /messageExpression/);
      assert.match(explain.stdout, /expression\s+<string> -required-/);
    },
  );
});
