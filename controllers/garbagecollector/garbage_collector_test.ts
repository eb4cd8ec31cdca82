import assert from "node:assert/strict";
import { configMap } from "../../tests/support/apiserver_harness.ts";
import { eventually, startStand } from "../../tests/support/controllers.ts";

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
