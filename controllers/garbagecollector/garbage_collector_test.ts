import assert from "node:assert/strict";
import { configMap } from "../../tests/support/apiserver_harness.ts";
import {
  createWidgetWhenServed,
  eventually,
  startStand,
} from "../../tests/support/controllers.ts";
import { createLogger } from "../../log/mod.ts";
import { ALL_CLUSTERS } from "../client/mod.ts";
import type { ControllerContext, ControllerDescriptor } from "../context.ts";
import { GarbageCollector } from "./garbage_collector.ts";
import { widgetCrd } from "../../tests/support/crd_testdata.ts";

const CM = "/api/v1/namespaces/default/configmaps";

// deno-lint-ignore no-explicit-any
type Obj = any;

function ownedBy(owner: Obj, block = false) {
  return {
    metadata: {
      ownerReferences: [{
        apiVersion: "v1",
        kind: "ConfigMap",
        name: owner.metadata.name,
        uid: owner.metadata.uid,
        ...(block ? { blockOwnerDeletion: true } : {}),
      }],
    },
  };
}

Deno.test("deleting an owner garbage-collects its dependents (background)", async () => {
  const stand = await startStand({ controllers: "garbagecollector" });
  const s = stand.server;
  try {
    const owner = (await s.request("POST", CM, { body: configMap("owner") }))
      .body;
    for (let i = 0; i < 20; i++) {
      await s.request("POST", CM, {
        body: configMap(`dep-${i}`, {}, ownedBy(owner)),
      });
    }
    await s.request("POST", CM, { body: configMap("bystander") });
    await s.request("DELETE", `${CM}/owner`);
    await eventually(
      async () => (await s.request("GET", CM)).body.items.length === 1,
      "dependents gone",
    );
    assert.equal(
      (await s.request("GET", CM)).body.items[0].metadata.name,
      "bystander",
    );
  } finally {
    await stand.close();
  }
});

Deno.test("a dependent whose owner never existed, or has another uid, is deleted", async () => {
  const stand = await startStand({ controllers: "garbagecollector" });
  const s = stand.server;
  try {
    const real = (await s.request("POST", CM, { body: configMap("real") }))
      .body;
    await s.request("POST", CM, {
      body: configMap(
        "orphan-ghost",
        {},
        ownedBy({
          metadata: { name: "ghost", uid: crypto.randomUUID() },
        }),
      ),
    });
    await s.request("POST", CM, {
      body: configMap(
        "wrong-uid",
        {},
        ownedBy({
          metadata: { name: "real", uid: crypto.randomUUID() },
        }),
      ),
    });
    await s.request("POST", CM, {
      body: configMap("kept", {}, ownedBy(real)),
    });
    await eventually(async () => {
      const names = (await s.request("GET", CM)).body.items.map((o: Obj) =>
        o.metadata.name
      );
      return names.join() === "kept,real";
    }, "dangling dependents gone");
  } finally {
    await stand.close();
  }
});

Deno.test("a live owner keeps its dependent, whose dangling reference is removed", async () => {
  const stand = await startStand({ controllers: "garbagecollector" });
  const s = stand.server;
  try {
    const real = (await s.request("POST", CM, { body: configMap("real") }))
      .body;
    const two = ownedBy(real);
    two.metadata.ownerReferences.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "ghost",
      uid: crypto.randomUUID(),
    });
    await s.request("POST", CM, { body: configMap("dep", {}, two) });
    await eventually(
      async () =>
        (await s.request("GET", `${CM}/dep`)).body.metadata.ownerReferences
          ?.length === 1,
      "dangling reference removed",
    );
  } finally {
    await stand.close();
  }
});

Deno.test("foreground deletion removes blocking dependents before the owner", async () => {
  const stand = await startStand({ controllers: "garbagecollector" });
  const s = stand.server;
  try {
    const owner = (await s.request("POST", CM, { body: configMap("owner") }))
      .body;
    for (let i = 0; i < 5; i++) {
      await s.request("POST", CM, {
        body: configMap(`dep-${i}`, {}, ownedBy(owner, true)),
      });
    }
    const marked = await s.request(
      "DELETE",
      `${CM}/owner?propagationPolicy=Foreground`,
    );
    assert.ok(marked.body.metadata.deletionTimestamp);
    assert.deepEqual(marked.body.metadata.finalizers, ["foregroundDeletion"]);
    await eventually(
      async () => (await s.request("GET", `${CM}/owner`)).status === 404,
      "owner gone",
    );
    assert.equal((await s.request("GET", CM)).body.items.length, 0);
  } finally {
    await stand.close();
  }
});

Deno.test("orphan deletion removes the owner reference from dependents and keeps them", async () => {
  const stand = await startStand({ controllers: "garbagecollector" });
  const s = stand.server;
  try {
    const owner = (await s.request("POST", CM, { body: configMap("owner") }))
      .body;
    for (let i = 0; i < 5; i++) {
      await s.request("POST", CM, {
        body: configMap(`dep-${i}`, {}, ownedBy(owner)),
      });
    }
    const marked = await s.request("DELETE", `${CM}/owner`, {
      body: { kind: "DeleteOptions", propagationPolicy: "Orphan" },
    });
    assert.deepEqual(marked.body.metadata.finalizers, ["orphan"]);
    await eventually(
      async () => (await s.request("GET", `${CM}/owner`)).status === 404,
      "owner gone",
    );
    const items = (await s.request("GET", CM)).body.items;
    assert.equal(items.length, 5);
    for (const o of items) assert.equal(o.metadata.ownerReferences, undefined);
  } finally {
    await stand.close();
  }
});

Deno.test("a cluster-scoped dependent of a namespaced owner is refused with a warning event", async () => {
  const stand = await startStand({ controllers: "garbagecollector" });
  const s = stand.server;
  try {
    const owner = (await s.request("POST", CM, { body: configMap("owner") }))
      .body;
    await s.request("POST", "/api/v1/namespaces", {
      body: { metadata: { name: "dependent-ns", ...ownedBy(owner).metadata } },
    });
    await eventually(
      async () =>
        (await s.request("GET", "/api/v1/namespaces/default/events")).body.items
          .some((e: Obj) =>
            e.reason === "OwnerRefInvalidNamespace" &&
            e.involvedObject.name === "dependent-ns"
          ),
      "warning event",
    );
    assert.equal(
      (await s.request("GET", "/api/v1/namespaces/dependent-ns")).status,
      200,
    );
  } finally {
    await stand.close();
  }
});

const VC = "/apis/tenancy.hyperplane.dev/v1alpha1/virtualclusters";
const WIDGETS = {
  group: "example.com",
  version: "v1",
  resource: "widgets",
  kind: "Widget",
  namespaced: true,
  verbs: ["list", "watch", "delete"],
};

Deno.test("a deleted cluster is forgotten: no longer discovered nor watched, its nodes gone; created again, it is set up again", async () => {
  const lines: string[] = [];
  let gc: GarbageCollector | undefined;
  let ctx: ControllerContext | undefined;
  const probe: ControllerDescriptor = {
    name: "gc-probe",
    identity: "generic-garbage-collector",
    run: (c, signal) => {
      ctx = { ...c, discoveryIntervalMs: 20 };
      gc = new GarbageCollector(ctx);
      return gc.run(signal);
    },
  };
  const stand = await startStand({
    controllers: "-*",
    custom: [probe],
    logger: createLogger({ write: (l) => lines.push(l) }),
  });
  const s = stand.server;
  const B = "/clusters/doomed";
  const widgetSpec = {
    target: { cluster: ALL_CLUSTERS, resource: WIDGETS },
    metadataOnly: true,
  };
  const setUp = async () => {
    // The first request creates the cluster (implicit clusters).
    await s.request("POST", `${B}/api/v1/namespaces`, {
      body: { metadata: { name: "team" } },
    });
    await eventually(
      async () =>
        (await s.request(
          "POST",
          `${B}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
          { body: widgetCrd() },
        )).status === 201,
      "CRD created",
    );
    const owner: Obj = await createWidgetWhenServed(s, B, "team", "w");
    const dep =
      (await s.request("POST", `${B}/api/v1/namespaces/team/configmaps`, {
        body: configMap("dep", {}, {
          metadata: {
            ownerReferences: [{
              apiVersion: "example.com/v1",
              kind: "Widget",
              name: "w",
              uid: owner.metadata.uid,
            }],
          },
        }),
      })).body;
    await eventually(
      () =>
        !!gc?.watchedIn("doomed").includes("example.com/widgets") &&
        ctx!.informers.has(widgetSpec) &&
        !gc.graph.get("doomed", owner.metadata.uid)?.virtual &&
        !!gc.graph.get("doomed", dep.metadata.uid),
      "widgets watched in doomed, owner and dependent in the graph",
    );
    return { owner, dep };
  };
  try {
    const { owner, dep } = await setUp();
    assert.ok(gc!.discoveredClusters.includes("doomed"));

    assert.equal((await s.request("DELETE", `${VC}/doomed`)).status, 200);
    await eventually(
      async () => (await s.request("GET", `${VC}/doomed`)).status === 404,
      "cluster deleted",
    );
    await eventually(
      () =>
        !ctx!.clusters.has("doomed") &&
        !gc!.discoveredClusters.includes("doomed") &&
        gc!.watchedIn("doomed").length === 0 &&
        !ctx!.informers.has(widgetSpec),
      "cluster forgotten, widgets informer stopped",
    );
    await eventually(
      () =>
        !gc!.graph.get("doomed", owner.metadata.uid) &&
        !gc!.graph.get("doomed", dep.metadata.uid),
      "its graph nodes removed",
    );
    assert.ok(
      lines.some((l) =>
        l.includes("forgot a deleted cluster") && l.includes("doomed")
      ),
    );
    // Many discovery rounds later, nothing was asked of the deleted cluster.
    const mark = lines.length;
    await new Promise((r) => setTimeout(r, 300));
    const about = lines.slice(mark).filter((l) => l.includes("doomed"));
    assert.deepEqual(about, []);

    // Created again with the same name: discovered and watched again.
    await setUp();
    assert.ok(gc!.discoveredClusters.includes("doomed"));
  } finally {
    await stand.close();
  }
});
