import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const AGGREGATED =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

Deno.test("discovery answers what kubectl asks first", async (t) => {
  const s = await startTestServer();
  try {
    await t.step("/version reports Kubernetes 1.35", async () => {
      const r = await s.request("GET", "/version");
      assert.equal(r.status, 200);
      assert.equal(r.body.major, "1");
      assert.equal(r.body.minor, "35");
      assert.equal(r.body.gitVersion, "v1.35.0-hyperplane");
      assert.match(r.body.platform, /\//);
    });
    await t.step("/api lists v1 as APIVersions", async () => {
      const r = await s.request("GET", "/api");
      assert.equal(r.body.kind, "APIVersions");
      assert.deepEqual(r.body.versions, ["v1"]);
    });
    await t.step(
      "/api with the aggregated Accept header returns the core group",
      async () => {
        const r = await s.request("GET", "/api", {
          headers: { accept: AGGREGATED },
        });
        assert.equal(
          r.headers.get("content-type"),
          "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        );
        assert.equal(r.body.kind, "APIGroupDiscoveryList");
        assert.equal(r.body.apiVersion, "apidiscovery.k8s.io/v2");
        const v1 = r.body.items[0].versions[0];
        assert.equal(v1.version, "v1");
        const cm = v1.resources.find((x: { resource: string }) =>
          x.resource === "configmaps"
        );
        assert.equal(cm.scope, "Namespaced");
        assert.deepEqual(cm.shortNames, ["cm"]);
        assert.deepEqual(cm.responseKind, {
          group: "",
          version: "v1",
          kind: "ConfigMap",
        });
        const ns = v1.resources.find((x: { resource: string }) =>
          x.resource === "namespaces"
        );
        assert.equal(ns.scope, "Cluster");
        assert.deepEqual(
          ns.subresources.map((x: { subresource: string }) => x.subresource)
            .sort(),
          ["finalize", "status"],
        );
      },
    );
    await t.step("/apis with v2beta1 only answers in v2beta1", async () => {
      const r = await s.request("GET", "/apis", {
        headers: {
          accept:
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
        },
      });
      assert.equal(r.body.apiVersion, "apidiscovery.k8s.io/v2beta1");
      assert.ok(Array.isArray(r.body.items));
    });
    await t.step("/apis without the header is an APIGroupList", async () => {
      const r = await s.request("GET", "/apis");
      assert.equal(r.body.kind, "APIGroupList");
    });
    await t.step(
      "/api/v1 is an APIResourceList with verbs and subresources",
      async () => {
        const r = await s.request("GET", "/api/v1");
        assert.equal(r.body.kind, "APIResourceList");
        assert.equal(r.body.groupVersion, "v1");
        const names = r.body.resources.map((x: { name: string }) => x.name);
        assert.ok(names.includes("configmaps"));
        assert.ok(names.includes("namespaces/status"));
        assert.ok(names.includes("namespaces/finalize"));
        const cm = r.body.resources.find((x: { name: string }) =>
          x.name === "configmaps"
        );
        assert.equal(cm.singularName, "configmap");
        assert.ok(cm.verbs.includes("watch"));
      },
    );
    await t.step("discovery is served per cluster", async () => {
      const r = await s.request("GET", "/clusters/team-a/api/v1");
      assert.equal(r.body.kind, "APIResourceList");
      const c = await s.request(
        "GET",
        "/clusters/team-a/control-plane/version",
      );
      assert.equal(c.body.major, "1");
    });
    await t.step("unknown groups are 404 Status", async () => {
      const r = await s.request("GET", "/apis/nope.example.com/v1");
      assert.equal(r.status, 404);
      assert.equal(r.body.kind, "Status");
      assert.equal(
        r.body.message,
        "the server could not find the requested resource",
      );
      const o = await s.request("GET", "/openapi/v3/apis/nope.example.com/v1");
      assert.equal(o.status, 404);
    });
    await t.step("discovery is read-only (405)", async () => {
      const r = await s.request("POST", "/api/v1", { body: {} });
      assert.equal(r.status, 405);
      assert.equal(r.body.reason, "MethodNotAllowed");
    });
    await t.step(
      "an Accept nothing can answer is 406 with upstream's media types",
      async () => {
        const table = "application/json;as=Table;g=meta.k8s.io;v=v1";
        for (
          const path of [
            "/api",
            "/apis",
            "/api/v1",
            "/apis/rbac.authorization.k8s.io/v1",
            "/apis/authorization.k8s.io",
          ]
        ) {
          for (
            const accept of [
              "text/plain",
              table,
              "application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList",
            ]
          ) {
            const r = await s.request("GET", path, { headers: { accept } });
            assert.equal(r.status, 406, `${path} ${accept}`);
            assert.equal(r.body.reason, "NotAcceptable");
            assert.equal(
              r.body.message,
              "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
            );
          }
        }
        // A path naming nothing is 404 whatever the Accept.
        const nope = await s.request("GET", "/apis/nope.example.com", {
          headers: { accept: "text/plain" },
        });
        assert.equal(nope.status, 404);
        // /version is written whatever was asked, as upstream.
        const version = await s.request("GET", "/version", {
          headers: { accept: "text/plain" },
        });
        assert.equal(version.status, 200);
        // A range that cannot be served is passed over for the next one.
        const next = await s.request("GET", "/apis", {
          headers: { accept: `text/plain, ${table}, application/json` },
        });
        assert.equal(next.status, 200);
        assert.equal(next.body.kind, "APIGroupList");
      },
    );
    await t.step(
      "the first servable range decides between the two /apis documents",
      async () => {
        const plainFirst = await s.request("GET", "/apis", {
          headers: { accept: `application/json, ${AGGREGATED}` },
        });
        assert.equal(plainFirst.body.kind, "APIGroupList");
        const aggregatedLater = await s.request("GET", "/apis", {
          headers: { accept: `text/plain, ${AGGREGATED}` },
        });
        assert.equal(aggregatedLater.body.kind, "APIGroupDiscoveryList");
        // Built-in discovery may be asked in protobuf (answered in JSON).
        const pb = await s.request("GET", "/api", {
          headers: { accept: "application/vnd.kubernetes.protobuf" },
        });
        assert.equal(pb.status, 200);
        assert.equal(pb.body.kind, "APIVersions");
        const yaml = await s.request("GET", "/apis", {
          headers: { accept: "application/yaml" },
        });
        assert.equal(yaml.status, 200);
        assert.equal(yaml.headers.get("content-type"), "application/yaml");
        assert.match(yaml.body, /^apiVersion: v1\ngroups:\n/);
      },
    );
  } finally {
    await s.close();
  }
});
