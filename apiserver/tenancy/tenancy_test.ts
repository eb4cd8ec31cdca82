import assert from "node:assert/strict";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import {
  clusterPrefix,
  type ResourceRef,
  type StoreFactory,
} from "../../storage/mod.ts";
import {
  configMap,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import type { UserInfo } from "../request_context.ts";
import { BUILTIN_RESOURCES } from "../resources/registry.ts";
import { virtualClusterKey } from "./directory.ts";
import { TEARDOWN_FINALIZER } from "./types.ts";
import { widgetCrd } from "../../tests/support/crd_testdata.ts";

const VC = "/apis/tenancy.hyperplane.dev/v1alpha1/virtualclusters";
const ALICE: UserInfo = { username: "alice", groups: ["system:authenticated"] };

function vc(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "tenancy.hyperplane.dev/v1alpha1",
    kind: "VirtualCluster",
    metadata: { name },
    spec,
  };
}

async function openMemory(): Promise<StoreFactory> {
  return await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
}

async function until<T>(
  what: string,
  f: () => Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function ready(s: TestServer, name: string) {
  return await until(`${name} Ready`, async () => {
    const r = await s.request("GET", `${VC}/${name}`);
    return r.body?.status?.phase === "Ready" ? r.body : undefined;
  });
}

async function gone(s: TestServer, name: string) {
  await until(`${name} deleted`, async () => {
    const r = await s.request("GET", `${VC}/${name}`);
    return r.status === 404 ? true : undefined;
  });
}

/** Keys of `cluster` under every built-in resource and `extra`. */
async function keysOf(
  storage: StoreFactory,
  cluster: string,
  extra: ResourceRef[] = [],
): Promise<number> {
  let n = 0;
  const refs = [
    ...BUILTIN_RESOURCES.filter((d) => !d.storedAs).map((d) => ({
      group: d.group,
      resource: d.plural,
    })),
    ...extra,
  ];
  for (const ref of refs) {
    const { items } = await storage.storeFor(ref).list(
      clusterPrefix({ ...ref, cluster }),
      { recursive: true },
    );
    n += items.length;
  }
  return n;
}

Deno.test("declared mode: an undeclared cluster is 404 and nothing is created", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    for (
      const path of [
        "/clusters/nope/api/v1/namespaces",
        "/clusters/nope/api",
        "/clusters/nope/control-plane/api/v1/namespaces/default/configmaps",
      ]
    ) {
      const r = await s.request("GET", path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.reason, "NotFound");
      assert.equal(r.body.message, 'cluster "nope" not found');
    }
    const w = await s.request(
      "POST",
      "/clusters/nope/api/v1/namespaces/default/configmaps",
      { body: configMap("x") },
    );
    assert.equal(w.status, 404);
    assert.equal(await keysOf(s.storage, "nope"), 0);
    // root always exists; the kind is served there only
    assert.equal((await s.request("GET", "/api/v1/namespaces")).status, 200);
    assert.equal((await s.request("GET", VC)).status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("a VirtualCluster is bootstrapped, made Ready, and its admins are cluster-admins there only", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    const c = await s.request("POST", VC, {
      body: vc("team-a", { admins: [{ kind: "User", name: "alice" }] }),
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.deepEqual(c.body.metadata.finalizers, [TEARDOWN_FINALIZER]);
    assert.equal(c.body.spec.admins[0].apiGroup, "rbac.authorization.k8s.io");
    const got = await ready(s, "team-a");
    assert.equal(got.status.path, "/clusters/team-a");
    assert.ok(got.status.objects > 4, `objects: ${got.status.objects}`);
    const ready0 = got.status.conditions.find((x: { type: string }) =>
      x.type === "Ready"
    );
    assert.equal(ready0.status, "True");

    const ns = await s.request("GET", "/clusters/team-a/api/v1/namespaces");
    assert.equal(ns.status, 200);
    assert.deepEqual(
      ns.body.items.map((n: { metadata: { name: string } }) => n.metadata.name)
        .sort(),
      ["default", "kube-node-lease", "kube-public", "kube-system"],
    );
    const asAlice = await s.request(
      "POST",
      "/clusters/team-a/api/v1/namespaces/default/configmaps",
      { body: configMap("mine"), user: ALICE },
    );
    assert.equal(asAlice.status, 201, JSON.stringify(asAlice.body));
    const inRoot = await s.request("GET", "/api/v1/namespaces", {
      user: ALICE,
    });
    assert.equal(inRoot.status, 403);
    // The kind is served in root only.
    const elsewhere = await s.request("GET", `/clusters/team-a${VC}`);
    assert.equal(elsewhere.status, 404);
    // Table output has the phase and object count.
    const table = await s.request("GET", VC, {
      headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
    });
    assert.deepEqual(
      table.body.columnDefinitions.slice(0, 4).map((d: { name: string }) =>
        d.name
      ),
      ["Name", "Phase", "Objects", "Age"],
    );
    assert.equal(table.body.rows[0].cells[1], "Ready");
    // Removing alice from spec.admins takes her rights away.
    const upd = await s.request("PATCH", `${VC}/team-a`, {
      text: JSON.stringify({ spec: { admins: [] } }),
      headers: { "content-type": "application/merge-patch+json" },
    });
    assert.equal(upd.status, 200);
    await until("alice loses access", async () => {
      const r = await s.request(
        "GET",
        "/clusters/team-a/api/v1/namespaces/default/configmaps",
        { user: ALICE },
      );
      return r.status === 403 ? true : undefined;
    });
  } finally {
    await s.close();
  }
});

Deno.test("bad names and root: 4xx and nothing changes", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    for (const name of ["Team-A", "x".repeat(64), "root", "a.b", "ünï"]) {
      const r = await s.request("POST", VC, { body: vc(name) });
      assert.equal(r.status, 422, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.reason, "Invalid");
    }
    const root = await s.request("POST", VC, { body: vc("root") });
    assert.match(root.body.message, /"root" is reserved/);
    for (const dryRun of ["", "?dryRun=All"]) {
      const del = await s.request("DELETE", `${VC}/root${dryRun}`);
      assert.equal(del.status, 403, dryRun);
      assert.equal(del.body.reason, "Forbidden");
      assert.equal(
        del.body.message,
        'virtualclusters.tenancy.hyperplane.dev "root" is forbidden: the root cluster always exists and cannot be deleted',
      );
    }
    for (
      const path of [
        "/clusters/Team/api/v1/namespaces",
        `/clusters/${"x".repeat(64)}/api/v1/namespaces`,
        "/clusters/a%2Fb/api/v1/namespaces",
        "/clusters/%C3%BC/api/v1/namespaces",
      ]
    ) {
      const r = await s.request("GET", path);
      assert.equal(r.status, 400, path);
      assert.match(r.body.message, /invalid cluster name/);
    }
    const bad = await s.request("POST", VC, {
      body: vc("ok", {
        admins: [{ kind: "Robot", name: "r" }, {
          kind: "ServiceAccount",
          name: "x",
        }],
        limits: { objects: -1 },
      }),
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(
      bad.body.details.causes.map((c: { field: string }) => c.field).sort(),
      [
        "spec.admins[0].kind",
        "spec.admins[1].namespace",
        "spec.limits.objects",
      ],
    );
    const list = await s.request("GET", VC);
    assert.deepEqual(list.body.items, []);
    assert.equal((await s.request("GET", "/api/v1/namespaces")).status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("deleting a VirtualCluster removes every key of the cluster, CRDs and custom resources included", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    await s.request("POST", VC, { body: vc("doomed") });
    await s.request("POST", VC, { body: vc("kept") });
    await ready(s, "doomed");
    await ready(s, "kept");
    const base = "/clusters/doomed";
    assert.equal(
      (await s.request("POST", `${base}/api/v1/namespaces`, {
        body: { metadata: { name: "team" } },
      })).status,
      201,
    );
    for (let i = 0; i < 50; i++) {
      const r = await s.request(
        "POST",
        `${base}/api/v1/namespaces/team/configmaps`,
        { body: configMap(`cm-${i}`) },
      );
      assert.equal(r.status, 201);
    }
    const crd = await s.request(
      "POST",
      `${base}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
      { body: widgetCrd() },
    );
    assert.equal(crd.status, 201, JSON.stringify(crd.body));
    const widget = (i: number) => ({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: `w-${i}` },
    });
    await until("widgets served", async () => {
      const r = await s.request(
        "POST",
        `${base}/apis/example.com/v1/namespaces/team/widgets`,
        { body: widget(0) },
      );
      return r.status === 201 ? true : undefined;
    });
    for (let i = 1; i < 10; i++) {
      await s.request(
        "POST",
        `${base}/apis/example.com/v1/namespaces/team/widgets`,
        { body: widget(i) },
      );
    }
    const widgets = { group: "example.com", resource: "widgets" };
    assert.ok(await keysOf(s.storage, "doomed", [widgets]) > 60);
    const keptBefore = await keysOf(s.storage, "kept");

    const del = await s.request("DELETE", `${VC}/doomed`);
    assert.equal(del.status, 200);
    await gone(s, "doomed");
    // The real storage (not the API) holds nothing of the cluster.
    assert.equal(await keysOf(s.storage, "doomed", [widgets]), 0);
    assert.equal(await keysOf(s.storage, "kept"), keptBefore);
    const r = await s.request("GET", `${base}/api/v1/namespaces`);
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'cluster "doomed" not found');
    // The same name can be created again, fresh.
    await s.request("POST", VC, { body: vc("doomed") });
    await ready(s, "doomed");
    const again = await s.request(
      "GET",
      `${base}/api/v1/namespaces/team`,
    );
    assert.equal(again.status, 404);
    assert.equal(
      (await s.request("GET", `${base}/apis/example.com/v1/widgets`)).status,
      404,
    );
  } finally {
    await s.close();
  }
});

Deno.test("a restart during teardown resumes it", async () => {
  const storage = await openMemory();
  try {
    const a = await startTestServer({ storage, virtualClusters: "declared" });
    await a.request("POST", VC, { body: vc("half") });
    await ready(a, "half");
    for (let i = 0; i < 20; i++) {
      await a.request(
        "POST",
        "/clusters/half/api/v1/namespaces/default/configmaps",
        { body: configMap(`cm-${i}`) },
      );
    }
    await a.close();
    // As if the delete was accepted and the teardown cut short after the
    // configmaps: the object is marked, part of the data is gone.
    const vcs = storage.storeFor({
      group: "tenancy.hyperplane.dev",
      resource: "virtualclusters",
    });
    await vcs.guaranteedUpdate(virtualClusterKey("half"), {
      tryUpdate: (cur) => {
        const next = structuredClone(cur!);
        next.metadata.deletionTimestamp = new Date().toISOString();
        return next;
      },
    });
    await storage.storeFor({ resource: "configmaps" }).deletePrefix(
      clusterPrefix({ resource: "configmaps", cluster: "half" }),
    );
    assert.ok(await keysOf(storage, "half") > 0);

    const b = await startTestServer({ storage, virtualClusters: "declared" });
    try {
      await gone(b, "half");
      assert.equal(await keysOf(storage, "half"), 0);
      const r = await b.request("GET", "/clusters/half/api/v1/namespaces");
      assert.equal(r.status, 404);
    } finally {
      await b.close();
    }
  } finally {
    await storage.close();
  }
});

Deno.test("clusters found in storage without a VirtualCluster are adopted on start", async () => {
  const storage = await openMemory();
  try {
    const a = await startTestServer({ storage, virtualClusters: "implicit" });
    const r = await a.request(
      "POST",
      "/clusters/legacy/api/v1/namespaces/default/configmaps",
      { body: configMap("old") },
    );
    assert.equal(r.status, 201);
    // Implicit creation makes the object, too.
    const made = await ready(a, "legacy");
    assert.equal(
      made.metadata.annotations["tenancy.hyperplane.dev/created-by"],
      "admin",
    );
    await a.close();
    // A store from before VirtualClusters existed: the object is missing.
    const vcs = storage.storeFor({
      group: "tenancy.hyperplane.dev",
      resource: "virtualclusters",
    });
    await vcs.guaranteedUpdate(virtualClusterKey("legacy"), {
      tryUpdate: (cur) => {
        const next = structuredClone(cur!);
        delete next.metadata.finalizers;
        return next;
      },
    });
    await vcs.delete(virtualClusterKey("legacy"));

    const b = await startTestServer({ storage, virtualClusters: "declared" });
    try {
      // Adoption runs after start: a request at once waits for it.
      const early = await b.request(
        "GET",
        "/clusters/legacy/api/v1/namespaces/default/configmaps/old",
      );
      assert.equal(early.status, 200);
      const adopted = await ready(b, "legacy");
      assert.equal(
        adopted.metadata.annotations["tenancy.hyperplane.dev/adopted"],
        "true",
      );
      const cm = await b.request(
        "GET",
        "/clusters/legacy/api/v1/namespaces/default/configmaps/old",
      );
      assert.equal(cm.status, 200);
    } finally {
      await b.close();
    }
  } finally {
    await storage.close();
  }
});

Deno.test("spec.limits is enforced at admission with 403", async () => {
  const s = await startTestServer({ virtualClusters: "declared" });
  try {
    await s.request("POST", VC, { body: vc("small") });
    const got = await ready(s, "small");
    const objects = got.status.objects as number;
    await s.request("PATCH", `${VC}/small`, {
      text: JSON.stringify({
        spec: { limits: { objects: objects + 3, namespaces: 5 } },
      }),
      headers: { "content-type": "application/merge-patch+json" },
    });
    await until("limits seen", async () => {
      const r = await s.request("GET", `${VC}/small`);
      return r.body.status?.conditions?.[0]?.observedGeneration === 2
        ? true
        : undefined;
    });
    const base = "/clusters/small/api/v1/namespaces";
    assert.equal(
      (await s.request("POST", base, { body: { metadata: { name: "n1" } } }))
        .status,
      201,
    );
    const refused = await s.request("POST", base, {
      body: { metadata: { name: "n2" } },
    });
    assert.equal(refused.status, 403);
    assert.match(
      refused.body.message,
      /virtual cluster "small" has reached its limit of 5 namespaces/,
    );
    let created = 0;
    let last;
    for (let i = 0; i < 10; i++) {
      last = await s.request("POST", `${base}/default/configmaps`, {
        body: configMap(`cm-${i}`),
      });
      if (last.status === 201) created++;
      else break;
    }
    assert.equal(created, 2);
    assert.equal(last!.status, 403);
    assert.match(last!.body.message, /limit of \d+ objects/);
    // Deletes are never limited.
    const d = await s.request("DELETE", `${base}/default/configmaps/cm-0`);
    assert.equal(d.status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("after a restart each cluster's admins are authorized from its stored policy, and later RBAC changes apply", async () => {
  // A restarted server indexes a cluster's RBAC objects on its first use,
  // not at start: the first requests must be decided by the stored policy.
  const storage = await openMemory();
  try {
    const a = await startTestServer({ storage, virtualClusters: "declared" });
    await a.request("POST", VC, {
      body: vc("t1", { admins: [{ kind: "User", name: "alice" }] }),
    });
    await a.request("POST", VC, { body: vc("t2") });
    await ready(a, "t1");
    await ready(a, "t2");
    await a.close();

    const b = await startTestServer({ storage, virtualClusters: "declared" });
    try {
      const mine = await b.request(
        "POST",
        "/clusters/t1/api/v1/namespaces/default/configmaps",
        { body: configMap("after-restart"), user: ALICE },
      );
      assert.equal(mine.status, 201);
      const other = await b.request(
        "GET",
        "/clusters/t2/api/v1/namespaces/default/configmaps",
        { user: ALICE },
      );
      assert.equal(other.status, 403);
      // A binding written after t2 was loaded is seen through the watch.
      const bound = await b.request(
        "POST",
        "/clusters/t2/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        {
          body: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "alice-view" },
            roleRef: {
              apiGroup: "rbac.authorization.k8s.io",
              kind: "ClusterRole",
              name: "view",
            },
            subjects: [{
              apiGroup: "rbac.authorization.k8s.io",
              kind: "User",
              name: "alice",
            }],
          },
        },
      );
      assert.equal(bound.status, 201);
      await until("alice may read t2's configmaps", async () => {
        const r = await b.request(
          "GET",
          "/clusters/t2/api/v1/namespaces/default/configmaps",
          { user: ALICE },
        );
        return r.status === 200 ? true : undefined;
      });
      const root = await b.request("GET", "/api/v1/namespaces", {
        user: ALICE,
      });
      assert.equal(root.status, 403);
    } finally {
      await b.close();
    }
  } finally {
    await storage.close();
  }
});
