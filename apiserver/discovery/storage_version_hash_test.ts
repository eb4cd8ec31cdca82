import assert from "node:assert/strict";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { storageVersionHash } from "./storage_version_hash.ts";

Deno.test("storageVersionHash is kube-apiserver's for the same group/version/kind", () => {
  // Values as a kube-apiserver 1.35 lists them in discovery.
  assert.equal(storageVersionHash("", "v1", "ConfigMap"), "qFsyl6wFWjQ=");
  assert.equal(storageVersionHash("", "v1", "Namespace"), "Q3oi5N2YM8M=");
  assert.equal(storageVersionHash("", "v1", "Event"), "r2yiGXH7wu8=");
  assert.equal(
    storageVersionHash("coordination.k8s.io", "v1", "Lease"),
    "gqkMMb/YqFM=",
  );
  assert.equal(
    storageVersionHash("rbac.authorization.k8s.io", "v1", "ClusterRole"),
    "bYE5ZWDrJ44=",
  );
});

type Resource = { name: string; storageVersionHash?: string };

Deno.test("resource lists carry the hash of where each resource is stored", async () => {
  const s = await startTestServer();
  try {
    const core = (await s.request("GET", "/api/v1")).body
      .resources as Resource[];
    const byName = (list: Resource[], n: string) =>
      list.find((r) => r.name === n);
    assert.equal(
      byName(core, "configmaps")?.storageVersionHash,
      "qFsyl6wFWjQ=",
    );
    assert.equal(byName(core, "events")?.storageVersionHash, "r2yiGXH7wu8=");
    // Subresources have none, as upstream.
    assert.equal(
      byName(core, "namespaces/status")?.storageVersionHash,
      undefined,
    );
    // events.k8s.io events are the core events in storage.
    const events = (await s.request("GET", "/apis/events.k8s.io/v1")).body
      .resources as Resource[];
    assert.equal(byName(events, "events")?.storageVersionHash, "r2yiGXH7wu8=");

    const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    const created = await s.request("POST", crds, { body: cronTabCrd() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const want = storageVersionHash("stable.example.com", "v1", "CronTab");
    for (const version of ["v1", "v1beta1"]) {
      let list: Resource[] = [];
      for (let i = 0; i < 200 && !byName(list, "crontabs"); i++) {
        const r = await s.request("GET", `/apis/stable.example.com/${version}`);
        list = r.status === 200 ? r.body.resources : [];
        if (!byName(list, "crontabs")) {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      // Every served version names the storage version's hash.
      assert.equal(byName(list, "crontabs")?.storageVersionHash, want, version);
    }
  } finally {
    await s.close();
  }
});
