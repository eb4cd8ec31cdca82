import assert from "node:assert/strict";
import type { KubeObject } from "../../../storage/mod.ts";
import { quantityOf } from "../../validation/quantity.ts";
import { applies, charge, QuotaRefusal, quotaView } from "./evaluate.ts";
import { prettyPrint, type ResourceList } from "./resource_list.ts";
import { countedResource, objectCountNames } from "./resource_names.ts";

function quota(
  hard: Record<string, string>,
  used: Record<string, string> | undefined,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    metadata: { name: "q" },
    spec: { hard, ...spec },
    status: { hard, ...(used ? { used } : {}) },
  } as KubeObject;
}

function delta(...names: string[]): ResourceList {
  return new Map(names.map((n) => [n, quantityOf(1)]));
}

Deno.test("a create charges count/<resource>[.<group>] and the legacy name", () => {
  assert.deepEqual(objectCountNames({ group: "", resource: "configmaps" }), [
    "count/configmaps",
    "configmaps",
  ]);
  assert.deepEqual(
    objectCountNames({ group: "", resource: "serviceaccounts" }),
    ["count/serviceaccounts"],
  );
  assert.deepEqual(
    objectCountNames({ group: "example.com", resource: "widgets" }),
    ["count/widgets.example.com"],
  );
});

Deno.test("quota resource names map back to the kinds they count", () => {
  assert.deepEqual(countedResource("count/widgets.example.com"), {
    group: "example.com",
    resource: "widgets",
  });
  assert.deepEqual(countedResource("count/leases.coordination.k8s.io"), {
    group: "coordination.k8s.io",
    resource: "leases",
  });
  assert.deepEqual(countedResource("count/secrets"), {
    group: "",
    resource: "secrets",
  });
  assert.deepEqual(countedResource("resourcequotas"), {
    group: "",
    resource: "resourcequotas",
  });
  assert.equal(countedResource("cpu"), undefined);
  assert.equal(countedResource("pods"), undefined);
  assert.equal(countedResource("count/"), undefined);
});

Deno.test("a charge adds the request to every limited name and keeps the rest", () => {
  const q = quotaView(
    quota({ "count/configmaps": "3", configmaps: "5", cpu: "2" }, {
      "count/configmaps": "1",
      configmaps: "4",
      cpu: "1",
    }),
  );
  const next = charge(q, delta("count/configmaps", "configmaps"))!;
  assert.equal(
    prettyPrint(next),
    "configmaps=5,count/configmaps=2,cpu=1",
  );
});

Deno.test("over hard is refused with the exceeded names only", () => {
  const q = quotaView(
    quota({ "count/configmaps": "3", configmaps: "5" }, {
      "count/configmaps": "1",
      configmaps: "5",
    }),
  );
  assert.throws(
    () => charge(q, delta("count/configmaps", "configmaps")),
    (e: unknown) =>
      e instanceof QuotaRefusal &&
      e.message ===
        "exceeded quota: q, requested: configmaps=1, used: configmaps=5, limited: configmaps=5",
  );
});

Deno.test("hard 0 refuses the first create", () => {
  const q = quotaView(
    quota({ "count/secrets": "0" }, { "count/secrets": "0" }),
  );
  assert.throws(
    () => charge(q, delta("count/secrets")),
    /limited: count\/secrets=0/,
  );
});

Deno.test("quotas that do not limit the kind, or are scoped, do not apply", () => {
  const unrelated = quotaView(quota({ "count/secrets": "1" }, {}));
  assert.equal(applies(unrelated, delta("count/configmaps")), false);
  assert.equal(charge(unrelated, delta("count/configmaps")), undefined);
  const scoped = quotaView(
    quota({ "count/configmaps": "0" }, { "count/configmaps": "0" }, {
      scopeSelector: {
        matchExpressions: [{ scopeName: "PriorityClass", operator: "Exists" }],
      },
    }),
  );
  assert.equal(applies(scoped, delta("count/configmaps")), false);
  const unfilled = quotaView({
    metadata: { name: "q" },
    spec: { hard: { "count/configmaps": "0" } },
  } as KubeObject);
  assert.equal(applies(unfilled, delta("count/configmaps")), false);
});

Deno.test("unknown usage refuses with the limited names", () => {
  const q = quotaView(
    quota({ "count/configmaps": "3", configmaps: "3" }, { configmaps: "1" }),
  );
  assert.throws(
    () => charge(q, delta("count/configmaps", "configmaps")),
    {
      message:
        "status unknown for quota: q, resources: configmaps,count/configmaps",
    },
  );
});
