import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import {
  createWidgetWhenServed,
  eventually,
} from "../../tests/support/controllers.ts";
import { widgetCrd } from "../../tests/support/crd_testdata.ts";
import { silentLogger } from "../../log/mod.ts";
import { ALL_CLUSTERS, ApiClient } from "../client/mod.ts";
import type { Transport } from "../client/transport.ts";
import type { ControllerContext, ControllerDescriptor } from "../context.ts";
import { startControllers } from "../manager.ts";
import { GarbageCollector } from "./garbage_collector.ts";

// deno-lint-ignore no-explicit-any
type Obj = any;

const CLUSTERS = 12;
const ADMIN = {
  username: "admin",
  groups: ["system:masters", "system:authenticated"],
};
const DISCOVERY = /^\/clusters\/([^/]+)\/(api|apis)(\/[^/]+){0,2}$/;
const WIDGETS = {
  target: {
    cluster: ALL_CLUSTERS,
    resource: {
      group: "example.com",
      version: "v1",
      resource: "widgets",
      kind: "Widget",
      namespaced: true,
      verbs: [
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
      ],
    },
  },
  metadataOnly: true,
};

Deno.test("the garbage collector's discovery does not grow with the clusters: only clusters with CRDs are discovered on their own, when their CRDs change", async () => {
  const s = await startTestServer();
  // Discovery requests of the collector, by cluster (`*`: the built-ins).
  const asked = new Map<string, number>();
  const transport: Transport = {
    send(req) {
      const m = DISCOVERY.exec(new URL(req.url).pathname);
      if (m && req.method === "GET") {
        const c = decodeURIComponent(m[1]);
        asked.set(c, (asked.get(c) ?? 0) + 1);
      }
      return s.api.handler(req, { user: ADMIN, signal: req.signal });
    },
    close() {},
  };
  const count = (c: string) => asked.get(c) ?? 0;
  let gc: GarbageCollector | undefined;
  let ctx: ControllerContext | undefined;
  const probe: ControllerDescriptor = {
    name: "gc-probe",
    identity: "generic-garbage-collector",
    run: (c, signal) => {
      ctx = { ...c, client: new ApiClient(transport), discoveryIntervalMs: 20 };
      gc = new GarbageCollector(ctx);
      return gc.run(signal);
    },
  };
  const controllers = startControllers({
    handler: s.api.handler,
    logger: silentLogger,
    controllers: "-*",
    custom: [probe],
  });
  const name = (i: number) => `t-${i}`;
  const B = (i: number) => `/clusters/${name(i)}`;
  try {
    for (let i = 0; i < CLUSTERS; i++) {
      await s.request("POST", `${B(i)}/api/v1/namespaces`, {
        body: { metadata: { name: "team" } },
      });
    }
    await eventually(
      () =>
        Array.from({ length: CLUSTERS }, (_, i) => name(i)).every((c) =>
          ctx?.clusters.has(c)
        ),
      "every cluster tracked",
    );
    // Several rediscovery rounds later (each asks `*` twice)…
    const mark = count("*");
    await eventually(() => count("*") >= mark + 6, "three rediscoveries");
    // …nothing was asked of any cluster: they serve the built-ins only.
    for (let i = 0; i < CLUSTERS; i++) assert.equal(count(name(i)), 0);
    assert.deepEqual(gc!.discoveredClusters.filter((c) => c !== "root"), []);

    // A CRD in one cluster: that cluster alone is discovered, and its
    // custom resources are collected.
    await s.request(
      "POST",
      `${B(3)}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
      { body: widgetCrd() },
    );
    const owner: Obj = await createWidgetWhenServed(s, B(3), "team", "w");
    await eventually(
      () => gc!.watchedIn(name(3)).includes("example.com/widgets"),
      "widgets watched in t-3",
    );
    const afterCrd = count(name(3));
    assert.ok(afterCrd > 0);
    const dep = await s.request(
      "POST",
      `${B(3)}/api/v1/namespaces/team/configmaps`,
      {
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
      },
    );
    assert.equal(dep.status, 201);
    await eventually(
      () =>
        !!gc!.graph.get(name(3), owner.metadata.uid) &&
        !gc!.graph.get(name(3), owner.metadata.uid)?.virtual,
      "the widget in the graph",
    );
    await s.request(
      "DELETE",
      `${B(3)}/apis/example.com/v1/namespaces/team/widgets/w`,
    );
    await eventually(
      async () =>
        (await s.request(
          "GET",
          `${B(3)}/api/v1/namespaces/team/configmaps/dep`,
        ))
          .status === 404,
      "the widget's dependent collected",
    );

    // Rediscovery rounds do not ask the cluster with CRDs again.
    const mark2 = count("*");
    await eventually(() => count("*") >= mark2 + 6, "three rediscoveries");
    assert.equal(count(name(3)), afterCrd);
    for (let i = 0; i < CLUSTERS; i++) {
      if (i !== 3) assert.equal(count(name(i)), 0);
    }

    // The CRD deleted: its informer released, the cluster shares again.
    await s.request(
      "DELETE",
      `${
        B(3)
      }/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com`,
    );
    await eventually(
      () =>
        gc!.watchedIn(name(3)).length === 0 &&
        !gc!.discoveredClusters.includes(name(3)) &&
        !ctx!.informers.has(WIDGETS),
      "widgets no longer watched, informer released",
    );
  } finally {
    await controllers.stop();
    await s.close();
  }
});

Deno.test("a cluster whose CRDs exist before the collector starts is discovered at start, and its custom resources collected", async () => {
  const s = await startTestServer();
  const B = "/clusters/early";
  await s.request("POST", `${B}/api/v1/namespaces`, {
    body: { metadata: { name: "team" } },
  });
  await s.request(
    "POST",
    `${B}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
    { body: widgetCrd() },
  );
  const owner: Obj = await createWidgetWhenServed(s, B, "team", "w");
  await s.request("POST", `${B}/api/v1/namespaces/team/configmaps`, {
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
  });
  let gc: GarbageCollector | undefined;
  const probe: ControllerDescriptor = {
    name: "gc-probe",
    identity: "generic-garbage-collector",
    run: (c, signal) => {
      gc = new GarbageCollector(c);
      return gc.run(signal);
    },
  };
  const controllers = startControllers({
    handler: s.api.handler,
    logger: silentLogger,
    controllers: "-*",
    custom: [probe],
  });
  try {
    await eventually(
      () =>
        !!gc?.watchedIn("early").includes("example.com/widgets") &&
        gc.graph.get("early", owner.metadata.uid)?.virtual === false,
      "widgets watched in early, the widget in the graph",
    );
    await s.request(
      "DELETE",
      `${B}/apis/example.com/v1/namespaces/team/widgets/w`,
    );
    await eventually(
      async () =>
        (await s.request("GET", `${B}/api/v1/namespaces/team/configmaps/dep`))
          .status === 404,
      "the widget's dependent collected",
    );
  } finally {
    await controllers.stop();
    await s.close();
  }
});
