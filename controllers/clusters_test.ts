import assert from "node:assert/strict";
import { configMap } from "../tests/support/apiserver_harness.ts";
import { eventually, startStand } from "../tests/support/controllers.ts";

const B = "/clusters/b/api/v1/namespaces";

Deno.test("the controllers act in every cluster, including clusters created after they started", async (t) => {
  const stand = await startStand();
  const s = stand.server;
  try {
    // Cluster b does not exist yet: its first request creates it.
    assert.equal(
      (await s.request("POST", B, { body: { metadata: { name: "team" } } }))
        .status,
      201,
    );

    await t.step(
      "a new namespace in cluster b gets its default service account",
      async () => {
        await eventually(
          async () =>
            (await s.request("GET", `${B}/team/serviceaccounts/default`))
              .status === 200,
          "default SA in cluster b",
        );
        assert.equal(
          (await s.request("GET", "/api/v1/namespaces/team")).status,
          404,
          "nothing leaks into root",
        );
      },
    );

    await t.step("the garbage collector works in cluster b", async () => {
      const cm = `${B}/team/configmaps`;
      const owner =
        (await s.request("POST", cm, { body: configMap("owner") })).body;
      for (let i = 0; i < 5; i++) {
        await s.request("POST", cm, {
          body: configMap(`dep-${i}`, {}, {
            metadata: {
              ownerReferences: [{
                apiVersion: "v1",
                kind: "ConfigMap",
                name: "owner",
                uid: owner.metadata.uid,
              }],
            },
          }),
        });
      }
      // The same names in root, owned by nothing there: they stay.
      for (let i = 0; i < 2; i++) {
        await s.request("POST", "/api/v1/namespaces/default/configmaps", {
          body: configMap(`dep-${i}`),
        });
      }
      await s.request("DELETE", `${cm}/owner`);
      await eventually(
        async () =>
          !(await s.request("GET", cm)).body.items.some((
            i: { metadata: { name: string } },
          ) => i.metadata.name.startsWith("dep-")),
        "dependents gone in cluster b",
      );
      const root = await s.request(
        "GET",
        "/api/v1/namespaces/default/configmaps",
      );
      assert.equal(
        root.body.items.filter((i: { metadata: { name: string } }) =>
          i.metadata.name.startsWith("dep-")
        ).length,
        2,
      );
    });

    await t.step(
      "a namespace deleted in cluster b is emptied and removed",
      async () => {
        for (let i = 0; i < 20; i++) {
          await s.request("POST", `${B}/team/secrets`, {
            body: { metadata: { name: `s-${i}` }, data: {} },
          });
        }
        const del = await s.request("DELETE", `${B}/team`);
        assert.equal(del.status, 200);
        await eventually(
          async () => (await s.request("GET", `${B}/team`)).status === 404,
          "namespace gone in cluster b",
        );
        assert.deepEqual(
          (await s.request("GET", `${B}/team/secrets`)).body.items,
          [],
        );
      },
    );
  } finally {
    await stand.close();
  }
});

Deno.test("controllers limited to some clusters leave the others alone", async () => {
  const stand = await startStand({ clusters: ["root"] });
  const s = stand.server;
  try {
    await s.request("POST", B, { body: { metadata: { name: "ignored" } } });
    await s.request("POST", "/api/v1/namespaces", {
      body: { metadata: { name: "served" } },
    });
    await eventually(
      async () =>
        (await s.request(
          "GET",
          "/api/v1/namespaces/served/serviceaccounts/default",
        )).status === 200,
      "default SA in root",
    );
    const inB = await s.request("GET", `${B}/ignored/serviceaccounts`);
    assert.deepEqual(inB.body.items, []);
  } finally {
    await stand.close();
  }
});
