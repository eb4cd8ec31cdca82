import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { deletionFinalizers } from "./delete_propagation.ts";

const BASE = "/api/v1/namespaces/default/configmaps";

function deleteOptions(extra: Record<string, unknown>) {
  return { body: { kind: "DeleteOptions", apiVersion: "v1", ...extra } };
}

Deno.test("deletion finalizers follow upstream's rules", () => {
  const obj = (finalizers?: string[]) => ({ metadata: { finalizers } });
  assert.deepEqual(deletionFinalizers(obj(), {}), undefined);
  assert.deepEqual(
    deletionFinalizers(obj(), { propagationPolicy: "Orphan" }),
    ["orphan"],
  );
  assert.deepEqual(
    deletionFinalizers(obj(), { propagationPolicy: "Foreground" }),
    ["foregroundDeletion"],
  );
  assert.deepEqual(
    deletionFinalizers(obj(), { propagationPolicy: "Background" }),
    undefined,
  );
  assert.deepEqual(
    deletionFinalizers(obj(), { orphanDependents: true }),
    ["orphan"],
  );
  assert.deepEqual(
    deletionFinalizers(obj(["orphan"]), { orphanDependents: false }),
    [],
  );
  // The object's own GC finalizer decides when no policy is given.
  assert.deepEqual(deletionFinalizers(obj(["x", "orphan"]), {}), undefined);
  assert.deepEqual(
    deletionFinalizers(obj(["x", "orphan"]), {
      propagationPolicy: "Foreground",
    }),
    ["x", "foregroundDeletion"],
  );
  assert.deepEqual(
    deletionFinalizers(obj(["foregroundDeletion"]), {
      propagationPolicy: "Background",
    }),
    [],
  );
  assert.deepEqual(
    deletionFinalizers(obj(), { propagationPolicy: "Orphan" }, "Unsupported"),
    undefined,
  );
  assert.deepEqual(
    deletionFinalizers(obj(), {}, "OrphanDependents"),
    ["orphan"],
  );
});

Deno.test("DELETE with a propagation policy", async (t) => {
  const s = await startTestServer();
  try {
    const create = async (name: string, finalizers?: string[]) => {
      const r = await s.request("POST", BASE, {
        body: configMap(name, {}, { metadata: { finalizers } }),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    };
    const get = async (name: string) =>
      (await s.request("GET", `${BASE}/${name}`)).body;

    await t.step(
      "Foreground adds foregroundDeletion and keeps the object",
      async () => {
        await create("fg");
        const r = await s.request(
          "DELETE",
          `${BASE}/fg`,
          deleteOptions({ propagationPolicy: "Foreground" }),
        );
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "ConfigMap");
        assert.deepEqual(r.body.metadata.finalizers, ["foregroundDeletion"]);
        assert.ok(r.body.metadata.deletionTimestamp);
        assert.equal(r.body.metadata.deletionGracePeriodSeconds, 0);
        assert.deepEqual((await get("fg")).metadata.finalizers, [
          "foregroundDeletion",
        ]);
      },
    );

    await t.step(
      "a second delete switches the finalizer to the new policy",
      async () => {
        const before = await get("fg");
        const r = await s.request(
          "DELETE",
          `${BASE}/fg?propagationPolicy=Orphan`,
        );
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.metadata.finalizers, ["orphan"]);
        assert.equal(
          r.body.metadata.deletionTimestamp,
          before.metadata.deletionTimestamp,
        );
      },
    );

    await t.step(
      "Background on an object held only by a GC finalizer deletes it",
      async () => {
        const r = await s.request(
          "DELETE",
          `${BASE}/fg`,
          deleteOptions({ propagationPolicy: "Background" }),
        );
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "Status");
        assert.equal((await s.request("GET", `${BASE}/fg`)).status, 404);
      },
    );

    await t.step("Orphan adds the orphan finalizer", async () => {
      await create("or");
      const r = await s.request(
        "DELETE",
        `${BASE}/or`,
        deleteOptions({ propagationPolicy: "Orphan" }),
      );
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.metadata.finalizers, ["orphan"]);
    });

    await t.step(
      "the legacy orphanDependents=true adds the orphan finalizer",
      async () => {
        await create("legacy");
        const r = await s.request(
          "DELETE",
          `${BASE}/legacy?orphanDependents=true`,
        );
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.metadata.finalizers, ["orphan"]);
        const again = await s.request(
          "DELETE",
          `${BASE}/legacy`,
          deleteOptions({ orphanDependents: false }),
        );
        assert.equal(again.status, 200);
        assert.equal(again.body.kind, "Status");
      },
    );

    await t.step(
      "orphanDependents together with propagationPolicy is 422",
      async () => {
        await create("both");
        const r = await s.request(
          "DELETE",
          `${BASE}/both`,
          deleteOptions({
            orphanDependents: true,
            propagationPolicy: "Orphan",
          }),
        );
        assert.equal(r.status, 422);
        assert.equal((await s.request("GET", `${BASE}/both`)).status, 200);
      },
    );

    await t.step("Background and no policy delete at once", async () => {
      for (const q of ["?propagationPolicy=Background", ""]) {
        await create("bg");
        const r = await s.request("DELETE", `${BASE}/bg${q}`);
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "Status");
      }
    });

    await t.step(
      "other finalizers are kept beside the policy's one",
      async () => {
        await create("mixed", ["example.com/x"]);
        const r = await s.request(
          "DELETE",
          `${BASE}/mixed?propagationPolicy=Foreground`,
        );
        assert.deepEqual(r.body.metadata.finalizers, [
          "example.com/x",
          "foregroundDeletion",
        ]);
        const bg = await s.request(
          "DELETE",
          `${BASE}/mixed?propagationPolicy=Background`,
        );
        assert.equal(bg.status, 200);
        assert.deepEqual(bg.body.metadata.finalizers, ["example.com/x"]);
      },
    );

    await t.step("dryRun stores nothing", async () => {
      await create("dry");
      const r = await s.request(
        "DELETE",
        `${BASE}/dry?dryRun=All&propagationPolicy=Foreground`,
      );
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.metadata.finalizers, ["foregroundDeletion"]);
      const stored = await get("dry");
      assert.equal(stored.metadata.finalizers, undefined);
      assert.equal(stored.metadata.deletionTimestamp, undefined);
    });

    await t.step(
      "deletecollection applies the policy to every item",
      async () => {
        const ns = "/api/v1/namespaces";
        await s.request("POST", ns, {
          body: {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "c" },
          },
        });
        const base = `${ns}/c/configmaps`;
        for (const name of ["a", "b"]) {
          await s.request("POST", base, { body: configMap(name) });
        }
        const r = await s.request(
          "DELETE",
          base,
          deleteOptions({ propagationPolicy: "Orphan" }),
        );
        assert.equal(r.status, 200);
        assert.deepEqual(
          r.body.items.map((i: { metadata: { finalizers: string[] } }) =>
            i.metadata.finalizers
          ),
          [["orphan"], ["orphan"]],
        );
        const list = await s.request("GET", base);
        assert.equal(list.body.items.length, 2);
        assert.ok(list.body.items.every((
          i: { metadata: { deletionTimestamp?: string } },
        ) => i.metadata.deletionTimestamp));
      },
    );
  } finally {
    await s.close();
  }
});
