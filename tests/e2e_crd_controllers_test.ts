/**
 * End to end: the controllers of a real `hyperplane server` (memory backend)
 * see custom resource kinds created after they started at once — through the
 * cross-cluster CRD watch, not the 30 s discovery refresh. An owned custom
 * resource is collected after its owner goes (owner a ConfigMap or a custom
 * resource, in two virtual clusters), and a namespace holding custom
 * resources is emptied and removed.
 *
 * The waits below are liveness bounds (10 s) well under the 30 s discovery
 * refresh the controllers would otherwise need; they are not timings.
 */

import assert from "node:assert/strict";
import { startServer, type TestServer } from "./support/server.ts";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const BOUND_MS = 10_000;

function crd(plural: string, kind: string) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural, singular: kind.toLowerCase(), kind },
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
                properties: { size: { type: "integer", default: 1 } },
              },
            },
          },
        },
      }],
    },
  };
}

async function call(
  srv: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await srv.fetch(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function until(
  what: string,
  probe: () => Promise<boolean>,
  boundMs = BOUND_MS,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${boundMs} ms: ${what}`);
}

async function created(
  srv: TestServer,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const r = await call(srv, "POST", path, body);
  assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function establish(srv: TestServer, prefix: string, plural: string) {
  await created(srv, `${prefix}${CRDS}`, crd(plural, kindOf(plural)));
  await until(
    `${plural} served`,
    async () =>
      (await call(srv, "GET", `${prefix}/apis/example.com/v1/${plural}`))
        .status === 200,
  );
}

function kindOf(plural: string): string {
  return plural[0].toUpperCase() + plural.slice(1, -1);
}

function uidOf(obj: Record<string, unknown>): string {
  return (obj.metadata as { uid: string }).uid;
}

function ownedBy(
  name: string,
  kind: string,
  owner: Record<string, unknown>,
  apiVersion: string,
) {
  return {
    apiVersion: "example.com/v1",
    kind,
    metadata: {
      name,
      ownerReferences: [{
        apiVersion,
        kind: owner.kind as string,
        name: (owner.metadata as { name: string }).name,
        uid: uidOf(owner),
      }],
    },
    spec: {},
  };
}

/** Waits until the controllers run (the default service account exists). */
async function controllersRunning(srv: TestServer, prefix: string) {
  await until("default service account", async () =>
    (await call(
      srv,
      "GET",
      `${prefix}/api/v1/namespaces/default/serviceaccounts/default`,
    )).status === 200, 30_000);
}

Deno.test("the controllers act on custom resources of CRDs created after they started", async (t) => {
  const srv = await startServer({
    args: ["--storage-backend", "memory", "--virtual-clusters=implicit"],
  });
  try {
    for (const prefix of ["", "/clusters/second"]) {
      const where = prefix || "root";
      await controllersRunning(srv, prefix);

      await t.step(
        `${where}: a custom resource owned by a ConfigMap is collected`,
        async () => {
          await establish(srv, prefix, "widgets");
          const ns = `${prefix}/api/v1/namespaces/default`;
          const owner = await created(srv, `${ns}/configmaps`, {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "owner" },
          });
          owner.kind = "ConfigMap";
          const path =
            `${prefix}/apis/example.com/v1/namespaces/default/widgets`;
          await created(srv, path, ownedBy("w1", "Widget", owner, "v1"));
          const del = await call(srv, "DELETE", `${ns}/configmaps/owner`);
          assert.equal(del.status, 200);
          await until(
            "w1 collected",
            async () => (await call(srv, "GET", `${path}/w1`)).status === 404,
          );
        },
      );

      await t.step(
        `${where}: a custom resource owned by a custom resource is collected`,
        async () => {
          await establish(srv, prefix, "parts");
          const base = `${prefix}/apis/example.com/v1/namespaces/default`;
          const owner = await created(srv, `${base}/widgets`, {
            apiVersion: "example.com/v1",
            kind: "Widget",
            metadata: { name: "parent" },
            spec: {},
          });
          await created(
            srv,
            `${base}/parts`,
            ownedBy("p1", "Part", owner, "example.com/v1"),
          );
          const del = await call(srv, "DELETE", `${base}/widgets/parent`);
          assert.equal(del.status, 200);
          await until(
            "p1 collected",
            async () =>
              (await call(srv, "GET", `${base}/parts/p1`)).status === 404,
          );
        },
      );

      await t.step(
        `${where}: a namespace holding custom resources is emptied and removed`,
        async () => {
          await created(srv, `${prefix}/api/v1/namespaces`, {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "doomed" },
          });
          await establish(srv, prefix, "gadgets");
          const path =
            `${prefix}/apis/example.com/v1/namespaces/doomed/gadgets`;
          for (let i = 0; i < 5; i++) {
            await created(srv, path, {
              apiVersion: "example.com/v1",
              kind: "Gadget",
              metadata: { name: `g${i}` },
              spec: {},
            });
          }
          const del = await call(
            srv,
            "DELETE",
            `${prefix}/api/v1/namespaces/doomed`,
          );
          assert.equal(del.status, 200);
          await until(
            "namespace removed",
            async () =>
              (await call(srv, "GET", `${prefix}/api/v1/namespaces/doomed`))
                .status === 404,
          );
          const left = await call(srv, "GET", path);
          assert.deepEqual(left.body.items, []);
        },
      );
    }

    await t.step(
      "the cross-cluster list names both clusters' widgets",
      async () => {
        for (const prefix of ["", "/clusters/second"]) {
          await created(
            srv,
            `${prefix}/apis/example.com/v1/namespaces/default/widgets`,
            {
              apiVersion: "example.com/v1",
              kind: "Widget",
              metadata: { name: "kept" },
              spec: {},
            },
          );
        }
        const r = await call(
          srv,
          "GET",
          "/clusters/*/apis/example.com/v1/widgets",
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const items = r.body.items as {
          metadata: { annotations: Record<string, string> };
          spec: { size: number };
        }[];
        assert.deepEqual(
          items.map((o) => o.metadata.annotations["hyperplane.dev/cluster"])
            .sort(),
          ["root", "second"],
        );
        assert.equal(items[0].spec.size, 1);
      },
    );
  } finally {
    await srv.stop();
  }
});
