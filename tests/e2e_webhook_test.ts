/**
 * End-to-end admission webhooks with the real kubectl v1.35 against a real
 * `hyperplane server`: a real HTTPS webhook started here on 127.0.0.1 with
 * its own CA labels ConfigMaps (mutating) and refuses names starting with
 * `deny-` (validating); the configurations are applied, listed, explained
 * and validated through kubectl (server-side apply, matchConditions); a
 * hanging webhook times out without holding other requests; a stopped
 * webhook is survived under `failurePolicy: Ignore` and refuses writes under
 * `Fail` with upstream's message; the server stays healthy.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";
import {
  patchOf,
  startWebhookServer,
  type TestWebhookServer,
} from "./support/webhook_server.ts";

function configurations(
  hook: TestWebhookServer,
  policy: "Fail" | "Ignore",
): string {
  const common = (path: string) => `
  clientConfig:
    url: ${hook.url}${path}
    caBundle: ${hook.caBundle}
  rules:
  - operations: ["CREATE", "UPDATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["configmaps"]
  namespaceSelector:
    matchLabels: {webhooks: "on"}
  failurePolicy: ${policy}
  sideEffects: None
  admissionReviewVersions: ["v1"]
  timeoutSeconds: 3`;
  return `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: labeler}
webhooks:
- name: labeler.example.com${common("/mutate")}
  objectSelector:
    matchExpressions: [{key: slow, operator: DoesNotExist}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: denier}
webhooks:
- name: denier.example.com${common("/validate")}
  objectSelector:
    matchExpressions: [{key: slow, operator: DoesNotExist}]
- name: slow.example.com${common("/slow")}
  objectSelector:
    matchLabels: {slow: "yes"}
`;
}

function configMapYaml(name: string, labels: Record<string, string> = {}) {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "hooked", labels },
    data: { k: "v" },
  });
}

/** Runs `attempt` until `ok` (configurations reach the plugins by watch). */
async function eventually<T>(
  attempt: () => Promise<T>,
  ok: (t: T) => boolean,
): Promise<T> {
  let last = await attempt();
  for (let i = 0; i < 40 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await attempt();
  }
  return last;
}

Deno.test("admission webhooks with kubectl v1.35: a real HTTPS webhook mutates and denies; failure policies", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "webhook e2e")) return;
  const hook = await startWebhookServer((review, path) => {
    const req = review.request as {
      name: string;
      object: { metadata: { labels?: Record<string, string> } };
    };
    if (path === "/slow") return "hang";
    if (path === "/keep") {
      return {
        response: { allowed: false, status: { message: "kept by keeper" } },
      };
    }
    if (path === "/gate") {
      return {
        response: { allowed: false, status: { message: "gate says no" } },
      };
    }
    if (path === "/mutate") {
      return {
        response: {
          allowed: true,
          patchType: "JSONPatch",
          patch: patchOf([{
            op: "add",
            path: "/metadata/labels",
            value: { ...req.object.metadata.labels, webhook: "was-here" },
          }]),
        },
      };
    }
    if (req.name.startsWith("deny-")) {
      return {
        response: {
          allowed: false,
          status: {
            code: 403,
            message: "names starting with deny- are not allowed",
          },
          warnings: ["the denier looked at this"],
        },
      };
    }
    return { response: { allowed: true } };
  });
  try {
    await using server = await startServer();
    const k: Kubectl = kubectlFor(tools!.kubectl, server);
    await k(["create", "namespace", "hooked"]);
    await k(["label", "namespace", "hooked", "webhooks=on"]);
    const create = (name: string, labels: Record<string, string> = {}) =>
      k(["create", "-f", "-", "-o", "json"], {
        stdin: configMapYaml(name, labels),
        check: false,
      });
    let n = 0;

    await t.step(
      "kubectl applies both configurations (strict OpenAPI validation)",
      async () => {
        const out = await k(["apply", "-f", "-"], {
          stdin: configurations(hook, "Fail"),
        });
        assert.match(
          out.stdout,
          /mutatingwebhookconfiguration.admissionregistration.k8s.io\/labeler created/,
        );
        assert.match(
          out.stdout,
          /validatingwebhookconfiguration.admissionregistration.k8s.io\/denier created/,
        );
        const get = await k(["get", "validatingwebhookconfigurations"]);
        assert.match(get.stdout, /^NAME\s+WEBHOOKS\s+AGE\n/);
        assert.match(get.stdout, /^denier\s+2\s+\d+s\n/m);
        const explain = await k([
          "explain",
          "mutatingwebhookconfiguration.webhooks.reinvocationPolicy",
        ]);
        assert.match(explain.stdout, /IfNeeded/);
      },
    );

    await t.step(
      "an invalid configuration is refused with upstream's field errors",
      async () => {
        const bad = configurations(hook, "Fail").split("---")[0]
          .replace("name: labeler.example.com", "name: labeler")
          .replace("timeoutSeconds: 3", "timeoutSeconds: 60")
          .replace("{name: labeler}", "{name: bad}");
        const out = await k(["apply", "-f", "-"], { stdin: bad, check: false });
        assert.notEqual(out.code, 0);
        assert.match(
          out.stderr,
          /The MutatingWebhookConfiguration "bad" is invalid: \n\* webhooks\[0\]\.name: Invalid value: "labeler": should be a domain with at least three segments separated by dots\n\* webhooks\[0\]\.timeoutSeconds: Invalid value: 60: the timeout value must be between 1 and 30 seconds\n/,
        );
      },
    );

    await t.step("the mutating webhook labels new configmaps", async () => {
      const out = await eventually(
        () => create(`cm-${n++}`),
        (r) =>
          r.code === 0 &&
          JSON.parse(r.stdout).metadata.labels?.webhook === "was-here",
      );
      assert.equal(out.code, 0, out.stderr);
      assert.equal(JSON.parse(out.stdout).metadata.labels.webhook, "was-here");
    });

    await t.step(
      "the validating webhook denies deny- names with its message and warnings",
      async () => {
        const out = await create("deny-me");
        assert.notEqual(out.code, 0);
        assert.match(
          out.stderr,
          /admission webhook "denier\.example\.com" denied the request: names starting with deny- are not allowed/,
        );
        assert.match(out.stderr, /Warning: the denier looked at this/);
        const dry = await k([
          "create",
          "configmap",
          "deny-dry",
          "-n",
          "hooked",
          "--dry-run=server",
        ], { check: false });
        assert.notEqual(dry.code, 0);
        assert.match(dry.stderr, /denied the request/);
      },
    );

    await t.step(
      "a namespace outside the namespaceSelector is not sent to the webhooks",
      async () => {
        await k(["create", "namespace", "plain"]);
        const out = await k([
          "create",
          "configmap",
          "deny-elsewhere",
          "-n",
          "plain",
          "-o",
          "json",
        ]);
        assert.equal(JSON.parse(out.stdout).metadata.labels, undefined);
      },
    );

    await t.step(
      "server-side apply of a configuration with matchConditions (CEL)",
      async () => {
        const gate = {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingWebhookConfiguration",
          metadata: { name: "gate" },
          webhooks: [{
            name: "gate.example.com",
            clientConfig: { url: `${hook.url}/gate`, caBundle: hook.caBundle },
            rules: [{
              operations: ["CREATE"],
              apiGroups: [""],
              apiVersions: ["v1"],
              resources: ["configmaps"],
            }],
            objectSelector: { matchLabels: { gate: "on" } },
            matchConditions: [{
              name: "not-exempt",
              expression: "!object.metadata.name.endsWith('-exempt')",
            }, {
              name: "by-a-user",
              expression: "request.userInfo.username != ''",
            }],
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
          }],
        };
        const applied = await k([
          "apply",
          "--server-side",
          "--field-manager=e2e",
          "-f",
          "-",
        ], { stdin: JSON.stringify(gate) });
        assert.match(
          applied.stdout,
          /validatingwebhookconfiguration.admissionregistration.k8s.io\/gate serverside-applied/,
        );
        const names = await k([
          "get",
          "validatingwebhookconfiguration",
          "gate",
          "-o",
          "jsonpath={.webhooks[0].matchConditions[*].name}",
        ]);
        assert.equal(names.stdout, "not-exempt by-a-user");
        const denied = await eventually(
          () => create(`gated-${n++}`, { gate: "on" }),
          (r) => r.code !== 0,
        );
        assert.match(
          denied.stderr,
          /admission webhook "gate\.example\.com" denied the request: gate says no/,
        );
        const exempt = await create("gated-exempt", { gate: "on" });
        assert.equal(exempt.code, 0, exempt.stderr);
      },
    );

    await t.step(
      "a mutating webhook registered for DELETE refuses a kubectl delete",
      async () => {
        const made = await create("kept", { keep: "yes" });
        assert.equal(made.code, 0, made.stderr);
        const keeper = {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "MutatingWebhookConfiguration",
          metadata: { name: "keeper" },
          webhooks: [{
            name: "keeper.example.com",
            clientConfig: { url: `${hook.url}/keep`, caBundle: hook.caBundle },
            rules: [{
              operations: ["DELETE"],
              apiGroups: [""],
              apiVersions: ["v1"],
              resources: ["configmaps"],
            }],
            objectSelector: { matchLabels: { keep: "yes" } },
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
          }],
        };
        await k(["apply", "-f", "-"], { stdin: JSON.stringify(keeper) });
        const del = () =>
          k(["delete", "configmap", "kept", "-n", "hooked"], { check: false });
        const refused = await eventually(del, (r) => r.code !== 0);
        assert.match(
          refused.stderr,
          /admission webhook "keeper\.example\.com" denied the request: kept by keeper/,
        );
        const still = await k(["get", "configmap", "kept", "-n", "hooked"], {
          check: false,
        });
        assert.equal(still.code, 0, "the object is still there");
        await k(["delete", "mutatingwebhookconfiguration", "keeper"]);
        const gone = await eventually(del, (r) => r.code === 0);
        assert.equal(gone.code, 0, gone.stderr);
      },
    );

    await t.step(
      "a hanging webhook times out (Fail) and holds no other request",
      async () => {
        const slow = create(`slow-${n++}`, { slow: "yes" });
        // While the write waits for the webhook, the server keeps answering.
        const ns = await k(["get", "namespaces", "hooked", "-o", "name"]);
        assert.equal(ns.stdout.trim(), "namespace/hooked");
        const out = await slow;
        assert.notEqual(out.code, 0);
        assert.match(
          out.stderr,
          /Internal error occurred: failed calling webhook "slow\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/slow\?timeout=3s": context deadline exceeded/,
        );
      },
    );

    await t.step("a stopped webhook: Ignore lets writes through", async () => {
      await hook.close();
      await k(["apply", "-f", "-"], { stdin: configurations(hook, "Ignore") });
      const out = await eventually(
        () => create(`ignored-${n++}`),
        (r) => r.code === 0,
      );
      assert.equal(out.code, 0, out.stderr);
      assert.equal(JSON.parse(out.stdout).metadata.labels?.webhook, undefined);
    });

    await t.step(
      "a stopped webhook: Fail refuses writes with a clear error",
      async () => {
        await k(["apply", "-f", "-"], { stdin: configurations(hook, "Fail") });
        const out = await eventually(
          () => create(`failed-${n++}`),
          (r) => r.code !== 0,
        );
        assert.notEqual(out.code, 0);
        assert.match(
          out.stderr,
          /Internal error occurred: failed calling webhook "labeler\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/mutate\?timeout=3s": dial tcp 127\.0\.0\.1:\d+: connect: connection refused/,
        );
      },
    );

    await t.step(
      "the server stays healthy; deleting the configurations restores writes",
      async () => {
        const ready = await server.fetch("/readyz");
        assert.equal(ready.status, 200);
        await ready.body?.cancel();
        await k([
          "delete",
          "mutatingwebhookconfiguration/labeler",
          "validatingwebhookconfiguration/denier",
        ]);
        const out = await eventually(
          () => create(`after-${n++}`),
          (r) => r.code === 0,
        );
        assert.equal(out.code, 0, out.stderr);
      },
    );
  } finally {
    await hook.close();
  }
});
