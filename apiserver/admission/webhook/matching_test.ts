import assert from "node:assert/strict";
import type { WriteAttributes } from "../admission.ts";
import {
  matchRules,
  namespaceSelectorMatches,
  objectSelectorMatches,
  ruleMatches,
} from "./matching.ts";
import type { Webhook, WebhookRule } from "./types.ts";

function attrs(over: Partial<WriteAttributes> = {}): WriteAttributes {
  return {
    operation: "CREATE",
    user: { username: "alice", groups: [] },
    cluster: "root",
    group: "",
    version: "v1",
    resource: "configmaps",
    subresource: "",
    kind: "ConfigMap",
    namespace: "default",
    name: "x",
    object: { metadata: { name: "x", labels: { app: "web" } } },
    dryRun: false,
    ...over,
  };
}

const rule = (over: Partial<WebhookRule> = {}): WebhookRule => ({
  operations: ["CREATE"],
  apiGroups: [""],
  apiVersions: ["v1"],
  resources: ["configmaps"],
  scope: "*",
  ...over,
});

const hook = (over: Partial<Webhook> = {}): Webhook => ({
  name: "h.example.com",
  clientConfig: { url: "https://127.0.0.1/" },
  rules: [rule()],
  sideEffects: "None",
  admissionReviewVersions: ["v1"],
  ...over,
});

Deno.test("a rule matches by operation, group, version and resource, with wildcards", () => {
  assert.ok(ruleMatches(rule(), attrs()));
  assert.ok(!ruleMatches(rule(), attrs({ operation: "UPDATE" })));
  assert.ok(
    ruleMatches(rule({ operations: ["*"] }), attrs({ operation: "UPDATE" })),
  );
  assert.ok(!ruleMatches(rule({ apiGroups: ["apps"] }), attrs()));
  assert.ok(ruleMatches(rule({ apiGroups: ["*"] }), attrs()));
  assert.ok(!ruleMatches(rule({ apiVersions: ["v2"] }), attrs()));
  assert.ok(ruleMatches(rule({ apiVersions: ["*"] }), attrs()));
  assert.ok(!ruleMatches(rule({ resources: ["secrets"] }), attrs()));
  assert.ok(
    ruleMatches(rule({ resources: ["secrets", "configmaps"] }), attrs()),
  );
});

Deno.test("resources match subresources only when named: res/sub, res/*, */sub, */*", () => {
  const status = attrs({ subresource: "status" });
  assert.ok(ruleMatches(rule({ resources: ["*"] }), attrs()));
  assert.ok(!ruleMatches(rule({ resources: ["*"] }), status));
  assert.ok(!ruleMatches(rule({ resources: ["configmaps"] }), status));
  assert.ok(ruleMatches(rule({ resources: ["configmaps/status"] }), status));
  assert.ok(ruleMatches(rule({ resources: ["configmaps/*"] }), status));
  assert.ok(ruleMatches(rule({ resources: ["*/status"] }), status));
  assert.ok(!ruleMatches(rule({ resources: ["*/scale"] }), status));
  assert.ok(ruleMatches(rule({ resources: ["*/*"] }), status));
  assert.ok(ruleMatches(rule({ resources: ["*/*"] }), attrs()));
});

Deno.test("scope: Namespaced and Cluster; a Namespace is cluster-scoped", () => {
  const ns = attrs({
    resource: "namespaces",
    kind: "Namespace",
    namespace: "",
    name: "team",
  });
  const clusterRole = attrs({
    group: "rbac.authorization.k8s.io",
    resource: "clusterroles",
    namespace: "",
  });
  const all = { apiGroups: ["*"], resources: ["*"] };
  assert.ok(ruleMatches(rule({ ...all, scope: "Namespaced" }), attrs()));
  assert.ok(!ruleMatches(rule({ ...all, scope: "Namespaced" }), ns));
  assert.ok(!ruleMatches(rule({ ...all, scope: "Namespaced" }), clusterRole));
  assert.ok(!ruleMatches(rule({ ...all, scope: "Cluster" }), attrs()));
  assert.ok(ruleMatches(rule({ ...all, scope: "Cluster" }), ns));
  assert.ok(ruleMatches(rule({ ...all, scope: "Cluster" }), clusterRole));
  assert.ok(ruleMatches(rule({ ...all, scope: "*" }), ns));
});

Deno.test("matchPolicy Equivalent matches the resource in another served version; Exact does not", () => {
  const widget = attrs({
    group: "example.com",
    version: "v2",
    resource: "widgets",
    kind: "Widget",
  });
  const h = hook({
    rules: [
      rule({
        apiGroups: ["example.com"],
        apiVersions: ["v1"],
        resources: ["widgets"],
      }),
    ],
  });
  const eq = () => [{ version: "v1", kind: "Widget" }, {
    version: "v2",
    kind: "Widget",
  }];
  const inv = matchRules({ ...h, matchPolicy: "Equivalent" }, widget, eq);
  assert.deepEqual(inv, {
    resource: { group: "example.com", version: "v1", resource: "widgets" },
    subresource: "",
    kind: { group: "example.com", version: "v1", kind: "Widget" },
  });
  assert.equal(
    matchRules({ ...h, matchPolicy: "Exact" }, widget, eq),
    undefined,
  );
  assert.equal(
    matchRules(hook(), attrs())?.kind.kind,
    "ConfigMap",
  );
  // A rule for another resource does not list the served versions.
  let listed = 0;
  matchRules(hook(), attrs({ resource: "secrets" }), () => {
    listed++;
    return [];
  });
  assert.equal(listed, 0);
});

Deno.test("objectSelector matches the new or the old object's labels", () => {
  const h = hook({ objectSelector: { matchLabels: { app: "db" } } });
  assert.ok(!objectSelectorMatches(h, attrs()));
  assert.ok(
    objectSelectorMatches(
      h,
      attrs({
        operation: "UPDATE",
        oldObject: { metadata: { name: "x", labels: { app: "db" } } },
      }),
    ),
  );
  assert.ok(objectSelectorMatches(hook({ objectSelector: {} }), attrs()));
  assert.ok(
    objectSelectorMatches(
      hook({
        objectSelector: {
          matchExpressions: [{ key: "app", operator: "In", values: ["web"] }],
        },
      }),
      attrs(),
    ),
  );
});

Deno.test("namespaceSelector reads the namespace's labels; a Namespace its own; other cluster-scoped kinds always match", async () => {
  const h = hook({ namespaceSelector: { matchLabels: { env: "prod" } } });
  const read: string[] = [];
  const labels = (name: string): Promise<Record<string, string>> => {
    read.push(name);
    const out: Record<string, string> = name === "prod" ? { env: "prod" } : {};
    return Promise.resolve(out);
  };
  assert.ok(!(await namespaceSelectorMatches(h, attrs(), labels)));
  assert.ok(
    await namespaceSelectorMatches(h, attrs({ namespace: "prod" }), labels),
  );
  assert.deepEqual(read, ["default", "prod"]);
  const ns = attrs({
    resource: "namespaces",
    kind: "Namespace",
    namespace: "",
    object: { metadata: { name: "n", labels: { env: "prod" } } },
  });
  assert.ok(await namespaceSelectorMatches(h, ns, labels));
  assert.ok(
    await namespaceSelectorMatches(
      h,
      attrs({
        group: "rbac.authorization.k8s.io",
        resource: "clusterroles",
        namespace: "",
      }),
      labels,
    ),
  );
  // An empty selector reads nothing.
  await namespaceSelectorMatches(
    hook({ namespaceSelector: {} }),
    attrs(),
    labels,
  );
  assert.equal(read.length, 2);
});
