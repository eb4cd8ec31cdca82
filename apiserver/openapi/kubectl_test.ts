/**
 * The real proof: kubectl v1.35 reads these documents. A tiny server answers
 * minimal discovery for ConfigMap and Secret plus the OpenAPI endpoints.
 */

import assert from "node:assert/strict";
import {
  kubeTools,
  runTool,
  skipWithoutKubeTools,
} from "../../tests/support/kubectl.ts";
import { builtinKinds } from "../../tests/support/openapi_builtin_kinds.ts";
import { createOpenApiServer } from "./serve.ts";

const RESOURCES = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: "v1",
  resources: [
    {
      name: "configmaps",
      singularName: "configmap",
      namespaced: true,
      kind: "ConfigMap",
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      shortNames: ["cm"],
    },
    {
      name: "secrets",
      singularName: "secret",
      namespaced: true,
      kind: "Secret",
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
  ],
};

async function withServer(
  fn: (url: string, seen: string[]) => Promise<void>,
): Promise<void> {
  const openapi = createOpenApiServer();
  const kinds = builtinKinds();
  const seen: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      const res = await openapi.serveOpenApi(
        url.pathname,
        url.searchParams,
        req.headers,
        kinds,
      );
      if (res) return res;
      switch (url.pathname) {
        case "/api":
          return Response.json({ kind: "APIVersions", versions: ["v1"] });
        case "/apis":
          return Response.json({
            kind: "APIGroupList",
            apiVersion: "v1",
            groups: [],
          });
        case "/api/v1":
          return Response.json(RESOURCES);
        case "/version":
          return Response.json({
            major: "1",
            minor: "35",
            gitVersion: "v1.35.0",
          });
      }
      return Response.json({
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "NotFound",
        code: 404,
      }, { status: 404 });
    },
  );
  const dir = await Deno.makeTempDir({ prefix: "h10-kubectl-" });
  try {
    const addr = server.addr as Deno.NetAddr;
    await Deno.writeTextFile(
      `${dir}/kubeconfig`,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: t\n  cluster:\n    server: http://127.0.0.1:${addr.port}`,
        "users:\n- name: u\n  user: {}",
        "contexts:\n- name: c\n  context:\n    cluster: t\n    user: u",
        "current-context: c",
      ].join("\n"),
    );
    await fn(dir, seen);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("kubectl v1.35 explains built-in kinds from our OpenAPI documents", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl explain")) return;
  await withServer(async (dir, seen) => {
    const kubectl = (args: string[], stdin?: string) =>
      runTool(tools!.kubectl, [...args, "--cache-dir", `${dir}/cache`], {
        env: { KUBECONFIG: `${dir}/kubeconfig`, HOME: dir },
        stdin,
      });

    await t.step("explain configmap.data prints the field", async () => {
      const out = await kubectl(["explain", "configmap.data"]);
      assert.match(out.stdout, /KIND:\s+ConfigMap/);
      assert.match(out.stdout, /VERSION:\s+v1/);
      assert.match(out.stdout, /FIELD: data <map\[string\]string>/);
      assert.match(out.stdout, /Data contains the configuration data/);
      assert.ok(seen.some((s) => s.startsWith("GET /openapi/v3/api/v1?hash=")));
    });

    await t.step("explain secret --recursive lists nested fields", async () => {
      const out = await kubectl(["explain", "secret", "--recursive"]);
      assert.match(out.stdout, /KIND:\s+Secret/);
      assert.match(out.stdout, /Secret holds secret data of a certain type/);
      assert.match(out.stdout, /^\s+stringData\s+<map\[string\]string>$/m);
      assert.match(out.stdout, /^\s+data\s+<map\[string\]string>$/m);
      assert.match(out.stdout, /^\s+metadata\s+<ObjectMeta>$/m);
      assert.match(out.stdout, /^\s+ownerReferences\s+<\[\]OwnerReference>$/m);
      assert.match(out.stdout, /^\s+uid\s+<string> -required-$/m);
      assert.match(out.stdout, /^\s+creationTimestamp\s+<string>$/m);
    });

    await t.step(
      "explain walks through references (metadata.ownerReferences)",
      async () => {
        const out = await kubectl([
          "explain",
          "secret.metadata.ownerReferences",
        ]);
        assert.match(out.stdout, /FIELD: ownerReferences <\[\]OwnerReference>/);
        assert.match(out.stdout, /List of objects depended by this object/);
        assert.match(out.stdout, /blockOwnerDeletion\s+<boolean>/);
      },
    );

    await t.step(
      "explain --output plaintext-openapiv2 reads the protobuf v2 document",
      async () => {
        const out = await kubectl([
          "explain",
          "configmap",
          "--output",
          "plaintext-openapiv2",
        ]);
        assert.match(out.stdout, /KIND:\s+ConfigMap/);
        assert.match(out.stdout, /VERSION:\s+v1/);
        assert.match(out.stdout, /ConfigMap holds configuration data/);
        assert.match(out.stdout, /data\s+<map\[string\]string>/);
        assert.match(out.stdout, /metadata\s+<Object>/);
        assert.ok(seen.some((s) => s.startsWith("GET /openapi/v2")));
        const deep = await kubectl([
          "explain",
          "secret.metadata.ownerReferences",
          "--output",
          "plaintext-openapiv2",
        ]);
        assert.match(deep.stdout, /RESOURCE:\s+ownerReferences <\[\]Object>/);
        assert.match(deep.stdout, /uid\s+<string> -required-/);
      },
    );

    await t.step(
      "client-side validation defers to the server's fieldValidation",
      async () => {
        // kubectl's default --validate=strict first asks the v3 document
        // whether PATCH of the kind takes fieldValidation; only when it does
        // not does it validate client-side with the (protobuf) v2 document.
        const before = seen.length;
        const out = await kubectl(
          ["create", "-f", "-", "--dry-run=client", "-o", "name"],
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n",
        );
        assert.equal(out.stdout.trim(), "configmap/x");
        assert.ok(seen.some((s) => s.startsWith("GET /openapi/v3?")));
        assert.ok(
          !seen.slice(before).some((s) => s.startsWith("GET /openapi/v2")),
        );
      },
    );
  });
});
