/**
 * A kind written in code is served like a built-in one: discovery,
 * OpenAPI, strategic merge patch with the schema's patch strategies,
 * unknown fields dropped (with a warning), server-side apply, tables and
 * watch — from its one `ResourceDefinition`.
 */

import assert from "node:assert/strict";
import {
  createControlPlane,
  kindSchema,
  type ResourceDefinition,
} from "../mod.ts";
import { adminSender } from "../tests/support/control_plane_requests.ts";

const gadgets: ResourceDefinition = {
  group: "example.com",
  version: "v1",
  kind: "Gadget",
  plural: "gadgets",
  singular: "gadget",
  namespaced: true,
  customResource: false,
  schema: kindSchema("com.example.v1.Gadget", "A Gadget has parts.", {
    spec: {
      type: "object",
      description: "The parts.",
      properties: {
        parts: {
          type: "array",
          description: "Parts, merged by name.",
          "x-kubernetes-patch-strategy": "merge",
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: {
            type: "object",
            description: "A part.",
            required: ["name"],
            properties: {
              name: { type: "string", description: "Its name." },
              count: { type: "integer", description: "How many." },
            },
          },
        },
      },
    },
  }),
  columns: [{
    name: "Parts",
    type: "integer",
    description: "How many parts.",
    cell: (obj) =>
      ((obj as { spec?: { parts?: unknown[] } }).spec?.parts ?? []).length,
  }],
};

const BASE = "/apis/example.com/v1/namespaces/default/gadgets";

Deno.test("a native kind of one's own gets discovery, OpenAPI, strategic merge patch, apply, tables and pruning", async () => {
  await using cp = await createControlPlane({
    resources: ["namespaces", gadgets],
    controllers: [],
  });
  const request = adminSender(cp);
  const send = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await request(method, path, body, headers);
    return {
      status: res.status,
      warning: res.headers.get("warning"),
      // deno-lint-ignore no-explicit-any
      body: await res.json() as any,
    };
  };

  const discovery = await send("GET", "/apis/example.com/v1");
  assert.equal(discovery.status, 200);
  assert.deepEqual(
    discovery.body.resources.map((r: { name: string }) => r.name),
    ["gadgets"],
  );
  const openapi = await send("GET", "/openapi/v3/apis/example.com/v1");
  assert.equal(openapi.status, 200);
  assert.ok(openapi.body.components.schemas["com.example.v1.Gadget"]);

  const created = await send("POST", `${BASE}?fieldValidation=Warn`, {
    apiVersion: "example.com/v1",
    kind: "Gadget",
    metadata: { name: "g" },
    spec: { parts: [{ name: "a", count: 1 }, { name: "b", count: 2 }] },
    surplus: true,
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.surplus, undefined); // dropped, as for built-ins
  assert.match(created.warning ?? "", /unknown field \\"surplus\\"/);

  const patched = await send(
    "PATCH",
    `${BASE}/g`,
    { spec: { parts: [{ name: "b", count: 5 }] } },
    { "content-type": "application/strategic-merge-patch+json" },
  );
  assert.equal(patched.status, 200);
  // Merged by name, not replaced: a built-in kind's patch semantics.
  assert.deepEqual(patched.body.spec.parts, [
    { name: "a", count: 1 },
    { name: "b", count: 5 },
  ]);

  const applied = await send(
    "PATCH",
    `${BASE}/g?fieldManager=tester`,
    "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\nspec:\n  parts:\n  - name: c\n    count: 3\n",
    { "content-type": "application/apply-patch+yaml" },
  );
  assert.equal(applied.status, 200);
  assert.deepEqual(
    applied.body.spec.parts.map((p: { name: string }) => p.name),
    ["a", "b", "c"],
  );

  const table = await send("GET", BASE, undefined, {
    accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
  });
  assert.equal(table.status, 200);
  assert.deepEqual(
    table.body.columnDefinitions.map((c: { name: string }) => c.name),
    ["Parts"],
  );
  assert.deepEqual(table.body.rows[0].cells, [3]);
});
