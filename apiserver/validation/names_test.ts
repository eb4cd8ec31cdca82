import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { generatedFrom, labelName, subdomainName } from "./names.ts";

Deno.test("a generateName prefix is valid when the names it generates are", () => {
  for (const p of ["foo-", "foo.", "foo", "a", "x".repeat(300)]) {
    assert.deepEqual(subdomainName(p, true), [], p);
  }
  for (const p of ["Foo", "-foo", ".foo", "foo_", "foo/"]) {
    assert.notDeepEqual(subdomainName(p, true), [], p);
  }
  assert.deepEqual(labelName("ns-", true), []);
  assert.notDeepEqual(labelName("ns.", true), []);
  assert.equal(generatedFrom("x".repeat(70)).length, 63);
});

Deno.test("objects may be created from generateName prefixes ending in '-' or '.'", async (t) => {
  const s = await startTestServer();
  try {
    const base = "/api/v1/namespaces/default/configmaps";
    for (const prefix of ["dash-", "dot."]) {
      await t.step(`prefix ${prefix}`, async () => {
        const r = await s.request("POST", base, {
          body: configMap("", {}, { metadata: { generateName: prefix } }),
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.match(
          r.body.metadata.name,
          new RegExp(`^${prefix}[a-z0-9]{5}$`),
        );
      });
    }
    await t.step(
      "an invalid prefix is 422 on metadata.generateName",
      async () => {
        const r = await s.request("POST", base, {
          body: configMap("", {}, { metadata: { generateName: "Bad-" } }),
        });
        assert.equal(r.status, 422);
        assert.ok(
          r.body.details.causes.some((c: { field: string }) =>
            c.field === "metadata.generateName"
          ),
          JSON.stringify(r.body),
        );
      },
    );
    await t.step("namespaces generate DNS-1123 labels", async () => {
      const r = await s.request("POST", "/api/v1/namespaces", {
        body: { metadata: { generateName: "team-" } },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    });
  } finally {
    await s.close();
  }
});
