import assert from "node:assert/strict";
import type { KubeObject } from "../../../storage/mod.ts";
import {
  type Equivalent,
  type MatchContext,
  matches,
  type MatchRequest,
  ruleMatches,
} from "./matching.ts";
import type { MatchResources, NamedRule } from "./types.ts";

function cm(labels?: Record<string, string>): KubeObject {
  return { metadata: { name: "c", namespace: "team", labels } };
}

function request(over: Partial<MatchRequest> = {}): MatchRequest {
  return {
    group: "",
    version: "v1",
    resource: "configmaps",
    kind: "ConfigMap",
    namespaced: true,
    operation: "CREATE",
    subresource: "",
    namespace: "team",
    name: "c",
    object: cm(),
    ...over,
  };
}

const ctx = (
  nsLabels: Record<string, string> | undefined = {},
  equivalents: Equivalent[] = [],
): MatchContext => ({
  namespaceLabels: () => nsLabels,
  equivalents: () => equivalents,
});

const CM_RULE: NamedRule = {
  apiGroups: [""],
  apiVersions: ["v1"],
  operations: ["CREATE", "UPDATE"],
  resources: ["configmaps"],
  scope: "*",
};

function constraints(over: Partial<MatchResources> = {}): MatchResources {
  return {
    matchPolicy: "Equivalent",
    namespaceSelector: {},
    objectSelector: {},
    resourceRules: [CM_RULE],
    ...over,
  };
}

Deno.test("a rule matches by operation, group, version and resource", () => {
  assert.ok(ruleMatches(CM_RULE, request()));
  assert.ok(ruleMatches(CM_RULE, request({ operation: "UPDATE" })));
  assert.ok(!ruleMatches(CM_RULE, request({ operation: "DELETE" })));
  assert.ok(!ruleMatches(CM_RULE, request({ resource: "secrets" })));
  assert.ok(!ruleMatches(CM_RULE, request({ version: "v2" })));
  assert.ok(!ruleMatches(CM_RULE, request({ group: "apps" })));
});

Deno.test("wildcards: * operations, groups, versions; * is no subresource, */* is all", () => {
  const all: NamedRule = {
    apiGroups: ["*"],
    apiVersions: ["*"],
    operations: ["*"],
    resources: ["*"],
  };
  assert.ok(ruleMatches(all, request({ group: "apps", operation: "DELETE" })));
  assert.ok(!ruleMatches(all, request({ subresource: "status" })));
  assert.ok(
    ruleMatches(
      { ...all, resources: ["*/*"] },
      request({ subresource: "status" }),
    ),
  );
  assert.ok(
    ruleMatches(
      { ...all, resources: ["configmaps/*"] },
      request({ subresource: "status" }),
    ),
  );
  assert.ok(
    ruleMatches(
      { ...all, resources: ["*/status"] },
      request({ subresource: "status" }),
    ),
  );
  assert.ok(
    !ruleMatches(
      { ...all, resources: ["*/status"] },
      request({ subresource: "" }),
    ),
  );
  assert.ok(
    !ruleMatches({ ...all, resources: ["configmaps/status"] }, request()),
  );
});

Deno.test("scope and resourceNames narrow a rule", () => {
  assert.ok(!ruleMatches({ ...CM_RULE, scope: "Cluster" }, request()));
  assert.ok(ruleMatches({ ...CM_RULE, scope: "Namespaced" }, request()));
  assert.ok(ruleMatches({ ...CM_RULE, resourceNames: ["c"] }, request()));
  assert.ok(!ruleMatches({ ...CM_RULE, resourceNames: ["d"] }, request()));
});

Deno.test("namespaceSelector reads the namespace's labels; cluster-scoped objects always pass", () => {
  const m = constraints({
    namespaceSelector: { matchLabels: { env: "prod" } },
  });
  assert.ok(matches(m, request(), ctx({ env: "prod" }), true));
  assert.equal(matches(m, request(), ctx({ env: "dev" }), true), undefined);
  assert.equal(matches(m, request(), ctx(undefined), true), undefined);
  const clusterWide = constraints({
    namespaceSelector: { matchLabels: { env: "prod" } },
    resourceRules: [{ ...CM_RULE, apiGroups: ["*"], resources: ["*"] }],
  });
  assert.ok(
    matches(
      clusterWide,
      request({ resource: "clusterroles", namespace: "", namespaced: false }),
      ctx({}),
      true,
    ),
  );
  // A namespace is matched by its own labels.
  const ns = request({
    resource: "namespaces",
    namespace: "",
    namespaced: false,
    object: { metadata: { name: "n", labels: { env: "prod" } } },
  });
  assert.ok(matches(clusterWide, ns, ctx({}), true));
});

Deno.test("objectSelector matches the new or the old object", () => {
  const m = constraints({
    objectSelector: {
      matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }],
    },
  });
  assert.equal(matches(m, request(), ctx(), true), undefined);
  assert.ok(matches(m, request({ object: cm({ tier: "web" }) }), ctx(), true));
  assert.ok(
    matches(
      m,
      request({
        operation: "UPDATE",
        object: cm(),
        oldObject: cm({ tier: "web" }),
      }),
      ctx(),
      true,
    ),
  );
});

Deno.test("excludeResourceRules win over resourceRules", () => {
  const m = constraints({
    excludeResourceRules: [{ ...CM_RULE, resourceNames: ["c"] }],
  });
  assert.equal(matches(m, request(), ctx(), true), undefined);
  assert.ok(matches(m, request({ name: "d" }), ctx(), true));
});

Deno.test("matchPolicy Equivalent matches another API of the same resource, Exact does not", () => {
  const eventsRule: NamedRule = {
    apiGroups: ["events.k8s.io"],
    apiVersions: ["v1"],
    operations: ["CREATE"],
    resources: ["events"],
  };
  const core = request({ resource: "events", kind: "Event" });
  const eq: Equivalent = {
    group: "events.k8s.io",
    version: "v1",
    resource: "events",
    kind: "Event",
    namespaced: true,
    convert: (o) => ({ ...o, note: "converted" }),
  };
  const equivalent = matches(
    constraints({ resourceRules: [eventsRule] }),
    core,
    ctx({}, [eq]),
    true,
  );
  assert.equal(equivalent?.resource.group, "events.k8s.io");
  assert.equal(
    (equivalent?.convert?.({ metadata: {} }) as { note?: string }).note,
    "converted",
  );
  assert.equal(
    matches(
      constraints({ resourceRules: [eventsRule], matchPolicy: "Exact" }),
      core,
      ctx({}, [eq]),
      true,
    ),
    undefined,
  );
  // An exact match needs no conversion.
  const exact = matches(constraints(), request(), ctx({}, [eq]), true);
  assert.equal(exact?.convert, undefined);
});

Deno.test("a binding without matchResources or rules narrows nothing; a policy needs rules", () => {
  assert.ok(matches(undefined, request(), ctx(), false));
  assert.equal(matches(undefined, request(), ctx(), true), undefined);
  assert.ok(
    matches(constraints({ resourceRules: [] }), request(), ctx(), false),
  );
  assert.equal(
    matches(constraints({ resourceRules: [] }), request(), ctx(), true),
    undefined,
  );
});
