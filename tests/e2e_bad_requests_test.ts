/**
 * A seeded, deterministic fuzz of bad requests against a real `hyperplane
 * server` (SQLite) that holds known objects: namespaces, configmaps,
 * secrets, a CRD and a custom resource, RBAC objects, in root and in a
 * virtual cluster. Each request mixes a method (bogus ones too), a path
 * (dot segments, `%2e`, encoded slashes, doubled and trailing slashes,
 * unknown groups and resources, overlong names, odd `/clusters/` prefixes,
 * `/watch/` paths), a body, a content type and query parameters, and is
 * written as raw HTTP/1.1 so nothing is normalised on the way.
 *
 * Afterwards: no response was a 5xx, the server is ready, every known
 * object is byte for byte what it was, every known namespace exists.
 *
 * The generator never sends a request that may legitimately change a
 * known object: a mutating request to a path that could name one always
 * carries a poison — a dot or empty segment, a malformed escape, an
 * unparseable body, or `dryRun`. Valid requests go to fresh names only.
 *
 * `FUZZ_SEED=<n>` replays another seed; `FUZZ_COUNT=<n>` changes the count.
 */

import assert from "node:assert/strict";
import { startServer, type TestServer } from "./support/server.ts";
import { RawHttpClient, type RawResponse } from "./support/raw_http.ts";

const DEFAULT_SEED = 20261206;
const DEFAULT_COUNT = 1200;
const MAX_COUNT = 20_000;
const REQUEST_TIMEOUT_MS = 5_000;
const VC = "fz-vc";

/** mulberry32: a tiny seeded PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- the known world -------------------------------------------------------

const CRD_GROUP = "fuzz.example.com";
const KNOWN_NAMESPACES = ["fz-a", "fz-b"];
const SYSTEM_NAMESPACES = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
];

interface Known {
  /** Collection path (without cluster prefix). */
  collection: string;
  body: Record<string, unknown>;
  /** Item path (without cluster prefix). */
  item: string;
}

function knownObjects(): Known[] {
  const out: Known[] = [];
  const add = (collection: string, body: Record<string, unknown>) => {
    const name = (body.metadata as { name: string }).name;
    out.push({ collection, body, item: `${collection}/${name}` });
  };
  for (const ns of KNOWN_NAMESPACES) {
    add("/api/v1/namespaces", { metadata: { name: ns, labels: { fz: "1" } } });
  }
  for (const ns of KNOWN_NAMESPACES) {
    const base = `/api/v1/namespaces/${ns}`;
    for (const name of ["cm-1", "cm-2"]) {
      add(`${base}/configmaps`, {
        metadata: { name, labels: { fz: "1" } },
        data: { key: `${ns}/${name}`, other: "v" },
      });
    }
    add(`${base}/secrets`, {
      metadata: { name: "sec-1", labels: { fz: "1" } },
      type: "Opaque",
      stringData: { password: `pw-${ns}` },
    });
    const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}`;
    add(`${rbac}/roles`, {
      metadata: { name: "role-1", labels: { fz: "1" } },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
    });
    add(`${rbac}/rolebindings`, {
      metadata: { name: "rb-1", labels: { fz: "1" } },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "role-1",
      },
      subjects: [{
        kind: "User",
        name: "fuzzer",
        apiGroup: "rbac.authorization.k8s.io",
      }],
    });
  }
  add("/apis/rbac.authorization.k8s.io/v1/clusterroles", {
    metadata: { name: "fz-cr", labels: { fz: "1" } },
    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }],
  });
  add("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    metadata: { name: "fz-crb", labels: { fz: "1" } },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "fz-cr",
    },
    subjects: [{
      kind: "User",
      name: "fuzzer",
      apiGroup: "rbac.authorization.k8s.io",
    }],
  });
  return out;
}

const CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `widgets.${CRD_GROUP}` },
  spec: {
    group: CRD_GROUP,
    scope: "Namespaced",
    names: {
      plural: "widgets",
      singular: "widget",
      kind: "Widget",
      listKind: "WidgetList",
    },
    versions: [{
      name: "v1",
      served: true,
      storage: true,
      subresources: { status: {} },
      schema: {
        openAPIV3Schema: {
          type: "object",
          properties: {
            spec: {
              type: "object",
              "x-kubernetes-preserve-unknown-fields": true,
            },
            status: {
              type: "object",
              "x-kubernetes-preserve-unknown-fields": true,
            },
          },
        },
      },
    }],
  },
};

// --- the generator ---------------------------------------------------------

const METHODS = [
  "GET",
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "DELETE",
  "OPTIONS",
  "HEAD",
  "FOO",
  "DELETECOLLECTION",
  "delete",
  "get",
  "PROPFIND",
  "TRACE",
];
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const CONTENT_TYPES = [
  "application/json",
  "application/merge-patch+json",
  "application/json-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
  "application/yaml",
  "application/vnd.kubernetes.protobuf",
  "text/plain",
  "application/json; charset=utf-8",
  "application/x-www-form-urlencoded",
  "",
];

const QUERY_PARAMS: [string, string[]][] = [
  ["dryRun", ["All", "garbage", "", "all", "All&dryRun=nope"]],
  ["fieldManager", ["x".repeat(200), "a\u0001b", "", "kubectl", "%00"]],
  [
    "resourceVersion",
    ["abc", "-1", "1.5", "0x10", "", "9".repeat(30), "%00", "0"],
  ],
  ["resourceVersionMatch", ["Exact", "NotOlderThan", "garbage"]],
  ["limit", ["-1", "0", "abc", "99999999999999999999", "1"]],
  ["continue", ["garbage", "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", "%ff", ""]],
  ["watch", ["true", "1", "false", "garbage"]],
  ["timeoutSeconds", ["1", "-5", "abc"]],
  ["labelSelector", ["%%%", "a in (", "!!", "a=b,=c", "fz=1", "a%3D"]],
  ["fieldSelector", ["metadata.name=cm-1", "spec.nope=1", "==", "%zz"]],
  ["propagationPolicy", ["garbage", "Orphan", "", "foreground"]],
  ["gracePeriodSeconds", ["-1", "abc", "0"]],
  ["pretty", ["true", "garbage"]],
  ["sendInitialEvents", ["true", "garbage"]],
  ["allowWatchBookmarks", ["true", "x"]],
];

/** Bodies that neither a JSON, a YAML nor a protobuf decoder accepts. */
const UNPARSEABLE = [
  "{[",
  '{"metadata": {"name": "x"',
  '{"a": [',
  "[".repeat(200),
  "{[" + "a".repeat(100 * 1024),
  '{"metadata":{"name":"x"}}}}',
  "\u0000\u0001\u0002{[",
];

interface Generated {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** Read the status line only (watches). */
  headOnly: boolean;
  /** Why the request cannot change a known object (for the log). */
  poison: string;
}

class Generator {
  #rand: () => number;
  #fresh = 0;

  constructor(seed: number) {
    this.#rand = mulberry32(seed);
  }

  #chance(p: number): boolean {
    return this.#rand() < p;
  }

  #pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.#rand() * xs.length)];
  }

  #freshName(): string {
    return `fz-new-${this.#fresh++}`;
  }

  /** Returns [prefix, valid]: an invalid prefix names no cluster at all. */
  #prefix(): [string, boolean] {
    const r = this.#rand();
    if (r < 0.55) return ["", true];
    if (r < 0.75) return [`/clusters/${VC}`, true];
    if (r < 0.82) return [`/clusters/${VC}/control-plane`, true];
    return [
      this.#pick([
        "/clusters/%zz",
        "/clusters/..",
        "/clusters/.",
        "/clusters/%2e%2e",
        "/clusters/UPPER",
        "/clusters/a%2Fb",
        "/clusters/",
        "/clusters/" + "c".repeat(70),
        "/clusters/-bad-",
        "/clusters/%",
      ]),
      false,
    ];
  }

  /** A namespace segment and whether it can hold a known object. */
  #namespace(): [string, boolean] {
    const r = this.#rand();
    if (r < 0.55) return [this.#pick(KNOWN_NAMESPACES), true];
    if (r < 0.7) return [this.#pick(SYSTEM_NAMESPACES), true];
    if (r < 0.85) return [this.#freshName(), false];
    return [this.#pick(["fz-nope", "n".repeat(300), "UPPER", "a%20b"]), false];
  }

  /** A name segment and whether it can name a known object. */
  #name(known: readonly string[]): [string, boolean] {
    const r = this.#rand();
    if (r < 0.55) return [this.#pick(known), true];
    if (r < 0.8) return [this.#freshName(), false];
    return [
      this.#pick([
        "x".repeat(300),
        "y".repeat(254),
        "UPPER",
        "under_score",
        "-dash",
        "a%20b",
        "%E2%98%83",
      ]),
      false,
    ];
  }

  /**
   * A path (segments, without prefix) and whether it may name a known
   * object or a collection holding one.
   */
  #path(): {
    segments: string[];
    known: boolean;
    watch: boolean;
    item?: boolean;
  } {
    const shape = this.#pick([
      "core-ns",
      "core-ns",
      "core-cluster",
      "namespace",
      "rbac",
      "rbac-cluster",
      "crd",
      "cr",
      "unknown",
      "nonresource",
      "watch",
    ]);
    const [ns, nsKnown] = this.#namespace();
    const item = this.#chance(0.65);
    switch (shape) {
      case "core-ns": {
        const res = this.#pick(["configmaps", "secrets", "serviceaccounts"]);
        const [name, k] = this.#name(
          res === "serviceaccounts" ? ["default"] : ["cm-1", "cm-2", "sec-1"],
        );
        const segs = ["api", "v1", "namespaces", ns, res];
        if (item) segs.push(name);
        return {
          segments: segs,
          known: nsKnown && (!item || k),
          watch: false,
          item,
        };
      }
      case "core-cluster": {
        const res = this.#pick(["configmaps", "secrets", "events"]);
        return { segments: ["api", "v1", res], known: true, watch: false };
      }
      case "namespace": {
        const segs = ["api", "v1", "namespaces"];
        if (item) {
          segs.push(ns);
          if (this.#chance(0.3)) segs.push(this.#pick(["status", "finalize"]));
        }
        return { segments: segs, known: !item || nsKnown, watch: false, item };
      }
      case "rbac": {
        const res = this.#pick(["roles", "rolebindings"]);
        const [name, k] = this.#name(["role-1", "rb-1"]);
        const segs = [
          "apis",
          "rbac.authorization.k8s.io",
          "v1",
          "namespaces",
          ns,
          res,
        ];
        if (item) segs.push(name);
        return {
          segments: segs,
          known: nsKnown && (!item || k),
          watch: false,
          item,
        };
      }
      case "rbac-cluster": {
        const res = this.#pick(["clusterroles", "clusterrolebindings"]);
        const [name, k] = this.#name(["fz-cr", "fz-crb", "cluster-admin"]);
        const segs = ["apis", "rbac.authorization.k8s.io", "v1", res];
        if (item) segs.push(name);
        return { segments: segs, known: !item || k, watch: false, item };
      }
      case "crd": {
        const [name, k] = this.#name([`widgets.${CRD_GROUP}`]);
        const segs = [
          "apis",
          "apiextensions.k8s.io",
          "v1",
          "customresourcedefinitions",
        ];
        if (item) segs.push(name);
        if (item && this.#chance(0.2)) segs.push("status");
        return { segments: segs, known: !item || k, watch: false, item };
      }
      case "cr": {
        const [name, k] = this.#name(["w-1"]);
        const segs = ["apis", CRD_GROUP, "v1", "namespaces", ns, "widgets"];
        if (item) segs.push(name);
        if (item && this.#chance(0.2)) segs.push("status");
        return {
          segments: segs,
          known: nsKnown && (!item || k),
          watch: false,
          item,
        };
      }
      case "unknown": {
        // Unknown group, version or resource: nothing here is known, but
        // the generator still poisons mutations (the 404 is what we test).
        const segs = this.#pick([
          ["apis", "nope.example.com", "v1", "namespaces", ns, "things"],
          ["api", "v9", "namespaces", ns, "configmaps"],
          ["api", "v1", "namespaces", ns, "gizmos"],
          ["apis", CRD_GROUP, "v2", "namespaces", ns, "widgets"],
          [
            "apis",
            "rbac.authorization.k8s.io",
            "v1",
            "namespaces",
            ns,
            "bindings",
          ],
        ]);
        if (item) segs.push(this.#freshName());
        return { segments: segs, known: true, watch: false };
      }
      case "nonresource":
        return {
          segments: this.#pick([
            ["api"],
            ["apis"],
            ["api", "v1"],
            ["apis", CRD_GROUP, "v1"],
            ["version"],
            ["openapi", "v2"],
            ["openapi", "v3"],
            ["healthz"],
            ["metrics"],
            [],
            ["nope"],
          ]),
          known: false,
          watch: false,
        };
      default: {
        const segs = this.#pick([
          ["api", "v1", "watch", "namespaces", ns, "configmaps"],
          ["api", "v1", "watch", "namespaces"],
          ["api", "v1", "watch", "namespaces", ns],
          ["apis", CRD_GROUP, "v1", "watch", "namespaces", ns, "widgets"],
          ["api", "v1", "watch", "configmaps"],
        ]);
        if (item && segs.at(-1) !== ns) segs.push(this.#pick(["cm-1", "w-1"]));
        return { segments: segs, known: true, watch: true };
      }
    }
  }

  /** Applies a path mutation; returns the poison it adds, if any. */
  #mutatePath(segments: string[]): { segments: string[]; poison: string } {
    const segs = [...segments];
    const at = () => Math.floor(this.#rand() * (segs.length + 1));
    const r = this.#rand();
    if (r < 0.12) {
      const dot = this.#pick([
        ".",
        "..",
        "%2e",
        "%2E",
        "%2e%2e",
        "%2E%2e",
        ".%2e",
        "%2e.",
      ]);
      segs.splice(at(), 0, dot);
      return { segments: segs, poison: `dot segment ${dot}` };
    }
    if (r < 0.2 && segs.length > 0) {
      const i = Math.floor(this.#rand() * segs.length);
      const dot = this.#pick(["..", "%2e%2e", "."]);
      segs[i] = dot;
      return { segments: segs, poison: `segment replaced by ${dot}` };
    }
    if (r < 0.28 && segs.length > 0) {
      // Not at the end: an empty last segment is a trailing slash, which
      // names the same object (a valid request).
      segs.splice(Math.floor(this.#rand() * segs.length), 0, "");
      return { segments: segs, poison: "empty segment" };
    }
    if (r < 0.36 && segs.length > 0) {
      const i = Math.floor(this.#rand() * segs.length);
      segs[i] = segs[i] + this.#pick(["%2F", "%2f", "%2Fx", "%2F.."]);
      return { segments: segs, poison: "encoded slash" };
    }
    if (r < 0.42 && segs.length > 0) {
      const i = Math.floor(this.#rand() * segs.length);
      segs[i] = segs[i] + this.#pick(["%zz", "%", "%4", "%C3%28"]);
      return { segments: segs, poison: "malformed escape" };
    }
    return { segments: segs, poison: "" };
  }

  /** Zero to two random query parameters (plus a short watch). */
  #query(watchy: boolean): string[] {
    const params: string[] = [];
    const n = Math.floor(this.#rand() * 3);
    for (let i = 0; i < n; i++) {
      const [k, vs] = this.#pick(QUERY_PARAMS);
      // Spaces and control characters are escaped (a raw one would break
      // the request line); everything else is sent as written.
      const v = [...this.#pick(vs)]
        .map((c) => c.charCodeAt(0) <= 0x20 ? encodeURIComponent(c) : c)
        .join("");
      params.push(`${k}=${v}`);
    }
    if (watchy || this.#chance(0.05)) {
      params.push("watch=true", "timeoutSeconds=1");
    }
    return params;
  }

  /** A body that might be accepted (only for requests that may be valid). */
  #anyBody(): Uint8Array | string | undefined {
    const name = this.#freshName();
    return this.#pick<() => Uint8Array | string | undefined>([
      () => undefined,
      () => "",
      () => JSON.stringify({ metadata: { name }, data: { k: "v" } }),
      () =>
        JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name },
          data: { big: "b".repeat(100 * 1024) },
        }),
      () => {
        let s = '"leaf"';
        for (let i = 0; i < 200; i++) s = `{"a":${s}}`;
        return `{"metadata":{"name":"${name}"},"spec":${s}}`;
      },
      () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`,
      () =>
        new Uint8Array([
          0x6b,
          0x38,
          0x73,
          0x00,
          ...Array.from({ length: 24 }, () => Math.floor(this.#rand() * 256)),
        ]),
      () => JSON.stringify({ metadata: "string" }),
      () => JSON.stringify({ metadata: { name: 123 } }),
      () => "[]",
      () => "null",
      () => "42",
      () => JSON.stringify({ apiVersion: 1, kind: [] }),
      () => JSON.stringify({ metadata: { name }, data: { k: 1 } }),
      () => JSON.stringify([{ op: "remove", path: "/metadata" }]),
      () => JSON.stringify({ kind: "DeleteOptions", propagationPolicy: "x" }),
      () => this.#pick(UNPARSEABLE),
    ])();
  }

  next(): Generated {
    let method = this.#pick(METHODS);
    const [prefix, prefixValid] = this.#prefix();
    const path = this.#path();
    const mutated = this.#mutatePath(path.segments);
    let raw = "/" + mutated.segments.join("/");
    if (this.#chance(0.1)) raw += "/";
    if (this.#chance(0.03)) raw = "/" + raw;
    if (raw === "//") raw = "/";
    const pathPoison = mutated.poison ||
      (prefixValid ? "" : "bad cluster prefix") ||
      (raw.startsWith("//") ? "leading empty segment" : "");
    const watch = path.watch || false;
    if (watch) method = this.#pick(["GET", "GET", "DELETE", "POST", "HEAD"]);
    const params = this.#query(watch && method === "GET");
    const headers: Record<string, string> = {};
    const ct = this.#pick(CONTENT_TYPES);
    if (ct) headers["Content-Type"] = ct;
    if (this.#chance(0.2)) {
      headers["Accept"] = this.#pick([
        "application/json;as=Table;v=v1;g=meta.k8s.io",
        "application/vnd.kubernetes.protobuf",
        "application/yaml",
        "text/html",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        "*/*",
      ]);
    }
    let body = this.#anyBody();
    let poison = pathPoison;
    // A create in a collection only ever names a fresh object.
    const create = method === "POST" && path.item === false;
    if (MUTATING.has(method) && !pathPoison && path.known && !create) {
      // Could touch a known object: make it certain to be refused or dry.
      if (this.#chance(0.75)) {
        body = this.#pick(UNPARSEABLE);
        if (ct === "application/vnd.kubernetes.protobuf") {
          body = new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff]);
        }
        poison = "unparseable body";
      } else if (this.#chance(0.5)) {
        params.push("dryRun=garbage");
        poison = "dryRun=garbage";
      } else {
        params.push("dryRun=All");
        poison = "dryRun=All";
      }
    }
    const target = `${prefix}${raw}${
      params.length ? "?" + params.join("&") : ""
    }`;
    const bytes = typeof body === "string"
      ? new TextEncoder().encode(body)
      : body;
    const wantsWatch =
      params.some((p) => p === "watch=true" || p === "watch=1") ||
      raw.includes("/watch/");
    return {
      method,
      target,
      headers,
      body: bytes,
      headOnly: (method === "GET" || method === "get") && wantsWatch,
      poison,
    };
  }
}

// --- the test --------------------------------------------------------------

async function fetchText(
  server: TestServer,
  path: string,
): Promise<[number, string]> {
  const res = await server.fetch(path);
  return [res.status, await res.text()];
}

async function post(
  server: TestServer,
  path: string,
  body: unknown,
): Promise<void> {
  const res = await server.fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, `POST ${path}: ${await res.text()}`);
}

function describe(g: Generated): string {
  const body = g.body === undefined
    ? "no body"
    : `${g.body.length} bytes ${
      JSON.stringify(new TextDecoder().decode(g.body.subarray(0, 80)))
    }`;
  return `${g.method} ${g.target} ${JSON.stringify(g.headers)} ${body} (${
    g.poison || "no poison"
  })`;
}

Deno.test("a seeded fuzz of bad requests: no 5xx, the server stays up, known objects unchanged", async () => {
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? DEFAULT_SEED);
  const count = Math.min(
    Number(Deno.env.get("FUZZ_COUNT") ?? DEFAULT_COUNT),
    MAX_COUNT,
  );
  console.error(`fuzz seed=${seed} count=${count} (replay: FUZZ_SEED=${seed})`);

  // Implicit clusters: the fuzzer's `/clusters/<vc>/` prefixes are served.
  const server = await startServer({ args: ["--virtual-clusters=implicit"] });
  const client = new RawHttpClient({
    port: server.port,
    caCert: server.caCert,
    token: server.token,
  });
  try {
    // The known world, in root and in a virtual cluster.
    await post(
      server,
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      CRD,
    );
    const known: string[] = [];
    for (const prefix of ["", `/clusters/${VC}`]) {
      if (prefix) {
        await post(
          server,
          `${prefix}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
          CRD,
        );
      }
      for (const k of knownObjects()) {
        await post(server, `${prefix}${k.collection}`, k.body);
        known.push(`${prefix}${k.item}`);
      }
      const crs = `${prefix}/apis/${CRD_GROUP}/v1/namespaces/fz-a/widgets`;
      for (let i = 0; i < 100; i++) {
        const res = await server.fetch(crs, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            apiVersion: `${CRD_GROUP}/v1`,
            kind: "Widget",
            metadata: { name: "w-1" },
            spec: { size: 3, nested: { list: [1, 2, 3] } },
          }),
        });
        const text = await res.text();
        if (res.status === 201) break;
        assert.ok(
          i < 99,
          `creating the custom resource: ${res.status} ${text}`,
        );
        await new Promise((r) => setTimeout(r, 100));
      }
      known.push(`${crs}/w-1`);
      known.push(
        `${prefix}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${CRD_GROUP}`,
      );
      for (const ns of SYSTEM_NAMESPACES) {
        known.push(`${prefix}/api/v1/namespaces/${ns}`);
      }
    }

    // Let controllers settle (CRD conditions, namespace bootstrap), then
    // take a snapshot that is stable over a second.
    const snapshot = async () => {
      const out = new Map<string, string>();
      for (const path of known) {
        const [status, text] = await fetchText(server, path);
        assert.equal(status, 200, `${path}: ${text}`);
        out.set(path, text);
      }
      return out;
    };
    let before = await snapshot();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const again = await snapshot();
      const same = [...before].every(([k, v]) => again.get(k) === v);
      before = again;
      if (same) break;
      assert.ok(i < 19, "the known objects never settled");
    }

    const gen = new Generator(seed);
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const failures: string[] = [];
    /** Requests that were not refused (for the report when data changed). */
    const accepted: string[] = [];
    for (let i = 0; i < count; i++) {
      const g = gen.next();
      let res: RawResponse | undefined;
      try {
        res = await client.request(g.method, g.target, {
          headers: g.headers,
          body: g.body,
          headOnly: g.headOnly,
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
      } catch (err) {
        failures.push(
          `#${i} ${describe(g)}: ${err instanceof Error ? err.message : err}`,
        );
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status < 300 && !["GET", "HEAD"].includes(g.method)) {
        accepted.push(`#${i} ${describe(g)} → ${res.status}`);
      }
      if (res.status >= 500) {
        serverErrors.push(
          `#${i} ${describe(g)} → ${res.status} ${res.text().slice(0, 400)}`,
        );
      }
      if (res.text().includes("/registry/")) {
        serverErrors.push(
          `#${i} ${describe(g)} → storage key in body: ${
            res.text().slice(0, 400)
          }`,
        );
      }
    }
    client.close();
    console.error(
      `fuzz statuses: ${
        [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`)
          .join(" ")
      }`,
    );

    assert.deepEqual(
      serverErrors,
      [],
      `seed ${seed}: 5xx or leaked keys:\n${serverErrors.join("\n")}`,
    );
    assert.deepEqual(
      failures,
      [],
      `seed ${seed}: requests that failed or hung:\n${failures.join("\n")}`,
    );

    const ready = await server.fetch("/readyz");
    assert.equal(ready.status, 200, await ready.text());

    // Namespaces first: a deleted one explains every object gone with it.
    const why = () =>
      `seed ${seed}; requests the server accepted:\n${accepted.join("\n")}`;
    for (const prefix of ["", `/clusters/${VC}`]) {
      for (const ns of [...KNOWN_NAMESPACES, ...SYSTEM_NAMESPACES]) {
        const path = `${prefix}/api/v1/namespaces/${ns}`;
        const [status, text] = await fetchText(server, path);
        assert.equal(status, 200, `${path} is gone (${why()})`);
        const obj = JSON.parse(text);
        assert.equal(obj.status?.phase, "Active", `${path} (${why()})`);
        assert.equal(
          obj.metadata.deletionTimestamp,
          undefined,
          `${path} is being deleted (${why()})`,
        );
      }
    }
    for (const [path, text] of before) {
      const [status, now] = await fetchText(server, path);
      assert.equal(status, 200, `${path} is gone (${why()})`);
      const rv = (t: string) => JSON.parse(t).metadata?.resourceVersion;
      assert.equal(rv(now), rv(text), `${path} resourceVersion (${why()})`);
      assert.equal(now, text, `${path} changed (${why()})`);
    }
  } finally {
    client.close();
    await server.stop();
  }
});
