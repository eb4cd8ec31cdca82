/**
 * Test support: a tiny loopback API server that answers kubectl's
 * discovery and records every request body, so tests can capture the
 * protobuf bodies the real kubectl sends without a real cluster.
 *
 * @module
 */

import { parse as parseYaml } from "yaml";
import { runTool, type ToolResult } from "./kubectl.ts";
import { decodeKubeProtobuf } from "../../apiserver/protobuf/decode.ts";

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

/** An empty list for a collection GET (`…/<resource>`), if it is one. */
function emptyList(path: string): unknown | undefined {
  const m = path.match(
    /^\/(?:api\/v1|apis\/([^/]+\/[^/]+))\/(?:namespaces\/[^/]+\/)?([^/]+)$/,
  );
  const gv = m ? (m[1] ?? "v1") : "";
  const res = GROUPS[gv]?.find(([name]) => name === m![2]);
  if (!res) return undefined;
  return {
    kind: `${res[1]}List`,
    apiVersion: gv,
    metadata: { resourceVersion: "1" },
    items: [],
  };
}

/** A plausible server answer for a write: the object, with a status. */
function answer(body: Uint8Array): unknown {
  let obj: Record<string, unknown>;
  try {
    obj = decodeKubeProtobuf(body);
  } catch {
    try {
      obj = parseYaml(new TextDecoder().decode(body));
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
export function captureKubectl(
  kubectl: string,
  args: string[],
  opts: { home: string; check?: boolean },
): Promise<Capture> {
  return captureTool(kubectl, (url) => ["--server", url, ...args], opts);
}

/**
 * Runs any client binary against the recording server; `args` receives the
 * server URL (helm: `--kube-apiserver <url>`).
 */
export async function captureTool(
  bin: string,
  args: (serverUrl: string) => string[],
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
        const ns = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)$/);
        if (ns) {
          return Response.json({
            kind: "Namespace",
            apiVersion: "v1",
            metadata: { name: ns[1] },
            status: { phase: "Active" },
          });
        }
        const d = discovery(url.pathname) ?? emptyList(url.pathname) ??
          (url.pathname === "/version"
            ? { major: "1", minor: "35", gitVersion: "v1.35.0" }
            : undefined);
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
    const result = await runTool(
      bin,
      args(`http://127.0.0.1:${server.addr.port}`),
      {
        env: { KUBECONFIG: "/dev/null", HOME: opts.home },
        check: opts.check,
      },
    );
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
