import assert from "node:assert/strict";
import {
  compareKubeVersion,
  mergeAggregated,
  mergeGroupList,
  orderRemote,
  remoteApiGroup,
  type RemoteGroupVersion,
  toAggregatedResources,
} from "./discovery_merge.ts";

const FLUNDERS = {
  groupVersion: "wardle.example.com/v1alpha1",
  resources: [
    {
      name: "flunders",
      singularName: "flunder",
      namespaced: true,
      kind: "Flunder",
      verbs: ["get", "list"],
    },
    {
      name: "flunders/status",
      singularName: "",
      namespaced: true,
      kind: "Flunder",
      verbs: ["get", "patch"],
    },
    {
      name: "fischers",
      singularName: "",
      namespaced: false,
      kind: "Fischer",
      verbs: ["list"],
      shortNames: ["fi"],
    },
  ],
};

function remote(
  group: string,
  version: string,
  gp: number,
  vp: number,
  extra: Partial<RemoteGroupVersion> = {},
): RemoteGroupVersion {
  return {
    group,
    version,
    groupPriorityMinimum: gp,
    versionPriority: vp,
    available: true,
    ...extra,
  };
}

Deno.test("Kubernetes version order", () => {
  const sorted = ["v1alpha1", "foo", "v2", "v1beta2", "v1", "v1beta1", "v10"]
    .sort(compareKubeVersion);
  assert.deepEqual(sorted, [
    "v10",
    "v2",
    "v1",
    "v1beta2",
    "v1beta1",
    "v1alpha1",
    "foo",
  ]);
});

Deno.test("groups by groupPriorityMinimum then name; versions by versionPriority then version", () => {
  const order = orderRemote([
    remote("b.example.com", "v1", 100, 10),
    remote("a.example.com", "v1beta1", 100, 10),
    remote("a.example.com", "v1", 100, 10),
    remote("z.example.com", "v1", 2000, 10),
    remote("b.example.com", "v2", 100, 5),
  ]);
  assert.deepEqual(
    order.map((g) => [g.group, g.versions.map((v) => v.version)]),
    [
      ["z.example.com", ["v1"]],
      ["a.example.com", ["v1", "v1beta1"]],
      ["b.example.com", ["v1", "v2"]],
    ],
  );
});

Deno.test("/apis lists delegated groups after this server's, merging a shared group", () => {
  const list = mergeGroupList(
    {
      kind: "APIGroupList",
      groups: [{
        name: "stable.example.com",
        versions: [{ groupVersion: "stable.example.com/v1", version: "v1" }],
        preferredVersion: {
          groupVersion: "stable.example.com/v1",
          version: "v1",
        },
      }],
    },
    [
      remote("wardle.example.com", "v1alpha1", 1000, 15),
      remote("stable.example.com", "v2", 1000, 15),
    ],
  );
  const groups = list.groups as {
    name: string;
    versions: { version: string }[];
    preferredVersion: { version: string };
  }[];
  assert.deepEqual(groups.map((g) => g.name), [
    "stable.example.com",
    "wardle.example.com",
  ]);
  assert.deepEqual(groups[0].versions.map((v) => v.version), ["v1", "v2"]);
  assert.equal(groups[0].preferredVersion.version, "v1");
  assert.equal(groups[1].preferredVersion.version, "v1alpha1");
  const g = remoteApiGroup("wardle.example.com", [
    remote("wardle.example.com", "v1alpha1", 1000, 15),
  ]);
  assert.equal(g?.kind, "APIGroup");
  assert.deepEqual(g?.preferredVersion, {
    groupVersion: "wardle.example.com/v1alpha1",
    version: "v1alpha1",
  });
});

Deno.test("an APIResourceList becomes aggregated resources with subresources", () => {
  const rs = toAggregatedResources("wardle.example.com", "v1alpha1", FLUNDERS);
  assert.deepEqual(rs.map((r) => r.resource), ["flunders", "fischers"]);
  assert.deepEqual(rs[0].responseKind, {
    group: "wardle.example.com",
    version: "v1alpha1",
    kind: "Flunder",
  });
  assert.equal(rs[0].scope, "Namespaced");
  assert.deepEqual(rs[0].subresources, [{
    subresource: "status",
    responseKind: {
      group: "wardle.example.com",
      version: "v1alpha1",
      kind: "Flunder",
    },
    verbs: ["get", "patch"],
  }]);
  assert.equal(rs[1].scope, "Cluster");
  assert.equal(rs[1].singularResource, "fischer");
  assert.deepEqual(rs[1].shortNames, ["fi"]);
});

Deno.test("aggregated discovery: fetched versions Current, unavailable Stale, never fetched left out", () => {
  const doc = mergeAggregated({ kind: "APIGroupDiscoveryList", items: [] }, [
    remote("wardle.example.com", "v1alpha1", 1000, 15, { resources: FLUNDERS }),
    remote("wardle.example.com", "v1beta1", 1000, 20, {
      available: false,
      resources: { resources: [] },
    }),
    remote("never.example.com", "v1", 1000, 15, { available: false }),
  ]);
  const items = doc.items as {
    metadata: { name: string };
    versions: { version: string; freshness: string }[];
  }[];
  assert.deepEqual(items.map((i) => i.metadata.name), ["wardle.example.com"]);
  assert.deepEqual(
    items[0].versions.map((v) => [v.version, v.freshness]),
    [["v1beta1", "Stale"], ["v1alpha1", "Current"]],
  );
});
