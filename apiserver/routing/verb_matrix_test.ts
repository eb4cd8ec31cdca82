/**
 * Every served resource × path shape × HTTP method, in cluster `root` and
 * in a virtual cluster, custom resources included: a verb the shape does not
 * serve is 405 MethodNotAllowed, any other is routed to its handler. The
 * expected verbs are upstream's API installer routes (written out below, not
 * computed by the code under test) intersected with the verbs discovery
 * publishes, so routing and discovery are checked against each other.
 */

import assert from "node:assert/strict";
import {
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";

/** Upstream's installer: which verb each method means on each shape. */
const ROUTES: Record<string, Record<string, string>> = {
  collection: { GET: "list", POST: "create", DELETE: "deletecollection" },
  allNamespaces: { GET: "list" },
  item: { GET: "get", PUT: "update", PATCH: "patch", DELETE: "delete" },
  watchCollection: { GET: "watch" },
  watchItem: { GET: "watch" },
  subresource: { GET: "get", POST: "create", PUT: "update", PATCH: "patch" },
};
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

interface DiscoveredResource {
  base: string;
  name: string;
  namespaced: boolean;
  verbs: string[];
  subresources: Map<string, string[]>;
}

async function discover(
  s: TestServer,
  prefix: string,
): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = [];
  const bases = ["/api/v1"];
  const groups = await s.request("GET", `${prefix}/apis`);
  for (const g of groups.body.groups) {
    for (const v of g.versions) bases.push(`/apis/${v.groupVersion}`);
  }
  for (const base of bases) {
    const list = await s.request("GET", `${prefix}${base}`);
    assert.equal(list.status, 200, base);
    const byName = new Map<string, DiscoveredResource>();
    for (const r of list.body.resources) {
      const [name, sub] = r.name.split("/");
      if (sub) {
        byName.get(name)?.subresources.set(sub, r.verbs);
        continue;
      }
      const d: DiscoveredResource = {
        base,
        name,
        namespaced: r.namespaced,
        verbs: r.verbs,
        subresources: new Map(),
      };
      byName.set(name, d);
      out.push(d);
    }
  }
  return out;
}

function shapes(r: DiscoveredResource, item: string) {
  const ns = r.namespaced ? "/namespaces/default" : "";
  const coll = `${r.base}${ns}/${r.name}`;
  const out: { shape: string; path: string; verbs: string[] }[] = [
    { shape: "collection", path: coll, verbs: r.verbs },
    { shape: "item", path: `${coll}/${item}`, verbs: r.verbs },
    {
      shape: "watchCollection",
      path: `${r.base}/watch${ns}/${r.name}`,
      verbs: r.verbs,
    },
    {
      shape: "watchItem",
      path: `${r.base}/watch${ns}/${r.name}/${item}`,
      verbs: r.verbs,
    },
  ];
  if (r.namespaced) {
    out.push({
      shape: "allNamespaces",
      path: `${r.base}/${r.name}`,
      verbs: r.verbs,
    });
  }
  for (const [sub, verbs] of r.subresources) {
    out.push({ shape: "subresource", path: `${coll}/${item}/${sub}`, verbs });
  }
  return out;
}

Deno.test("every resource, path shape and method is routed or refused with 405 as upstream", async (t) => {
  const s = await startTestServer();
  try {
    for (const prefix of ["", "/clusters/vc-matrix"]) {
      const crd = await s.request(
        "POST",
        `${prefix}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
        { body: cronTabCrd() },
      );
      assert.equal(crd.status, 201);
      for (let i = 0; i < 100; i++) {
        const r = await s.request(
          "GET",
          `${prefix}/apis/stable.example.com/v1/namespaces/default/crontabs`,
        );
        if (r.status === 200) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    let cases = 0;
    for (const prefix of ["", "/clusters/vc-matrix"]) {
      const resources = await discover(s, prefix);
      assert.ok(resources.some((r) => r.name === "crontabs"));
      const ns = resources.find((r) =>
        r.base === "/api/v1" && r.name === "namespaces"
      )!;
      assert.ok(!ns.verbs.includes("deletecollection"));
      await t.step(`${prefix || "root"}: the matrix`, async () => {
        for (const r of resources) {
          for (const { shape, path, verbs } of shapes(r, "matrix-item")) {
            for (const method of METHODS) {
              const verb = ROUTES[shape][method];
              const served = verb !== undefined && verbs.includes(verb);
              // A shape where no verb is served has no route at all.
              const routed = Object.values(ROUTES[shape]).some((v) =>
                verbs.includes(v)
              );
              const res = await s.raw(method, `${path}?dryRun=All`, {
                text: method === "GET" || method === "DELETE"
                  ? undefined
                  : "{}",
                headers: method === "PATCH"
                  ? { "content-type": "application/merge-patch+json" }
                  : { "content-type": "application/json" },
              });
              // A served watch streams until cancelled; anything else is
              // read whole.
              const streaming = served && verb === "watch";
              const text = streaming
                ? (await res.body?.cancel(), "")
                : await res.text();
              const what = `${method} ${path} (${shape})`;
              cases++;
              if (!routed) {
                assert.equal(res.status, 404, `${what}: ${text}`);
                assert.deepEqual(JSON.parse(text).details ?? {}, {});
              } else if (!served) {
                assert.equal(res.status, 405, `${what}: ${text}`);
                assert.equal(JSON.parse(text).reason, "MethodNotAllowed");
              } else {
                assert.notEqual(res.status, 405, `${what}: ${text}`);
                // A 404 here must be about the object, never the route.
                if (res.status === 404) {
                  assert.ok(JSON.parse(text).details, `${what}: ${text}`);
                }
              }
            }
          }
        }
      });
    }
    assert.ok(cases >= 300, `only ${cases} cases`);
  } finally {
    await s.close();
  }
});
