import assert from "node:assert/strict";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import {
  computeCrdStatus,
  isEstablished,
  isTerminating,
  namesAccepted,
  recordStoredVersion,
  terminatingStatus,
} from "./status.ts";
import type { CustomResourceDefinition } from "./types.ts";

const now = new Date("2025-01-02T03:04:05.678Z");

function settle(
  crd: CustomResourceDefinition,
  others: CustomResourceDefinition[] = [],
) {
  crd.status = computeCrdStatus(crd, { others, now });
  return crd;
}

Deno.test("a CRD without conflicts is accepted and established", () => {
  const crd = settle(cronTabCrd());
  assert.ok(namesAccepted(crd));
  assert.ok(isEstablished(crd));
  assert.deepEqual(crd.status!.acceptedNames, crd.spec.names);
  assert.deepEqual(crd.status!.storedVersions, ["v1"]);
  const names = crd.status!.conditions![0];
  assert.deepEqual(names, {
    type: "NamesAccepted",
    status: "True",
    reason: "NoConflicts",
    message: "no conflicts found",
    lastTransitionTime: "2025-01-02T03:04:05Z",
  });
  assert.equal(crd.status!.conditions![1].reason, "InitialNamesAccepted");
});

Deno.test("a plural used by another CRD of the group is a conflict", () => {
  const first = settle(cronTabCrd());
  const second = cronTabCrd();
  second.metadata.name = "crontabs2.stable.example.com";
  second.spec.names!.kind = "CronTab2";
  second.spec.names!.listKind = "CronTab2List";
  second.spec.names!.singular = "crontab2";
  second.spec.names!.shortNames = ["ct2"];
  settle(second, [first]);
  assert.ok(!namesAccepted(second));
  assert.ok(!isEstablished(second));
  const c = second.status!.conditions![0];
  assert.equal(c.reason, "PluralConflict");
  assert.equal(c.message, '"crontabs" is already in use');
  assert.equal(second.status!.acceptedNames!.plural, undefined);
  assert.equal(second.status!.acceptedNames!.kind, "CronTab2");
  assert.equal(second.status!.conditions![1].reason, "NotAccepted");
});

Deno.test("kind and short-name conflicts are named", () => {
  const first = settle(cronTabCrd());
  const second = cronTabCrd();
  second.metadata.name = "others.stable.example.com";
  second.spec.names = {
    plural: "others",
    singular: "other",
    kind: "CronTab",
    listKind: "OtherList",
    shortNames: ["ct"],
  };
  settle(second, [first]);
  assert.equal(second.status!.conditions![0].reason, "KindConflict");
  second.spec.names.kind = "Other";
  settle(second, [first]);
  assert.equal(second.status!.conditions![0].reason, "ShortNamesConflict");
  assert.equal(second.status!.conditions![0].message, '"ct" is already in use');
});

Deno.test("other groups do not conflict, built-ins of the group do", () => {
  const other = settle(cronTabCrd());
  other.spec.group = "other.example.com";
  const crd = settle(cronTabCrd(), [other]);
  assert.ok(namesAccepted(crd));
  const shadow = cronTabCrd();
  shadow.spec.group = "";
  shadow.spec.names!.plural = "configmaps";
  shadow.status = computeCrdStatus(shadow, {
    others: [],
    builtins: [{
      group: "",
      plural: "configmaps",
      kind: "ConfigMap",
      shortNames: ["cm"],
    }],
    now,
  });
  assert.equal(shadow.status.conditions![0].reason, "PluralConflict");
});

Deno.test("an established CRD keeps its names and condition on a later conflict", () => {
  const crd = settle(cronTabCrd());
  const taken = cronTabCrd();
  taken.metadata.name = "x.stable.example.com";
  taken.status = { acceptedNames: { plural: "newname", kind: "X" } };
  crd.spec.names!.plural = "newname";
  settle(crd, [taken]);
  assert.ok(isEstablished(crd));
  assert.ok(!namesAccepted(crd));
  assert.equal(crd.status!.acceptedNames!.plural, "crontabs");
  assert.equal(
    crd.status!.conditions![1].lastTransitionTime,
    "2025-01-02T03:04:05Z",
  );
});

Deno.test("storedVersions accumulates storage versions", () => {
  const crd = settle(cronTabCrd());
  crd.spec.versions![0].storage = true;
  crd.spec.versions![1].storage = false;
  assert.deepEqual(recordStoredVersion(crd), ["v1", "v1beta1"]);
});

Deno.test("a deleted CRD is terminating", () => {
  const crd = settle(cronTabCrd());
  crd.status = terminatingStatus(crd, now);
  assert.ok(isTerminating(crd));
  assert.ok(isEstablished(crd));
  assert.equal(
    crd.status.conditions!.at(-1)!.reason,
    "InstanceDeletionInProgress",
  );
});
