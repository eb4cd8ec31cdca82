/**
 * End-to-end: `as=PartialObjectMetadata` against a real `hyperplane server`,
 * with the `Accept` headers client-go's metadata client sends (its informers,
 * controller-runtime's metadata-only watches, kube-controller-manager's
 * garbage collector): get, list (in one cluster and across clusters), watch
 * and patch answer with upstream's shapes — `PartialObjectMetadata` objects of
 * `meta.k8s.io/v1` carrying only `metadata`, a `PartialObjectMetadataList`
 * with list metadata — and what cannot be served is 406 NotAcceptable.
 * kubectl 1.35 sends these headers from no command (its reads ask for Tables
 * or whole objects), so the test speaks HTTP itself.
 */

import assert from "node:assert/strict";
import { lineReader } from "./support/watch_lines.ts";
import { startServer } from "./support/server.ts";

const PB = "application/vnd.kubernetes.protobuf";
const meta = (as: string, v = "v1") => `;as=${as};g=meta.k8s.io;v=${v}`;
/** client-go metadata client's Get, Watch and Patch. */
const OBJECT_ACCEPT = `${PB}${meta("PartialObjectMetadata")},application/json${
  meta("PartialObjectMetadata")
},application/json`;
/** client-go metadata client's List. */
const LIST_ACCEPT = `${PB}${
  meta("PartialObjectMetadataList")
},application/json${meta("PartialObjectMetadataList")},application/json`;

const CMS = "/api/v1/namespaces/default/configmaps";

Deno.test("as=PartialObjectMetadata over a real server", async (t) => {
  await using server = await startServer();
  const get = async (path: string, accept?: string) => {
    const res = await server.fetch(path, {
      headers: accept ? { accept } : {},
    });
    return {
      status: res.status,
      type: res.headers.get("content-type"),
      body: await res.json(),
    };
  };
  /** A metadata client's watch of `path` from its initial events on. */
  const metadataWatch = async (path: string, query = "") => {
    const res = await server.fetch(
      `${path}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true` +
        `&resourceVersionMatch=NotOlderThan${query}`,
      { headers: { accept: OBJECT_ACCEPT } },
    );
    assert.equal(res.status, 200);
    return lineReader(res);
  };
  for (const name of ["pm-a", "pm-b", "pm-c"]) {
    const res = await server.fetch(CMS, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        metadata: {
          name,
          labels: { app: "pm" },
          annotations: { note: name },
        },
        data: { secret: "not-in-metadata" },
      }),
    });
    assert.equal(res.status, 201, await res.text());
  }

  await t.step(
    "get: kind, apiVersion and the whole metadata only",
    async () => {
      const full = await get(`${CMS}/pm-a`);
      const r = await get(`${CMS}/pm-a`, OBJECT_ACCEPT);
      assert.equal(r.status, 200);
      assert.match(r.type ?? "", /^application\/json/);
      assert.deepEqual(Object.keys(r.body).sort(), [
        "apiVersion",
        "kind",
        "metadata",
      ]);
      assert.equal(r.body.kind, "PartialObjectMetadata");
      assert.equal(r.body.apiVersion, "meta.k8s.io/v1");
      assert.deepEqual(r.body.metadata, full.body.metadata);
      const beta = await get(
        `${CMS}/pm-a`,
        `application/json${meta("PartialObjectMetadata", "v1beta1")}`,
      );
      assert.equal(beta.body.apiVersion, "meta.k8s.io/v1beta1");
    },
  );

  await t.step(
    "patch (the metadata client's Patch): the patched metadata only",
    async () => {
      const res = await server.fetch(`${CMS}/pm-c`, {
        method: "PATCH",
        headers: {
          accept: OBJECT_ACCEPT,
          "content-type": "application/merge-patch+json",
        },
        body: JSON.stringify({
          metadata: { annotations: { patched: "by-metadata-client" } },
        }),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      const r = await res.json();
      assert.deepEqual(Object.keys(r).sort(), [
        "apiVersion",
        "kind",
        "metadata",
      ]);
      assert.equal(r.kind, "PartialObjectMetadata");
      assert.equal(r.apiVersion, "meta.k8s.io/v1");
      assert.equal(r.metadata.annotations.patched, "by-metadata-client");
      const full = await get(`${CMS}/pm-c`);
      assert.deepEqual(r.metadata, full.body.metadata);
      assert.equal(full.body.data.secret, "not-in-metadata");
      // what cannot be served is refused before the patch is applied
      const refused = await server.fetch(`${CMS}/pm-c`, {
        method: "PATCH",
        headers: {
          accept: `${PB}${meta("PartialObjectMetadata")}`,
          "content-type": "application/merge-patch+json",
        },
        body: JSON.stringify({ metadata: { annotations: { patched: "no" } } }),
      });
      assert.equal(refused.status, 406);
      assert.equal((await refused.json()).reason, "NotAcceptable");
      const after = await get(`${CMS}/pm-c`);
      assert.equal(
        after.body.metadata.annotations.patched,
        "by-metadata-client",
      );
    },
  );

  await t.step("list: a PartialObjectMetadataList, items typed", async () => {
    const r = await get(`${CMS}?labelSelector=app%3Dpm`, LIST_ACCEPT);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, "PartialObjectMetadataList");
    assert.equal(r.body.apiVersion, "meta.k8s.io/v1");
    assert.match(r.body.metadata.resourceVersion, /^\d+$/);
    assert.deepEqual(
      r.body.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ["pm-a", "pm-b", "pm-c"],
    );
    for (const item of r.body.items) {
      assert.deepEqual(Object.keys(item).sort(), [
        "apiVersion",
        "kind",
        "metadata",
      ]);
      assert.equal(item.kind, "PartialObjectMetadata");
      assert.equal(item.apiVersion, "meta.k8s.io/v1");
      assert.equal(item.metadata.annotations.note, item.metadata.name);
    }
    const page = await get(
      `${CMS}?labelSelector=app%3Dpm&limit=2`,
      LIST_ACCEPT,
    );
    assert.equal(page.body.items.length, 2);
    assert.equal(typeof page.body.metadata.continue, "string");
    // list metadata as the plain list's (no remainingItemCount with a
    // selector, as upstream)
    const plainPage = await get(`${CMS}?labelSelector=app%3Dpm&limit=2`);
    assert.deepEqual(
      Object.keys(page.body.metadata).sort(),
      Object.keys(plainPage.body.metadata).sort(),
    );
    const counted = await get(`${CMS}?limit=1`, LIST_ACCEPT);
    assert.equal(
      counted.body.metadata.remainingItemCount,
      (await get(CMS)).body.items.length - 1,
    );
    const rest = await get(
      `${CMS}?labelSelector=app%3Dpm&limit=2&continue=${
        encodeURIComponent(page.body.metadata.continue)
      }`,
      LIST_ACCEPT,
    );
    assert.deepEqual(
      rest.body.items.map((i: { metadata: { name: string } }) =>
        i.metadata.name
      ),
      ["pm-c"],
    );
    assert.equal(rest.body.metadata.continue, undefined);
  });

  await t.step("list across clusters: items carry their cluster", async () => {
    const r = await get(
      "/clusters/*/api/v1/namespaces/default/configmaps?labelSelector=app%3Dpm",
      LIST_ACCEPT,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.kind, "PartialObjectMetadataList");
    assert.equal(r.body.items.length, 3);
    for (const item of r.body.items) {
      assert.equal(item.kind, "PartialObjectMetadata");
      assert.equal(item.metadata.annotations["hyperplane.dev/cluster"], "root");
      assert.equal(item.data, undefined);
    }
  });

  await t.step("what cannot be served is 406 NotAcceptable", async () => {
    for (
      const [path, accept] of [
        [`${CMS}/pm-a`, `application/json${meta("PartialObjectMetadataList")}`],
        [CMS, `application/json${meta("PartialObjectMetadata")}`],
        [CMS, `application/json${meta("PartialObjectMetadata", "v2")}`],
        [`${CMS}/pm-a`, `${PB}${meta("PartialObjectMetadata")}`],
      ]
    ) {
      const r = await get(path, accept);
      assert.equal(r.status, 406, `${path} ${accept}`);
      assert.equal(r.body.kind, "Status");
      assert.equal(r.body.reason, "NotAcceptable");
    }
    // an unsupported conversion with a plain fallback is the plain object
    const plain = await get(
      `${CMS}/pm-a`,
      `application/json${meta("PartialObjectMetadata", "v2")},application/json`,
    );
    assert.equal(plain.status, 200);
    assert.equal(plain.body.kind, "ConfigMap");
    assert.equal(plain.body.data.secret, "not-in-metadata");
  });

  await t.step(
    "custom resources: get, patch, list and watch, also across clusters",
    async () => {
      const crd = await server.fetch(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "gadgets.example.com" },
            spec: {
              group: "example.com",
              scope: "Namespaced",
              names: {
                plural: "gadgets",
                singular: "gadget",
                kind: "Gadget",
                listKind: "GadgetList",
              },
              versions: [{
                name: "v1",
                served: true,
                storage: true,
                schema: {
                  openAPIV3Schema: {
                    type: "object",
                    properties: {
                      spec: {
                        type: "object",
                        properties: {
                          size: { type: "integer", default: 3 },
                        },
                      },
                    },
                  },
                },
              }],
            },
          }),
        },
      );
      assert.equal(crd.status, 201, await crd.text());
      const gadgets = "/apis/example.com/v1/namespaces/default/gadgets";
      let created: Response | undefined;
      for (let i = 0; i < 100; i++) {
        created = await server.fetch(gadgets, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            apiVersion: "example.com/v1",
            kind: "Gadget",
            metadata: { name: "g1", labels: { app: "pm" } },
            spec: {},
          }),
        });
        if (created.status !== 404) break;
        await created.body?.cancel();
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(created!.status, 201, await created!.text());
      const one = await get(`${gadgets}/g1`, OBJECT_ACCEPT);
      assert.equal(one.status, 200);
      assert.equal(one.body.kind, "PartialObjectMetadata");
      assert.equal(one.body.metadata.name, "g1");
      assert.equal(one.body.spec, undefined);
      const patched = await server.fetch(`${gadgets}/g1`, {
        method: "PATCH",
        headers: {
          accept: OBJECT_ACCEPT,
          "content-type": "application/merge-patch+json",
        },
        body: JSON.stringify({ metadata: { labels: { patched: "yes" } } }),
      });
      assert.equal(patched.status, 200);
      const pom = await patched.json();
      assert.equal(pom.kind, "PartialObjectMetadata");
      assert.equal(pom.metadata.labels.patched, "yes");
      assert.equal(pom.spec, undefined);
      for (
        const path of [gadgets, "/clusters/*/apis/example.com/v1/gadgets"]
      ) {
        const list = await get(path, LIST_ACCEPT);
        assert.equal(list.status, 200, `${path}: ${JSON.stringify(list.body)}`);
        assert.equal(list.body.kind, "PartialObjectMetadataList");
        assert.deepEqual(
          list.body.items.map((
            i: { kind: string; metadata: { name: string } },
          ) => `${i.kind}/${i.metadata.name}`),
          ["PartialObjectMetadata/g1"],
        );
      }
      const lines = await metadataWatch(
        "/clusters/*/apis/example.com/v1/gadgets",
      );
      const ev = await lines.next();
      assert.equal(ev.type, "ADDED");
      assert.equal(ev.object.kind, "PartialObjectMetadata");
      assert.equal(ev.object.metadata.name, "g1");
      assert.equal(
        ev.object.metadata.annotations["hyperplane.dev/cluster"],
        "root",
      );
      assert.equal(ev.object.spec, undefined);
      await lines.cancel();
    },
  );

  await t.step(
    "an unfiltered watch's initial events (metadata read from the cache's text) carry each object's whole metadata",
    async () => {
      const watches: [string, string | undefined][] = [
        [CMS, undefined],
        ["/clusters/*/api/v1/configmaps", "root"],
      ];
      for (const [path, cluster] of watches) {
        const lines = await metadataWatch(path);
        const seen = new Map<string, Record<string, unknown>>();
        for (;;) {
          const ev = await lines.next();
          if (ev.type === "BOOKMARK") break;
          assert.equal(ev.object.kind, "PartialObjectMetadata");
          const { namespace, name } = ev.object.metadata;
          if (namespace === "default") seen.set(name, ev.object.metadata);
        }
        await lines.cancel();
        for (const name of ["pm-a", "pm-b", "pm-c"]) {
          const full = await get(`${CMS}/${name}`);
          const want = cluster
            ? {
              ...full.body.metadata,
              annotations: {
                ...full.body.metadata.annotations,
                "hyperplane.dev/cluster": cluster,
              },
            }
            : full.body.metadata;
          assert.deepEqual(seen.get(name), want, `${path}: ${name}`);
        }
      }
    },
  );

  await t.step("Tables are served as before", async () => {
    const r = await get(
      `${CMS}/pm-a`,
      `application/json${meta("Table")},application/json${
        meta("Table", "v1beta1")
      },application/json`,
    );
    assert.equal(r.body.kind, "Table");
    assert.equal(r.body.rows[0].object.kind, "PartialObjectMetadata");
  });

  for (
    const [what, path] of [["in one cluster", CMS], [
      "across clusters",
      "/clusters/*/api/v1/configmaps",
    ]]
  ) {
    await t.step(
      `watch ${what}: events and bookmarks carry PartialObjectMetadata`,
      async () => {
        const lines = await metadataWatch(path, "&labelSelector=app%3Dpm");
        const initial: string[] = [];
        for (;;) {
          const ev = await lines.next();
          assert.equal(ev.object.kind, "PartialObjectMetadata");
          assert.equal(ev.object.apiVersion, "meta.k8s.io/v1");
          assert.deepEqual(Object.keys(ev.object).sort(), [
            "apiVersion",
            "kind",
            "metadata",
          ]);
          if (ev.type === "BOOKMARK") {
            assert.equal(
              ev.object.metadata.annotations["k8s.io/initial-events-end"],
              "true",
            );
            break;
          }
          assert.equal(ev.type, "ADDED");
          initial.push(ev.object.metadata.name);
        }
        assert.deepEqual(initial.sort(), ["pm-a", "pm-b", "pm-c"]);
        const res2 = await server.fetch(`${CMS}/pm-b`, {
          method: "PATCH",
          headers: { "content-type": "application/merge-patch+json" },
          body: JSON.stringify({
            data: { secret: "changed" },
            metadata: { labels: { step: what.length.toString() } },
          }),
        });
        assert.equal(res2.status, 200, await res2.text());
        const modified = await lines.next();
        assert.equal(modified.type, "MODIFIED");
        assert.equal(modified.object.kind, "PartialObjectMetadata");
        assert.equal(modified.object.metadata.name, "pm-b");
        assert.equal(
          modified.object.metadata.labels.step,
          what.length.toString(),
        );
        assert.equal(modified.object.data, undefined);
        if (path !== CMS) {
          assert.equal(
            modified.object.metadata.annotations["hyperplane.dev/cluster"],
            "root",
          );
        }
        await lines.cancel();
      },
    );
  }
});
