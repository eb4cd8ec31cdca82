import assert from "node:assert/strict";
import { decodeKubeProtobuf } from "./decode.ts";
import { ProtobufDecodeError } from "./mod.ts";
import { body } from "./testdata/envelope.ts";

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
const CORE = "k8s.io.api.core.v1";

function decodeError(fn: () => unknown): ProtobufDecodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProtobufDecodeError, `got ${e}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, "BadRequest");
    return e;
  }
  assert.fail("expected a ProtobufDecodeError");
}

Deno.test("object metadata keeps every field with Go's JSON forms", () => {
  const fieldsV1 = new TextEncoder().encode('{"f:data":{"f:a":{}}}');
  const bytes = body("v1", "ConfigMap", `${CORE}.ConfigMap`, {
    metadata: {
      name: "cm",
      generateName: "cm-",
      namespace: "ns",
      selfLink: "",
      uid: "0b6f7c1e-1111-2222-3333-444455556666",
      resourceVersion: "42",
      generation: 5000000000,
      creationTimestamp: { seconds: 1700000000, nanos: 999 },
      deletionTimestamp: { seconds: 1700000100 },
      deletionGracePeriodSeconds: 0,
      labels: { app: "web", tier: "" },
      annotations: { note: "hi" },
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "web",
        uid: "u-1",
        controller: true,
        blockOwnerDeletion: false,
      }, { apiVersion: "v1", kind: "Secret", name: "s", uid: "u-2" }],
      finalizers: ["example.com/keep"],
      managedFields: [{
        manager: "kubectl",
        operation: "Update",
        apiVersion: "v1",
        time: { seconds: 1700000000 },
        fieldsType: "FieldsV1",
        fieldsV1: { raw: fieldsV1 },
      }, { manager: "empty-time", time: {} }],
    },
    immutable: false,
  });
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "ConfigMap",
    apiVersion: "v1",
    metadata: {
      name: "cm",
      generateName: "cm-",
      namespace: "ns",
      uid: "0b6f7c1e-1111-2222-3333-444455556666",
      resourceVersion: "42",
      generation: 5000000000,
      creationTimestamp: "2023-11-14T22:13:20Z",
      deletionTimestamp: "2023-11-14T22:15:00Z",
      deletionGracePeriodSeconds: 0,
      labels: { app: "web", tier: "" },
      annotations: { note: "hi" },
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "web",
        uid: "u-1",
        controller: true,
        blockOwnerDeletion: false,
      }, { apiVersion: "v1", kind: "Secret", name: "s", uid: "u-2" }],
      finalizers: ["example.com/keep"],
      managedFields: [{
        manager: "kubectl",
        operation: "Update",
        apiVersion: "v1",
        time: "2023-11-14T22:13:20Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {} } },
      }, { manager: "empty-time", time: null }],
    },
    immutable: false,
  });
});

Deno.test("owner reference identity fields are kept even when empty", () => {
  const bytes = body("v1", "ConfigMap", `${CORE}.ConfigMap`, {
    metadata: { name: "a", ownerReferences: [{}] },
  });
  assert.deepEqual(
    (decodeKubeProtobuf(bytes).metadata as Record<string, unknown>)
      .ownerReferences,
    [{ apiVersion: "", kind: "", name: "", uid: "" }],
  );
});

Deno.test("a lease keeps microseconds and its pointer fields", () => {
  const bytes = body(
    "coordination.k8s.io/v1",
    "Lease",
    "k8s.io.api.coordination.v1.Lease",
    {
      metadata: { name: "l", namespace: "kube-system" },
      spec: {
        holderIdentity: "node-a",
        leaseDurationSeconds: 40,
        acquireTime: { seconds: 1700000000, nanos: 123456789 },
        renewTime: { seconds: 0, nanos: 0 },
        leaseTransitions: 0,
      },
    },
  );
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "Lease",
    apiVersion: "coordination.k8s.io/v1",
    metadata: { name: "l", namespace: "kube-system" },
    spec: {
      holderIdentity: "node-a",
      leaseDurationSeconds: 40,
      acquireTime: "2023-11-14T22:13:20.123456Z",
      renewTime: "1970-01-01T00:00:00.000000Z",
      leaseTransitions: 0,
    },
  });
  const empty = body(
    "coordination.k8s.io/v1",
    "Lease",
    "k8s.io.api.coordination.v1.Lease",
    { metadata: { name: "l" } },
  );
  assert.deepEqual(decodeKubeProtobuf(empty), {
    kind: "Lease",
    apiVersion: "coordination.k8s.io/v1",
    metadata: { name: "l" },
    spec: {},
  });
});

Deno.test("a core event writes its required and zero-time fields as Go does", () => {
  const bytes = body("v1", "Event", `${CORE}.Event`, {
    metadata: { name: "e", namespace: "default" },
    involvedObject: { kind: "Pod", name: "p", namespace: "default" },
    reason: "Started",
    message: "started",
    source: { component: "kubelet" },
    lastTimestamp: { seconds: 1700000000 },
    count: 2,
    type: "Normal",
    series: {
      count: 3,
      lastObservedTime: { seconds: 1700000000, nanos: 5000 },
    },
    related: {},
  });
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "Event",
    apiVersion: "v1",
    metadata: { name: "e", namespace: "default" },
    involvedObject: { kind: "Pod", name: "p", namespace: "default" },
    reason: "Started",
    message: "started",
    source: { component: "kubelet" },
    firstTimestamp: null,
    lastTimestamp: "2023-11-14T22:13:20Z",
    count: 2,
    type: "Normal",
    eventTime: null,
    series: { count: 3, lastObservedTime: "2023-11-14T22:13:20.000005Z" },
    related: {},
    reportingComponent: "",
    reportingInstance: "",
  });
});

Deno.test("an events.k8s.io event keeps its required series fields", () => {
  const bytes = body(
    "events.k8s.io/v1",
    "Event",
    "k8s.io.api.events.v1.Event",
    {
      metadata: { name: "e", namespace: "default" },
      eventTime: { seconds: 1700000000, nanos: 1000 },
      series: {},
      reportingController: "example.com/ctl",
      reportingInstance: "ctl-1",
      action: "Sync",
      reason: "Synced",
      regarding: { kind: "ConfigMap", name: "cm", apiVersion: "v1" },
      note: "ok",
      type: "Normal",
    },
  );
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "Event",
    apiVersion: "events.k8s.io/v1",
    metadata: { name: "e", namespace: "default" },
    eventTime: "2023-11-14T22:13:20.000001Z",
    series: { count: 0, lastObservedTime: null },
    reportingController: "example.com/ctl",
    reportingInstance: "ctl-1",
    action: "Sync",
    reason: "Synced",
    regarding: { kind: "ConfigMap", name: "cm", apiVersion: "v1" },
    note: "ok",
    type: "Normal",
    deprecatedSource: {},
    deprecatedFirstTimestamp: null,
    deprecatedLastTimestamp: null,
  });
});

Deno.test("delete options decode under any group version", () => {
  for (
    const apiVersion of ["v1", "meta.k8s.io/v1", "rbac.authorization.k8s.io/v1"]
  ) {
    const bytes = body(apiVersion, "DeleteOptions", `${META}.DeleteOptions`, {
      gracePeriodSeconds: 0,
      preconditions: { uid: "u-1" },
      propagationPolicy: "Foreground",
      dryRun: ["All"],
    });
    assert.deepEqual(decodeKubeProtobuf(bytes), {
      kind: "DeleteOptions",
      apiVersion,
      gracePeriodSeconds: 0,
      preconditions: { uid: "u-1" },
      propagationPolicy: "Foreground",
      dryRun: ["All"],
    });
  }
});

Deno.test("a cluster role keeps label selectors of its aggregation rule", () => {
  const bytes = body(
    "rbac.authorization.k8s.io/v1",
    "ClusterRole",
    "k8s.io.api.rbac.v1.ClusterRole",
    {
      metadata: { name: "agg" },
      aggregationRule: {
        clusterRoleSelectors: [{
          matchLabels: { a: "b" },
          matchExpressions: [{ key: "tier", operator: "In", values: ["x"] }, {
            key: "env",
            operator: "Exists",
          }],
        }],
      },
    },
  );
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "ClusterRole",
    apiVersion: "rbac.authorization.k8s.io/v1",
    metadata: { name: "agg" },
    rules: null,
    aggregationRule: {
      clusterRoleSelectors: [{
        matchLabels: { a: "b" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["x"] },
          { key: "env", operator: "Exists" },
        ],
      }],
    },
  });
});

Deno.test("a subject access review keeps extra user info as string lists", () => {
  const bytes = body(
    "authorization.k8s.io/v1",
    "SubjectAccessReview",
    "k8s.io.api.authorization.v1.SubjectAccessReview",
    {
      spec: {
        resourceAttributes: {
          verb: "list",
          resource: "configmaps",
          labelSelector: {
            requirements: [{ key: "a", operator: "In", values: ["b"] }],
          },
          fieldSelector: { rawSelector: "metadata.name=x" },
        },
        user: "alice",
        groups: ["devs"],
        extra: { scopes: { items: ["a", "b"] }, empty: {} },
      },
    },
  );
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "SubjectAccessReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: {},
    spec: {
      resourceAttributes: {
        verb: "list",
        resource: "configmaps",
        fieldSelector: { rawSelector: "metadata.name=x" },
        labelSelector: {
          requirements: [{ key: "a", operator: "In", values: ["b"] }],
        },
      },
      user: "alice",
      groups: ["devs"],
      extra: { scopes: ["a", "b"], empty: null },
    },
    status: { allowed: false },
  });
});

Deno.test("secret data are base64 and an empty value stays an empty string", () => {
  const bytes = body("v1", "Secret", `${CORE}.Secret`, {
    metadata: { name: "s" },
    data: {
      key: new Uint8Array([0, 1, 2, 253, 254, 255]),
      empty: new Uint8Array(),
    },
    stringData: { plain: "text" },
    immutable: true,
  });
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "Secret",
    apiVersion: "v1",
    metadata: { name: "s" },
    immutable: true,
    data: { key: "AAEC/f7/", empty: "" },
    stringData: { plain: "text" },
  });
});

Deno.test("managed fields that are not JSON are a 400", () => {
  const bytes = body("v1", "ConfigMap", `${CORE}.ConfigMap`, {
    metadata: {
      name: "a",
      managedFields: [{ fieldsV1: { raw: new TextEncoder().encode("{nope") } }],
    },
  });
  assert.match(
    decodeError(() => decodeKubeProtobuf(bytes)).message,
    /metadata\.managedFields\[0\]\.fieldsV1: fieldsV1 is not valid JSON/,
  );
});

Deno.test("a time outside the years 0-9999 is a 400", () => {
  const bytes = body("v1", "ConfigMap", `${CORE}.ConfigMap`, {
    metadata: { name: "a", creationTimestamp: { seconds: 253402300800 } },
  });
  assert.match(
    decodeError(() => decodeKubeProtobuf(bytes)).message,
    /metadata\.creationTimestamp: time .* outside of the years/,
  );
});

Deno.test("Go's zero time is null and is omitted as a creation timestamp", () => {
  const bytes = body("v1", "Namespace", `${CORE}.Namespace`, {
    metadata: { name: "n", creationTimestamp: { seconds: -62135596800 } },
    status: {
      phase: "Active",
      conditions: [{ type: "X", status: "True", lastTransitionTime: {} }],
    },
  });
  assert.deepEqual(decodeKubeProtobuf(bytes), {
    kind: "Namespace",
    apiVersion: "v1",
    metadata: { name: "n" },
    spec: {},
    status: {
      phase: "Active",
      conditions: [{ type: "X", status: "True", lastTransitionTime: null }],
    },
  });
});
