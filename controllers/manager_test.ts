import assert from "node:assert/strict";
import { withoutCreateDetails } from "../tests/support/same_create.ts";
import { configMap } from "../tests/support/apiserver_harness.ts";
import type { KubeObject } from "../storage/mod.ts";
import { namespaceSeeds } from "./manager.ts";
import {
  eventually,
  startStand,
  TEST_CA,
} from "../tests/support/controllers.ts";

const NS = "/api/v1/namespaces";

Deno.test("a new namespace gets a default service account and kube-root-ca.crt, recreated when deleted", async () => {
  const stand = await startStand();
  const s = stand.server;
  try {
    assert.equal(
      (await s.request("POST", NS, { body: { metadata: { name: "team" } } }))
        .status,
      201,
    );
    const sa = `${NS}/team/serviceaccounts/default`;
    const cm = `${NS}/team/configmaps/kube-root-ca.crt`;
    await eventually(async () => (await s.request("GET", sa)).status === 200);
    await eventually(async () => (await s.request("GET", cm)).status === 200);
    const published = (await s.request("GET", cm)).body;
    assert.equal(published.data["ca.crt"], TEST_CA);
    // the controllers' user agent names their field manager
    assert.deepEqual(
      published.metadata.managedFields.map((m: { manager: string }) =>
        m.manager
      ),
      ["hyperplane-controller-manager"],
    );
    await s.request("DELETE", sa);
    await eventually(async () => (await s.request("GET", sa)).status === 200);
    const got = (await s.request("GET", cm)).body;
    got.data = { "ca.crt": "tampered" };
    assert.equal((await s.request("PUT", cm, { body: got })).status, 200);
    await eventually(async () =>
      (await s.request("GET", cm)).body.data["ca.crt"] === TEST_CA
    );
    // The informer keeps no managedFields (nor its own copy of the CA):
    // a repair written from its view keeps the stored ones.
    const repaired = (await s.request("GET", cm)).body;
    assert.ok(repaired.metadata.managedFields?.length > 0);
    const description =
      repaired.metadata.annotations["kubernetes.io/description"];
    repaired.metadata.annotations["kubernetes.io/description"] = "changed";
    assert.equal((await s.request("PUT", cm, { body: repaired })).status, 200);
    await eventually(async () =>
      (await s.request("GET", cm)).body.metadata.annotations[
        "kubernetes.io/description"
      ] === description
    );
    const again = (await s.request("GET", cm)).body;
    assert.deepEqual(again.data, { "ca.crt": TEST_CA });
    assert.ok(again.metadata.managedFields?.length > 0);
  } finally {
    await stand.close();
  }
});

Deno.test("deleting a namespace deletes its content, then the namespace", async () => {
  const stand = await startStand();
  const s = stand.server;
  try {
    await s.request("POST", NS, { body: { metadata: { name: "doomed" } } });
    for (let i = 0; i < 50; i++) {
      await s.request("POST", `${NS}/doomed/configmaps`, {
        body: configMap(`cm-${i}`),
      });
      await s.request("POST", `${NS}/doomed/secrets`, {
        body: { metadata: { name: `s-${i}` }, data: {} },
      });
    }
    const del = await s.request("DELETE", `${NS}/doomed`);
    assert.equal(del.status, 200);
    assert.equal(del.body.status.phase, "Terminating");
    const refused = await s.request("POST", `${NS}/doomed/configmaps`, {
      body: configMap("late"),
    });
    assert.equal(refused.status, 403);
    await eventually(
      async () => (await s.request("GET", `${NS}/doomed`)).status === 404,
      "namespace gone",
    );
    const left = await s.request("GET", `${NS}/doomed/configmaps`);
    assert.equal(left.body.items.length, 0);
  } finally {
    await stand.close();
  }
});

Deno.test("a namespace whose content has a finalizer reports it and waits", async () => {
  const stand = await startStand({ controllers: "namespace" });
  const s = stand.server;
  try {
    await s.request("POST", NS, { body: { metadata: { name: "held" } } });
    await s.request("POST", `${NS}/held/configmaps`, {
      body: configMap("pinned", {}, {
        metadata: { finalizers: ["example.com/hold"] },
      }),
    });
    await s.request("DELETE", `${NS}/held`);
    await eventually(async () => {
      const ns = (await s.request("GET", `${NS}/held`)).body;
      return (ns.status?.conditions ?? []).some((c: Record<string, string>) =>
        c.type === "NamespaceFinalizersRemaining" && c.status === "True"
      );
    }, "finalizers condition");
    const ns = (await s.request("GET", `${NS}/held`)).body;
    const remaining = ns.status.conditions.find((c: Record<string, string>) =>
      c.type === "NamespaceContentRemaining"
    );
    assert.equal(remaining.status, "True");
    assert.match(remaining.message, /configmaps has 1 resource instances/);
    const cm = (await s.request("GET", `${NS}/held/configmaps/pinned`)).body;
    cm.metadata.finalizers = [];
    await s.request("PUT", `${NS}/held/configmaps/pinned`, { body: cm });
    await eventually(
      async () => (await s.request("GET", `${NS}/held`)).status === 404,
      "namespace gone",
    );
  } finally {
    await stand.close();
  }
});

Deno.test("namespace seeds are what the selected controllers create: a new cluster's namespaces start with the same objects", async () => {
  assert.deepEqual(
    namespaceSeeds({ rootCA: TEST_CA }).map((s) => s.resource.resource),
    ["serviceaccounts", "configmaps"],
  );
  assert.deepEqual(
    namespaceSeeds({ controllers: "*,-serviceaccount", rootCA: TEST_CA })
      .map((s) => s.resource.resource),
    ["configmaps"],
  );
  // No root CA: nothing to publish, so no seed of it.
  assert.deepEqual(
    namespaceSeeds({}).map((s) => s.resource.resource),
    ["serviceaccounts"],
  );

  const stand = await startStand();
  const s = stand.server;
  try {
    s.api.seedNamespaces(namespaceSeeds({ rootCA: TEST_CA }));
    // Created by the controllers, through the API.
    assert.equal(
      (await s.request("POST", NS, { body: { metadata: { name: "team" } } }))
        .status,
      201,
    );
    const paths = ["serviceaccounts/default", "configmaps/kube-root-ca.crt"];
    const byControllers: KubeObject[] = [];
    for (const p of paths) {
      await eventually(async () =>
        (await s.request("GET", `${NS}/team/${p}`)).status === 200
      );
      byControllers.push((await s.request("GET", `${NS}/team/${p}`)).body);
    }
    // Seeded by the bootstrap of a new cluster (implicit here).
    const fresh = await s.request("GET", `/clusters/fresh${NS}`);
    assert.equal(fresh.status, 200);
    for (const ns of ["default", "kube-system"]) {
      for (const [i, p] of paths.entries()) {
        const got = await s.request("GET", `/clusters/fresh${NS}/${ns}/${p}`);
        assert.equal(got.status, 200, `${p} in ${ns}`);
        assert.deepEqual(
          withoutCreateDetails(got.body),
          withoutCreateDetails(byControllers[i]),
        );
      }
    }
  } finally {
    await stand.close();
  }
});
