/**
 * The kubectl commands whose protobuf bodies the tests capture, with what
 * each body must decode to. Commands that `--dry-run=client -o json` can
 * print take that output (kubectl's own Go JSON) as the expectation; the
 * others carry the Go JSON written out by hand from the upstream types.
 *
 * @module
 */

/** One kubectl invocation that sends a protobuf body. */
export interface KubectlCase {
  /** Stable fixture name. */
  name: string;
  /**
   * kubectl arguments (no server, no dry-run flag). `{bin}` is a file of
   * non-UTF-8 bytes, `{role}` a file holding {@linkcode ROLE_MANIFEST}.
   */
  args: string[];
  /** The expected JSON; absent when kubectl's client dry run prints it. */
  expected?: Record<string, unknown>;
}

/** Bytes of the `{bin}` file (not UTF-8, so it lands in `binaryData`). */
export const BIN_FILE_BYTES: Uint8Array = new Uint8Array([
  0xff,
  0x00,
  0xfe,
  0x01,
]);

/** The `{role}` manifest `kubectl auth reconcile` reads. */
export const ROLE_MANIFEST = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reconciled
  namespace: default
  labels: {app: demo}
  annotations: {note: "from a file"}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, watch]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [one]
  verbs: [get]
`;

const NS = ["-n", "default"];

/** Every captured command. */
export const KUBECTL_CASES: readonly KubectlCase[] = [
  {
    name: "configmap",
    args: [
      "create",
      "configmap",
      "cm1",
      "--from-literal=a=b",
      "--from-literal=multi=line\nvalue",
      "--from-file=blob={bin}",
      ...NS,
    ],
  },
  {
    name: "secret-generic",
    args: [
      "create",
      "secret",
      "generic",
      "s1",
      "--from-literal=user=admin",
      "--from-literal=password=s3cr3t",
      "--type=Opaque",
      ...NS,
    ],
  },
  {
    name: "secret-docker-registry",
    args: [
      "create",
      "secret",
      "docker-registry",
      "reg1",
      "--docker-server=registry.example.com",
      "--docker-username=u",
      "--docker-password=p",
      "--docker-email=u@example.com",
      ...NS,
    ],
  },
  { name: "namespace", args: ["create", "namespace", "ns1"] },
  { name: "serviceaccount", args: ["create", "serviceaccount", "sa1", ...NS] },
  {
    name: "role",
    args: [
      "create",
      "role",
      "r1",
      "--verb=get,list",
      "--resource=configmaps,secrets",
      "--resource-name=cm1",
      ...NS,
    ],
  },
  {
    name: "rolebinding",
    args: [
      "create",
      "rolebinding",
      "rb1",
      "--role=r1",
      "--user=alice",
      "--group=devs",
      "--serviceaccount=default:sa1",
      ...NS,
    ],
  },
  {
    name: "clusterrole",
    args: [
      "create",
      "clusterrole",
      "cr1",
      "--verb=get",
      "--resource=namespaces",
      "--non-resource-url=/healthz",
    ],
  },
  {
    name: "clusterrole-aggregated",
    args: [
      "create",
      "clusterrole",
      "agg1",
      "--aggregation-rule=example.com/aggregate-to-view=true",
    ],
  },
  {
    name: "clusterrolebinding",
    args: [
      "create",
      "clusterrolebinding",
      "crb1",
      "--clusterrole=cr1",
      "--user=bob",
    ],
  },
  {
    name: "can-i-resource",
    args: ["auth", "can-i", "list", "configmaps", ...NS],
    expected: {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: {
        resourceAttributes: {
          namespace: "default",
          verb: "list",
          resource: "configmaps",
        },
      },
      status: { allowed: false },
    },
  },
  {
    name: "can-i-subresource",
    args: [
      "auth",
      "can-i",
      "create",
      "serviceaccounts/sa1",
      "--subresource=token",
      ...NS,
    ],
    expected: {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: {
        resourceAttributes: {
          namespace: "default",
          verb: "create",
          resource: "serviceaccounts",
          subresource: "token",
          name: "sa1",
        },
      },
      status: { allowed: false },
    },
  },
  {
    name: "can-i-group",
    args: ["auth", "can-i", "delete", "roles.rbac.authorization.k8s.io", "-A"],
    expected: {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: {
        resourceAttributes: {
          verb: "delete",
          group: "rbac.authorization.k8s.io",
          resource: "roles",
        },
      },
      status: { allowed: false },
    },
  },
  {
    name: "can-i-non-resource",
    args: ["auth", "can-i", "get", "/healthz"],
    expected: {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: { nonResourceAttributes: { path: "/healthz", verb: "get" } },
      status: { allowed: false },
    },
  },
  {
    name: "can-i-list",
    args: ["auth", "can-i", "--list", ...NS],
    expected: {
      kind: "SelfSubjectRulesReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: { namespace: "default" },
      status: {
        resourceRules: null,
        nonResourceRules: null,
        incomplete: false,
      },
    },
  },
  {
    name: "whoami",
    args: ["auth", "whoami"],
    expected: {
      kind: "SelfSubjectReview",
      apiVersion: "authentication.k8s.io/v1",
      metadata: {},
      status: { userInfo: {} },
    },
  },
  {
    name: "token",
    args: ["create", "token", "sa1", "--duration=10m", "--audience=aud", ...NS],
    expected: {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: {},
      spec: {
        audiences: ["aud"],
        expirationSeconds: 600,
        boundObjectRef: null,
      },
      status: { token: "", expirationTimestamp: null },
    },
  },
  {
    name: "auth-reconcile-role",
    args: ["auth", "reconcile", "-f", "{role}"],
    expected: {
      kind: "Role",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: {
        name: "reconciled",
        namespace: "default",
        labels: { app: "demo" },
        annotations: { note: "from a file" },
      },
      rules: [
        { verbs: ["get", "watch"], apiGroups: [""], resources: ["configmaps"] },
        {
          verbs: ["get"],
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: ["one"],
        },
      ],
    },
  },
];
