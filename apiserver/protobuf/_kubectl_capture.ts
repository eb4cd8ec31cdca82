/**
 * Test support: a tiny loopback API server that answers kubectl's
 * discovery and records every request body, so tests can capture the
 * protobuf bodies the real kubectl sends without a real cluster.
 *
 * @module
 */

import { runTool, type ToolResult } from "../../tests/support/kubectl.ts";
import { decodeKubeProtobuf } from "./decode.ts";

/** One request kubectl made. */
export interface CapturedRequest {
  method: string;
  /** Path plus query string. */
  url: string;
  contentType: string;
  accept: string;
  body: Uint8Array;
}

/** The outcome of {@linkcode captureKubectl}. */
export interface Capture {
  requests: CapturedRequest[];
  /** The requests that carried a body (POST/PUT/DELETE with content). */
  bodies: CapturedRequest[];
  result: ToolResult;
}

type Resource = [name: string, kind: string, namespaced: boolean];

const GROUPS: Record<string, Resource[]> = {
  "v1": [
    ["configmaps", "ConfigMap", true],
    ["secrets", "Secret", true],
    ["namespaces", "Namespace", false],
    ["serviceaccounts", "ServiceAccount", true],
    ["events", "Event", true],
    ["pods", "Pod", true],
  ],
  "rbac.authorization.k8s.io/v1": [
    ["roles", "Role", true],
    ["rolebindings", "RoleBinding", true],
    ["clusterroles", "ClusterRole", false],
    ["clusterrolebindings", "ClusterRoleBinding", false],
  ],
  "authorization.k8s.io/v1": [
    ["selfsubjectaccessreviews", "SelfSubjectAccessReview", false],
    ["selfsubjectrulesreviews", "SelfSubjectRulesReview", true],
  ],
  "authentication.k8s.io/v1": [
    ["selfsubjectreviews", "SelfSubjectReview", false],
  ],
  "coordination.k8s.io/v1": [["leases", "Lease", true]],
  "events.k8s.io/v1": [["events", "Event", true]],
};

function resourceList(gv: string): unknown {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: GROUPS[gv].map(([name, kind, namespaced]) => ({
      name,
      singularName: kind.toLowerCase(),
      namespaced,
      kind,
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    })),
  };
}

function discovery(path: string): unknown | undefined {
  if (path === "/api") {
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [],
    };
  }
  if (path === "/apis") {
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: Object.keys(GROUPS).filter((gv) => gv !== "v1").map((gv) => {
        const [name, version] = gv.split("/");
        const v = { groupVersion: gv, version };
        return { name, versions: [v], preferredVersion: v };
      }),
    };
  }
  if (path === "/api/v1") return resourceList("v1");
  const m = path.match(/^\/apis\/([^/]+\/[^/]+)$/);
  if (m && GROUPS[m[1]]) return resourceList(m[1]);
  return undefined;
}

/** A plausible server answer for a write: the object, with a status. */
function answer(body: Uint8Array): unknown {
  let obj: Record<string, unknown>;
  try {
    obj = decodeKubeProtobuf(body);
  } catch {
    try {
      obj = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return { kind: "Status", apiVersion: "v1", status: "Success" };
    }
  }
  const status: Record<string, unknown> = {
    SelfSubjectAccessReview: { allowed: true },
    SelfSubjectRulesReview: {
      resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["*"] }],
      nonResourceRules: [],
      incomplete: false,
    },
    SelfSubjectReview: { userInfo: { username: "tester", groups: ["devs"] } },
    TokenRequest: {
      token: "t0ken",
      expirationTimestamp: "2030-01-01T00:00:00Z",
    },
  };
  const kind = String(obj.kind);
  return kind in status ? { ...obj, status: status[kind] } : obj;
}

/**
 * Runs kubectl against a recording loopback server (plain HTTP, port 0)
 * and returns what it sent. `args` should not name a server or context.
 */
export async function captureKubectl(
  kubectl: string,
  args: string[],
  opts: { home: string; check?: boolean },
): Promise<Capture> {
  const requests: CapturedRequest[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const body = new Uint8Array(await req.arrayBuffer());
      requests.push({
        method: req.method,
        url: url.pathname + url.search,
        contentType: req.headers.get("content-type") ?? "",
        accept: req.headers.get("accept") ?? "",
        body,
      });
      if (req.method === "GET") {
        const d = discovery(url.pathname);
        if (d) return Response.json(d);
        return Response.json({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "NotFound",
          code: 404,
        }, { status: 404 });
      }
      return Response.json(answer(body), {
        status: req.method === "POST" ? 201 : 200,
      });
    },
  );
  try {
    const result = await runTool(kubectl, [
      "--server",
      `http://127.0.0.1:${server.addr.port}`,
      ...args,
    ], {
      env: { KUBECONFIG: "/dev/null", HOME: opts.home },
      check: opts.check,
    });
    return {
      requests,
      bodies: requests.filter((r) => r.body.length > 0),
      result,
    };
  } finally {
    ac.abort();
    await server.finished;
  }
}
