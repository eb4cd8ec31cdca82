import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { formatFieldError } from "../validation/field_error.ts";
import { mutatingWebhookConfigurations } from "./mutatingwebhookconfigurations.ts";
import { validatingWebhookConfigurations } from "./validatingwebhookconfigurations.ts";

function config(webhooks: unknown[]): KubeObject {
  return { metadata: { name: "c" }, webhooks };
}

const good = () => ({
  name: "hook.example.com",
  clientConfig: { url: "https://127.0.0.1:8443/mutate" },
  rules: [{
    operations: ["CREATE"],
    apiGroups: [""],
    apiVersions: ["v1"],
    resources: ["configmaps"],
  }],
  sideEffects: "None",
  admissionReviewVersions: ["v1"],
});

function errors(webhooks: unknown[], mutating = false): string[] {
  const def = mutating
    ? mutatingWebhookConfigurations
    : validatingWebhookConfigurations;
  const obj = config(webhooks);
  def.prepareForCreate!(obj);
  return def.validate!(obj).map(formatFieldError);
}

Deno.test("a valid webhook configuration is defaulted as upstream and passes", () => {
  const obj = config([good()]);
  mutatingWebhookConfigurations.prepareForCreate!(obj);
  assert.deepEqual(mutatingWebhookConfigurations.validate!(obj), []);
  const h = (obj.webhooks as Record<string, unknown>[])[0];
  assert.equal(h.failurePolicy, "Fail");
  assert.equal(h.matchPolicy, "Equivalent");
  assert.deepEqual(h.namespaceSelector, {});
  assert.deepEqual(h.objectSelector, {});
  assert.equal(h.timeoutSeconds, 10);
  assert.equal(h.reinvocationPolicy, "Never");
  assert.equal((h.rules as Record<string, unknown>[])[0].scope, "*");
  const v = config([{
    ...good(),
    clientConfig: { service: { name: "s", namespace: "n" } },
  }]);
  validatingWebhookConfigurations.prepareForCreate!(v);
  const vh = (v.webhooks as Record<string, unknown>[])[0];
  assert.equal(vh.reinvocationPolicy, undefined);
  assert.equal(
    (vh.clientConfig as { service: { port: number } }).service.port,
    443,
  );
});

Deno.test("webhook names are fully qualified and unique", () => {
  assert.deepEqual(errors([{ ...good(), name: "hook" }]), [
    'webhooks[0].name: Invalid value: "hook": should be a domain with at least three segments separated by dots',
  ]);
  assert.deepEqual(errors([{ ...good(), name: "" }]), [
    "webhooks[0].name: Required value",
  ]);
  assert.deepEqual(errors([good(), good()]), [
    'webhooks[1].name: Duplicate value: "hook.example.com"',
  ]);
});

Deno.test("clientConfig needs exactly one of url or service; the url is https without userinfo, fragment or query", () => {
  assert.deepEqual(errors([{ ...good(), clientConfig: {} }]), [
    "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
  ]);
  assert.deepEqual(
    errors([{
      ...good(),
      clientConfig: {
        url: "https://x/",
        service: { name: "s", namespace: "n" },
      },
    }]),
    [
      "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
    ],
  );
  assert.deepEqual(
    errors([{ ...good(), clientConfig: { url: "http://u:p@h/x?a=1#f" } }]),
    [
      `webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
      'webhooks[0].clientConfig.url: Invalid value: "u:xxxxx": user information is not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "f": fragments are not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "a=1": query parameters are not permitted in the URL',
    ],
  );
  assert.deepEqual(
    errors([{
      ...good(),
      clientConfig: {
        service: { name: "", namespace: "n", port: 0, path: "x//" },
      },
    }]),
    [
      "webhooks[0].clientConfig.service.name: Required value: service name is required",
      "webhooks[0].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive",
      "webhooks[0].clientConfig.service.path: Invalid value: \"x//\": must start with a '/'",
      'webhooks[0].clientConfig.service.path: Invalid value: "x//": segment[0] may not be empty',
      'webhooks[0].clientConfig.service.path: Invalid value: "x//": segment[1] may not be empty',
    ],
  );
  assert.deepEqual(
    errors([{
      ...good(),
      clientConfig: { url: "https://h/", caBundle: "!!" },
    }]),
    ['webhooks[0].clientConfig.caBundle: Invalid value: "<bytes>": must be base64'],
  );
});

Deno.test("rules: operations, groups, versions, resources and scope as upstream", () => {
  const rule = (r: Record<string, unknown>) => [{ ...good(), rules: [r] }];
  assert.deepEqual(errors(rule({})), [
    "webhooks[0].rules[0].operations: Required value",
    "webhooks[0].rules[0].apiGroups: Required value",
    "webhooks[0].rules[0].apiVersions: Required value",
    "webhooks[0].rules[0].resources: Required value",
  ]);
  assert.deepEqual(
    errors(rule({
      operations: ["CREATE", "PATCH"],
      apiGroups: ["*", "apps"],
      apiVersions: ["v1"],
      resources: ["*", "pods"],
      scope: "Global",
    })),
    [
      'webhooks[0].rules[0].operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      "webhooks[0].rules[0].apiGroups: Invalid value: array: if '*' is present, must not specify other API groups",
      "webhooks[0].rules[0].resources: Invalid value: array: if '*' is present, must not specify other resources without subresources",
      'webhooks[0].rules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
    ],
  );
  assert.deepEqual(
    errors(rule({
      operations: ["*"],
      apiGroups: [""],
      apiVersions: ["v1"],
      resources: ["pods/*", "pods/status"],
    })),
    [
      "webhooks[0].rules[0].resources[1]: Invalid value: \"pods/status\": if 'pods/*' is present, must not specify pods/status",
    ],
  );
});

Deno.test("policies, sideEffects, timeout, review versions and reinvocation as upstream", () => {
  assert.deepEqual(
    errors([{
      ...good(),
      failurePolicy: "Sometimes",
      matchPolicy: "Fuzzy",
      sideEffects: "Some",
      timeoutSeconds: 31,
      admissionReviewVersions: ["v2"],
    }]),
    [
      'webhooks[0].failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
      'webhooks[0].matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"',
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
      "webhooks[0].admissionReviewVersions: Invalid value: array: must include at least one of v1, v1beta1",
    ],
  );
  const { sideEffects: _s, admissionReviewVersions: _a, ...bare } = good();
  assert.deepEqual(errors([bare]), [
    "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
    "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1",
  ]);
  assert.deepEqual(
    errors([{ ...good(), reinvocationPolicy: "Always" }], true),
    [
      'webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
    ],
  );
});

Deno.test("selectors and matchConditions are checked", () => {
  assert.deepEqual(
    errors([{
      ...good(),
      namespaceSelector: {
        matchExpressions: [{ key: "env", operator: "In" }, {
          key: "x",
          operator: "Near",
        }],
      },
      objectSelector: { matchLabels: { "bad key!": "v" } },
    }]).map((e) => e.split(":")[0]),
    [
      "webhooks[0].namespaceSelector.matchExpressions[0].values",
      "webhooks[0].namespaceSelector.matchExpressions[1].operator",
      "webhooks[0].objectSelector.matchLabels",
    ],
  );
  const mc = errors([{
    ...good(),
    matchConditions: [
      { name: "ok", expression: "object.metadata.name != 'x'" },
      { name: "ok", expression: "object.metadata.name !=" },
      { name: "", expression: "" },
    ],
  }]);
  assert.equal(mc.length, 4);
  assert.match(
    mc[0],
    /^webhooks\[0\]\.matchConditions\[1\]\.expression: Invalid value: "object.metadata.name !=": compilation failed: ERROR: <input>:1:\d+: /,
  );
  assert.equal(
    mc[1],
    'webhooks[0].matchConditions[1].name: Duplicate value: "ok"',
  );
  assert.equal(
    mc[2],
    "webhooks[0].matchConditions[2].expression: Required value",
  );
  assert.equal(mc[3], "webhooks[0].matchConditions[2].name: Required value");
});

Deno.test("the Webhooks column counts the webhooks", () => {
  const col = validatingWebhookConfigurations.columns!.map((c) => c.name);
  assert.deepEqual(col, ["Name", "Webhooks", "Age"]);
  const cell = validatingWebhookConfigurations.columns![1].cell(
    config([good(), good()]),
    new Date(),
  );
  assert.equal(cell, 2);
});
