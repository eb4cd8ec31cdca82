import assert from "node:assert/strict";
import { apiServices } from "./apiservices.ts";
import type { KubeObject } from "../../storage/mod.ts";

function svc(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name },
    spec,
  };
}

const REMOTE = {
  group: "wardle.example.com",
  version: "v1alpha1",
  groupPriorityMinimum: 1000,
  versionPriority: 15,
  service: { namespace: "wardle", name: "api" },
};

function messages(obj: KubeObject): string[] {
  return (apiServices.validate?.(obj) ?? []).map((e) =>
    `${e.field}: ${e.detail}`
  );
}

Deno.test("a well-formed remote and local APIService validate", () => {
  assert.deepEqual(messages(svc("v1alpha1.wardle.example.com", REMOTE)), []);
  assert.deepEqual(
    messages(
      svc("v1.", {
        group: "",
        version: "v1",
        groupPriorityMinimum: 18000,
        versionPriority: 1,
      }),
    ),
    [],
  );
});

Deno.test("APIService validation has upstream's messages", () => {
  assert.deepEqual(messages(svc("wrong", REMOTE)), [
    'metadata.name: must be `spec.version+"."+spec.group`: "v1alpha1.wardle.example.com"',
  ]);
  assert.deepEqual(
    messages(
      svc("v1alpha1.wardle.example.com", {
        ...REMOTE,
        groupPriorityMinimum: 0,
        versionPriority: 1001,
      }),
    ),
    [
      "spec.groupPriorityMinimum: must be positive and less than 20000",
      "spec.versionPriority: must be positive and less than 1000",
    ],
  );
  assert.deepEqual(
    messages(
      svc("v2.", {
        group: "",
        version: "v2",
        groupPriorityMinimum: 1,
        versionPriority: 1,
      }),
    ),
    ["spec.group: only v1 may have an empty group and it better be legacy kube"],
  );
  assert.deepEqual(
    messages(
      svc("v1.x.io", {
        group: "x.io",
        version: "v1",
        groupPriorityMinimum: 1,
        versionPriority: 1,
        caBundle: btoa("x"),
      }),
    ),
    ["spec.caBundle: local APIServices may not have a caBundle"],
  );
  assert.deepEqual(
    messages(
      svc("v1alpha1.wardle.example.com", {
        ...REMOTE,
        service: { namespace: "", name: "api", port: 70000 },
      }),
    ),
    [
      "spec.service.namespace: ",
      "spec.service.port: must be between 1 and 65535, inclusive",
    ],
  );
  assert.deepEqual(
    messages(svc("v1alpha1.wardle.example.com", {
      ...REMOTE,
      insecureSkipTLSVerify: true,
      caBundle: btoa(
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
      ),
    })),
    ["spec.insecureSkipTLSVerify: may not be true if caBundle is present"],
  );
});

Deno.test("the Available column shows the reason when not True", () => {
  const col = apiServices.columns!.find((c) => c.name === "Available")!;
  const obj = svc("v1alpha1.wardle.example.com", REMOTE);
  assert.equal(col.cell(obj, new Date()), "Unknown");
  obj.status = {
    conditions: [{
      type: "Available",
      status: "False",
      reason: "FailedDiscoveryCheck",
    }],
  };
  assert.equal(col.cell(obj, new Date()), "False (FailedDiscoveryCheck)");
  obj.status = {
    conditions: [{ type: "Available", status: "True", reason: "Passed" }],
  };
  assert.equal(col.cell(obj, new Date()), "True");
});
