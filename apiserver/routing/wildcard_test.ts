import assert from "node:assert/strict";
import { lineReader } from "../../tests/support/watch_lines.ts";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { CLUSTER_ANNOTATION } from "./wildcard.ts";

const cm = (cluster: string) =>
  `/clusters/${cluster}/api/v1/namespaces/default/configmaps`;

// deno-lint-ignore no-explicit-any
const clusterOf = (o: any) => o.metadata.annotations?.[CLUSTER_ANNOTATION];

Deno.test("the cross-cluster read path", async (t) => {
  const s = await startTestServer();
  try {
    for (const c of ["a", "b"]) {
      const r = await s.request("POST", cm(c), { body: configMap(`in-${c}`) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }

    await t.step(
      "a list returns every cluster's objects annotated with their cluster",
      async () => {
        const r = await s.request("GET", "/clusters/*/api/v1/configmaps");
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.kind, "ConfigMapList");
        assert.match(r.body.metadata.resourceVersion, /^\d+$/);
        const seen = r.body.items.map((
          i: { metadata: { name: string } },
        ) => [clusterOf(i), i.metadata.name]).sort();
        assert.deepEqual(seen, [["a", "in-a"], ["b", "in-b"]]);
      },
    );

    await t.step("the annotation is never stored", async () => {
      const r = await s.request("GET", `${cm("a")}/in-a`);
      assert.equal(clusterOf(r.body), undefined);
    });

    await t.step(
      "namespaces list across clusters shows which clusters exist",
      async () => {
        const r = await s.request("GET", "/clusters/*/api/v1/namespaces");
        const clusters = new Set(r.body.items.map(clusterOf));
        assert.deepEqual([...clusters].sort(), ["a", "b", "root"]);
      },
    );

    await t.step(
      "selectors and a namespace in the path narrow the list",
      async () => {
        await s.request("POST", cm("b"), {
          body: configMap("labelled", {}, { metadata: { labels: { x: "y" } } }),
        });
        const byLabel = await s.request(
          "GET",
          "/clusters/*/api/v1/configmaps?labelSelector=x%3Dy",
        );
        assert.deepEqual(
          byLabel.body.items.map((i: { metadata: { name: string } }) =>
            i.metadata.name
          ),
          ["labelled"],
        );
        const inNs = await s.request(
          "GET",
          "/clusters/*/api/v1/namespaces/kube-system/configmaps",
        );
        assert.equal(inNs.status, 200);
        assert.deepEqual(inNs.body.items, []);
      },
    );

    await t.step(
      "a watch streams every cluster's events annotated with their cluster",
      async () => {
        const res = await s.raw(
          "GET",
          "/clusters/*/api/v1/configmaps?watch=true&allowWatchBookmarks=true" +
            "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
        );
        assert.equal(res.status, 200);
        const lines = lineReader(res);
        const initial: string[] = [];
        for (;;) {
          const ev = await lines.next();
          if (ev.type === "BOOKMARK") break;
          initial.push(`${clusterOf(ev.object)}/${ev.object.metadata.name}`);
        }
        assert.deepEqual(initial.sort(), ["a/in-a", "b/in-b", "b/labelled"]);
        await s.request("POST", cm("c"), { body: configMap("in-c") });
        const added = await lines.next();
        assert.equal(added.type, "ADDED");
        assert.equal(clusterOf(added.object), "c");
        await s.request("DELETE", `${cm("a")}/in-a`);
        const deleted = await lines.next();
        assert.equal(deleted.type, "DELETED");
        assert.equal(clusterOf(deleted.object), "a");
        await lines.cancel();
      },
    );

    await t.step("only list, watch and discovery are served", async () => {
      const post = await s.request("POST", cm("*"), { body: configMap("x") });
      assert.equal(post.status, 405);
      const get = await s.request("GET", `${cm("*")}/in-b`);
      assert.equal(get.status, 405);
      const del = await s.request("DELETE", cm("*"));
      assert.equal(del.status, 405);
      const discovery = await s.request("GET", "/clusters/*/api/v1");
      assert.equal(discovery.status, 200);
      assert.ok(
        discovery.body.resources.some((r: { name: string }) =>
          r.name === "configmaps"
        ),
      );
      // Nothing but discovery is served across clusters, and only to
      // authenticated users.
      const jwks = await s.request("GET", "/clusters/*/openid/v1/jwks", {
        user: { username: "alice", groups: ["system:authenticated"] },
      });
      assert.equal(jwks.status, 404);
      const anonymous = await s.request("GET", "/clusters/*/api", {
        user: {
          username: "system:anonymous",
          groups: ["system:unauthenticated"],
        },
      });
      assert.equal(anonymous.status, 403);
    });

    await t.step("only system:masters may read across clusters", async () => {
      const r = await s.request("GET", "/clusters/*/api/v1/configmaps", {
        user: { username: "alice", groups: ["system:authenticated"] },
      });
      assert.equal(r.status, 403);
      assert.equal(r.body.reason, "Forbidden");
    });

    await t.step("a wildcard list creates no cluster", async () => {
      const r = await s.request("GET", "/clusters/*/api/v1/namespaces");
      assert.ok(!r.body.items.some((i: unknown) => clusterOf(i) === "*"));
    });
  } finally {
    await s.close();
  }
});
