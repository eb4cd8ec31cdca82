import assert from "node:assert/strict";
import {
  ADMIN,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import { silentLogger } from "../../log/mod.ts";
import { ApiClient, inProcessTransport } from "../client/mod.ts";
import { startControllers } from "../manager.ts";
import { eventually, startStand } from "../../tests/support/controllers.ts";
import {
  compactClusterRoles,
  FIELD_MANAGER,
} from "./clusterrole_aggregation_controller.ts";
import { JsonInterner } from "../../internal/json_interner.ts";

const RBAC = "apis/rbac.authorization.k8s.io/v1/clusterroles";

function roles(cluster: string): string {
  return `/clusters/${cluster}/${RBAC}`;
}

const rule = (resource: string, verbs = ["get"]) => ({
  apiGroups: [""],
  resources: [resource],
  verbs,
});

function clusterRole(
  name: string,
  extra: Record<string, unknown> = {},
  labels: Record<string, string> = {},
) {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels },
    ...extra,
  };
}

const AGGREGATE_TEAM = {
  aggregationRule: {
    clusterRoleSelectors: [{
      matchLabels: { "example.com/aggregate": "team" },
    }],
  },
};
const TEAM_LABEL = { "example.com/aggregate": "team" };

async function create(s: TestServer, cluster: string, body: unknown) {
  const r = await s.request("POST", roles(cluster), { body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

async function rulesOf(s: TestServer, cluster: string, name: string) {
  const r = await s.request("GET", `${roles(cluster)}/${name}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rules ?? [];
}

/** Waits until `cluster`'s `name` has exactly `want` as rules. */
async function rulesBecome(
  s: TestServer,
  cluster: string,
  name: string,
  want: unknown[],
) {
  let last: unknown;
  try {
    await eventually(async () => {
      last = await rulesOf(s, cluster, name);
      return JSON.stringify(last) === JSON.stringify(want);
    }, `rules of ${cluster}/${name}`);
  } catch (e) {
    assert.deepEqual(last, want, (e as Error).message);
  }
}

Deno.test("an aggregated ClusterRole follows the labelled ClusterRoles of its cluster", async (t) => {
  const stand = await startStand({ controllers: "clusterrole-aggregation" });
  const s = stand.server;
  try {
    await create(s, "a", clusterRole("team", AGGREGATE_TEAM));

    await t.step("it picks up a labelled role created later", async () => {
      await create(
        s,
        "a",
        clusterRole("team-config", { rules: [rule("configmaps")] }, TEAM_LABEL),
      );
      await create(
        s,
        "a",
        clusterRole("unrelated", { rules: [rule("secrets")] }),
      );
      await rulesBecome(s, "a", "team", [rule("configmaps")]);
      const got = (await s.request("GET", `${roles("a")}/team`)).body;
      assert.ok(
        got.metadata.managedFields.some((m: { manager: string }) =>
          m.manager === FIELD_MANAGER
        ),
        "written by server-side apply under the controller's field manager",
      );
    });

    await t.step("a labelled role in another cluster is ignored", async () => {
      await create(s, "b", clusterRole("team", AGGREGATE_TEAM));
      await create(
        s,
        "b",
        clusterRole("team-leases", { rules: [rule("leases")] }, TEAM_LABEL),
      );
      // b aggregates its own role: the controller has seen it…
      await rulesBecome(s, "b", "team", [rule("leases")]);
      // …and a later change in a shows a is still computed from a alone.
      await create(
        s,
        "a",
        clusterRole("team-events", { rules: [rule("events")] }, TEAM_LABEL),
      );
      await rulesBecome(s, "a", "team", [
        rule("configmaps"),
        rule("events"),
      ]);
    });

    await t.step(
      "duplicate rules appear once, in role-name order",
      async () => {
        await create(
          s,
          "a",
          clusterRole("team-all", {
            rules: [rule("events"), rule("pods", ["list"])],
          }, TEAM_LABEL),
        );
        await rulesBecome(s, "a", "team", [
          rule("events"),
          rule("pods", ["list"]),
          rule("configmaps"),
        ]);
      },
    );

    await t.step("unlabelling a role removes its rules", async () => {
      const path = `${roles("a")}/team-all`;
      const r = await s.request("PATCH", path, {
        text: JSON.stringify({ metadata: { labels: null } }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await rulesBecome(s, "a", "team", [
        rule("configmaps"),
        rule("events"),
      ]);
    });

    await t.step("deleting a role removes its rules", async () => {
      for (const name of ["team-config", "team-events"]) {
        const r = await s.request("DELETE", `${roles("a")}/${name}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      await rulesBecome(s, "a", "team", []);
      assert.deepEqual(await rulesOf(s, "b", "team"), [rule("leases")]);
    });

    await t.step("rules written by hand are stomped", async () => {
      const path = `${roles("b")}/team`;
      const r = await s.request("PATCH", path, {
        text: JSON.stringify({ rules: [rule("secrets", ["*"])] }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await rulesBecome(s, "b", "team", [rule("leases")]);
    });

    await t.step(
      "a chain of aggregated roles carries rules along",
      async () => {
        const SUB = { "example.com/aggregate": "sub" };
        await create(s, "c", clusterRole("team", AGGREGATE_TEAM));
        await create(
          s,
          "c",
          clusterRole("team-sub", {
            aggregationRule: { clusterRoleSelectors: [{ matchLabels: SUB }] },
          }, TEAM_LABEL),
        );
        await create(
          s,
          "c",
          clusterRole("sub-pods", { rules: [rule("pods")] }, SUB),
        );
        await rulesBecome(s, "c", "team-sub", [rule("pods")]);
        await rulesBecome(s, "c", "team", [rule("pods")]);
      },
    );

    await t.step("a changed aggregationRule picks other roles", async () => {
      const r = await s.request("PATCH", `${roles("c")}/team-sub`, {
        text: JSON.stringify({
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { "example.com/x": "y" } }],
          },
        }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await rulesBecome(s, "c", "team-sub", []);
      await rulesBecome(s, "c", "team", []);
    });
  } finally {
    await stand.close();
  }
});

Deno.test("an aggregationRule without selectors empties the rules", async () => {
  const stand = await startStand({ controllers: "clusterrole-aggregation" });
  const s = stand.server;
  try {
    await create(
      s,
      "root",
      clusterRole("labelled", { rules: [rule("configmaps")] }, TEAM_LABEL),
    );
    await create(
      s,
      "root",
      clusterRole("empty", {
        rules: [rule("secrets")],
        aggregationRule: { clusterRoleSelectors: [] },
      }),
    );
    await rulesBecome(s, "root", "empty", []);
    assert.deepEqual(await rulesOf(s, "root", "labelled"), [
      rule("configmaps"),
    ]);
  } finally {
    await stand.close();
  }
});

Deno.test("a server that refuses apply gets an update of the rules instead", async () => {
  const s = await startTestServer();
  const api = inProcessTransport(s.api.handler, ADMIN);
  let refused = 0;
  const client = new ApiClient({
    send(req) {
      const type = req.headers.get("content-type") ?? "";
      if (req.method === "PATCH" && type.startsWith("application/apply")) {
        refused++;
        return Promise.resolve(Response.json({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "UnsupportedMediaType",
          code: 415,
        }, { status: 415 }));
      }
      return api.send(req);
    },
    close: () => api.close(),
  });
  const controllers = startControllers({
    client,
    controllers: "clusterrole-aggregation",
    logger: silentLogger,
  });
  try {
    await create(s, "root", clusterRole("team", AGGREGATE_TEAM));
    await create(
      s,
      "root",
      clusterRole("team-config", { rules: [rule("configmaps")] }, TEAM_LABEL),
    );
    await rulesBecome(s, "root", "team", [rule("configmaps")]);
    assert.ok(refused > 0, "apply was tried first");
  } finally {
    await controllers.stop();
    client.close();
    await s.close();
  }
});

Deno.test("the informer keeps one frozen copy of identical rules and labels across clusters", () => {
  const { apply } = compactClusterRoles(new JsonInterner());
  const role = (cluster: string) => ({
    ...clusterRole("view", {
      ...AGGREGATE_TEAM,
      rules: [rule("pods", ["get", "list"])],
    }, { "example.com/x": "1" }),
    metadata: {
      name: "view",
      labels: { "example.com/x": "1" },
      annotations: { "tenancy.hyperplane.dev/cluster": cluster },
      managedFields: [{ manager: "m", operation: "Apply" }],
    },
  });
  const [a, b] = [apply(role("a")), apply(role("b"))];
  assert.equal(a.rules, b.rules);
  assert.equal(a.aggregationRule, b.aggregationRule);
  assert.ok(Object.isFrozen(a.rules));
  assert.deepEqual(a.rules, [rule("pods", ["get", "list"])]);
  assert.deepEqual(a.aggregationRule, AGGREGATE_TEAM.aggregationRule);
  assert.equal(a.metadata.managedFields, undefined);
  assert.deepEqual(a.metadata.labels, { "example.com/x": "1" });
  // Labels too (annotations differ: each names its cluster).
  assert.equal(a.metadata.labels, b.metadata.labels);
  assert.ok(Object.isFrozen(a.metadata.labels));
  assert.equal(
    a.metadata.annotations?.["tenancy.hyperplane.dev/cluster"],
    "a",
  );
  assert.equal(
    a.metadata.annotations,
    apply(role("a")).metadata.annotations,
  );
  assert.equal(a.kind, "ClusterRole");
});
