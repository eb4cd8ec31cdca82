import assert from "node:assert/strict";
import { MemoryLog } from "../../../backends/memory/mod.ts";
import {
  clusterPrefix,
  expired,
  type KubeObject,
  objectKey,
  type Store,
} from "../../../storage/mod.ts";
import { LogStoreFactory } from "../../../storage/log/mod.ts";
import { cachedStoreFactory } from "../../../storage/cacher/mod.ts";
import type { UserInfo } from "../../request_context.ts";
import type { AuthorizationAttributes } from "../authorizer.ts";
import { RbacAuthorizer } from "./authorizer.ts";
import { reconcileBootstrapPolicy } from "./reconcile.ts";
import { aggregationSources } from "./aggregation.ts";
import { bootstrapPolicy } from "./bootstrap_policy.ts";
import { StoreBackedPolicy } from "./store_policy.ts";
import { withFirstWatch } from "../../../tests/support/expiring_watch.ts";
import {
  binding,
  clusterBinding,
  clusterRole,
  rule,
  userSubject,
} from "../../../tests/support/rbac_objects.ts";
import {
  type ClusterRoleObject,
  RBAC_GROUP,
  RBAC_RESOURCES,
  type RbacResource,
} from "./types.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };
const bob: UserInfo = { username: "bob", groups: ["system:authenticated"] };

function openStores(cached = false) {
  const log = new LogStoreFactory(new MemoryLog());
  const factory = cached ? cachedStoreFactory(log) : log;
  const stores = Object.fromEntries(
    RBAC_RESOURCES.map((
      r,
    ) => [r, factory.storeFor({ group: RBAC_GROUP, resource: r })]),
  ) as Record<RbacResource, Store>;
  return { factory, stores };
}

function keyOf(
  resource: RbacResource,
  cluster: string,
  obj: KubeObject,
): string {
  return objectKey({
    group: RBAC_GROUP,
    resource,
    cluster,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name ?? "",
  });
}

async function put(
  stores: Record<RbacResource, Store>,
  resource: RbacResource,
  cluster: string,
  obj: KubeObject,
): Promise<void> {
  await stores[resource].create(keyOf(resource, cluster, obj), obj);
}

function getConfigMaps(
  user: UserInfo,
  cluster: string,
  namespace: string,
): AuthorizationAttributes {
  return {
    user,
    cluster,
    verb: "get",
    isResourceRequest: true,
    apiGroup: "",
    resource: "configmaps",
    namespace,
    name: "x",
  };
}

/** Waits, change by change, until `cond` holds (gives up after 200 changes). */
async function eventually(
  policy: StoreBackedPolicy,
  cond: () => Promise<boolean>,
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const next = policy.changed();
    if (await cond()) return;
    await next;
  }
  assert.fail("the condition never held");
}

const reader = clusterRole("reader", [rule(["get"], [""], ["configmaps"])]);

for (const cached of [false, true]) {
  Deno.test(
    `the store-backed policy loads, follows writes and keeps clusters apart${
      cached ? " (through the watch cache)" : ""
    }`,
    async (t) => {
      await storeBackedPolicyFollowsWrites(t, cached);
    },
  );
}

async function storeBackedPolicyFollowsWrites(
  t: Deno.TestContext,
  cached: boolean,
): Promise<void> {
  const { factory, stores } = openStores(cached);
  await put(stores, "clusterroles", "x", reader);
  await put(stores, "clusterroles", "y", reader);
  await put(
    stores,
    "rolebindings",
    "x",
    binding("a", "alice", "ClusterRole", "reader", [userSubject("alice")]),
  );
  const policy = new StoreBackedPolicy({ stores });
  const rbac = new RbacAuthorizer(policy);
  try {
    await policy.start();
    await t.step("objects stored before the start are loaded", async () => {
      assert.ok(policy.synced);
      assert.equal(
        (await rbac.authorize(getConfigMaps(alice, "x", "a"))).allowed,
        true,
      );
    });
    await t.step(
      "a binding in one cluster grants nothing in another",
      async () => {
        assert.equal(
          (await rbac.authorize(getConfigMaps(alice, "y", "a"))).allowed,
          false,
        );
      },
    );
    await t.step(
      "a new RoleBinding is honoured once the watch delivers it",
      async () => {
        await put(
          stores,
          "rolebindings",
          "y",
          binding("a", "bob", "ClusterRole", "reader", [userSubject("bob")]),
        );
        await eventually(
          policy,
          async () =>
            (await rbac.authorize(getConfigMaps(bob, "y", "a"))).allowed,
        );
        assert.equal(
          (await rbac.authorize(getConfigMaps(bob, "x", "a"))).allowed,
          false,
        );
        assert.equal(
          (await rbac.authorize(getConfigMaps(bob, "y", "b"))).allowed,
          false,
        );
      },
    );
    await t.step("a deleted binding stops granting", async () => {
      await stores.rolebindings.delete(
        keyOf(
          "rolebindings",
          "x",
          binding("a", "alice", "ClusterRole", "reader", []),
        ),
      );
      await eventually(
        policy,
        async () =>
          !(await rbac.authorize(getConfigMaps(alice, "x", "a"))).allowed,
      );
    });
    await t.step("an updated role takes effect", async () => {
      await put(
        stores,
        "clusterrolebindings",
        "x",
        clusterBinding("alice", "reader", [userSubject("alice")]),
      );
      await eventually(
        policy,
        async () =>
          (await rbac.authorize(getConfigMaps(alice, "x", "z"))).allowed,
      );
      await stores.clusterroles.guaranteedUpdate(
        keyOf("clusterroles", "x", reader),
        {
          tryUpdate: (cur) => ({
            ...cur!,
            rules: [rule(["list"], [""], ["configmaps"])],
          }),
        },
      );
      await eventually(
        policy,
        async () =>
          !(await rbac.authorize(getConfigMaps(alice, "x", "z"))).allowed,
      );
    });
  } finally {
    await policy.close();
    await factory.close();
  }
}

/**
 * A store whose first watch passes events through until `begin()`, then
 * delivers nothing (an outage: those changes are lost) until `fail()` ends it
 * with 410 Expired.
 */
function withOutage(store: Store) {
  const begun = Promise.withResolvers<null>();
  const failed = Promise.withResolvers<void>();
  const proxy = withFirstWatch(store, async function* (inner) {
    const it = inner[Symbol.asyncIterator]();
    for (;;) {
      const r = await Promise.race([it.next(), begun.promise]);
      if (r === null || r.done) break;
      yield r.value;
    }
    await failed.promise;
    inner.stop();
    yield { type: "ERROR", error: expired(1, 2) };
  });
  return {
    store: proxy,
    begin: () => begun.resolve(null),
    fail: () => failed.resolve(),
  };
}

Deno.test("a watch gap makes loaded clusters load again: changes lost in it are seen", async () => {
  const { factory, stores } = openStores();
  await put(stores, "clusterroles", "root", reader);
  await put(
    stores,
    "clusterrolebindings",
    "root",
    clusterBinding("a", "reader", [userSubject("alice")]),
  );
  const outage = withOutage(stores.clusterrolebindings);
  const policy = new StoreBackedPolicy({
    stores: { ...stores, clusterrolebindings: outage.store },
    retryDelayMs: 5,
  });
  const rbac = new RbacAuthorizer(policy);
  try {
    await policy.start();
    assert.equal(
      (await rbac.authorize(getConfigMaps(alice, "root", "n"))).allowed,
      true,
    );
    outage.begin();
    // Changes the failing watch never delivers:
    await stores.clusterrolebindings.delete(
      keyOf("clusterrolebindings", "root", clusterBinding("a", "reader", [])),
    );
    await put(
      stores,
      "clusterrolebindings",
      "root",
      clusterBinding("b", "reader", [userSubject("bob")]),
    );
    assert.equal(
      (await rbac.authorize(getConfigMaps(alice, "root", "n"))).allowed,
      true,
      "stale until the gap is known",
    );
    outage.fail();
    await eventually(
      policy,
      async () =>
        (await rbac.authorize(getConfigMaps(bob, "root", "n"))).allowed,
    );
    assert.equal(
      (await rbac.authorize(getConfigMaps(alice, "root", "n"))).allowed,
      false,
    );
    // And the new watch is followed.
    await put(
      stores,
      "clusterrolebindings",
      "root",
      clusterBinding("c", "reader", [userSubject("carol")]),
    );
    const carol = { username: "carol", groups: [] };
    await eventually(
      policy,
      async () =>
        (await rbac.authorize(getConfigMaps(carol, "root", "n"))).allowed,
    );
  } finally {
    await policy.close();
    await factory.close();
  }
});

Deno.test("closing before the first load rejects ready()", async () => {
  const { factory, stores } = openStores();
  const controller = new AbortController();
  controller.abort();
  const policy = new StoreBackedPolicy({ stores, signal: controller.signal });
  try {
    await assert.rejects(policy.start(), /closed/);
  } finally {
    await policy.close();
    await factory.close();
  }
});

Deno.test("a watcher sees each aggregated role after the roles it aggregates", async () => {
  // The aggregation controller aggregates what its informer holds: seeing
  // `admin` before `edit` and `system:aggregate-to-admin` made it write
  // `admin` with no rules in every new virtual cluster, then again as the
  // rest arrived (nine writes, the roles stripped meanwhile).
  const { factory, stores } = openStores(true);
  const watcher = await stores.clusterroles.watch(
    clusterPrefix({
      group: RBAC_GROUP,
      resource: "clusterroles",
      cluster: "c1",
    }),
    { recursive: true, resourceVersion: "0" },
  );
  try {
    await reconcileBootstrapPolicy({ stores, cluster: "c1" });
    const seen: ClusterRoleObject[] = [];
    const total = bootstrapPolicy().clusterRoles.length;
    for await (const ev of watcher) {
      if (ev.type === "ADDED") seen.push(ev.object as ClusterRoleObject);
      if (seen.length === total) break;
    }
    for (const [i, role] of seen.entries()) {
      const earlier = seen.slice(0, i);
      for (const source of aggregationSources(role, seen)) {
        assert.ok(
          earlier.includes(source),
          `${role.metadata.name} was seen before ${source.metadata.name}`,
        );
      }
    }
    const names = seen.map((r) => r.metadata.name);
    assert.ok(names.indexOf("edit") < names.indexOf("admin"));
  } finally {
    watcher.stop();
    await factory.close();
  }
});

Deno.test("the bootstrap policy is reconciled into a cluster's storage", async (t) => {
  const { factory, stores } = openStores();
  const policy = new StoreBackedPolicy({ stores });
  const rbac = new RbacAuthorizer(policy);
  try {
    await policy.start();
    await t.step(
      "a first run creates every object, shaped as the API stores it",
      async () => {
        const r = await reconcileBootstrapPolicy({ stores, cluster: "c1" });
        assert.ok(r.created.includes("clusterroles/cluster-admin"));
        assert.ok(
          r.created.includes(
            "rolebindings/kube-system/system::leader-locking-kube-controller-manager",
          ),
        );
        assert.deepEqual([r.updated, r.skipped], [[], []]);
        const view = await stores.clusterroles.get(
          keyOf("clusterroles", "c1", { metadata: { name: "view" } }),
        ) as ClusterRoleObject;
        assert.equal(view.apiVersion, "rbac.authorization.k8s.io/v1");
        assert.equal(view.kind, "ClusterRole");
        assert.match(view.metadata.uid ?? "", /^[0-9a-f-]{36}$/);
        assert.ok(view.metadata.creationTimestamp);
        assert.ok(view.metadata.resourceVersion);
        assert.ok(
          (view.rules ?? []).length > 0,
          "view is aggregated at creation",
        );
      },
    );
    await t.step(
      "the reconciled policy is enforced in that cluster only",
      async () => {
        const discovery = (cluster: string): AuthorizationAttributes => ({
          user: alice,
          cluster,
          verb: "get",
          isResourceRequest: false,
          path: "/apis",
        });
        await eventually(
          policy,
          async () => (await rbac.authorize(discovery("c1"))).allowed,
        );
        assert.equal((await rbac.authorize(discovery("c2"))).allowed, false);
      },
    );
    await t.step("a second run changes nothing", async () => {
      const r = await reconcileBootstrapPolicy({ stores, cluster: "c1" });
      assert.deepEqual(r, { created: [], updated: [], skipped: [] });
    });
    await t.step(
      "missing rules and subjects are added back, local additions kept",
      async () => {
        const key = keyOf("clusterroles", "c1", {
          metadata: { name: "system:basic-user" },
        });
        await stores.clusterroles.guaranteedUpdate(key, {
          tryUpdate: (cur) => ({
            ...cur!,
            rules: [rule(["get"], [""], ["configmaps"])],
          }),
        });
        const bkey = keyOf("clusterrolebindings", "c1", {
          metadata: { name: "system:basic-user" },
        });
        await stores.clusterrolebindings.guaranteedUpdate(bkey, {
          tryUpdate: (cur) => ({ ...cur!, subjects: [userSubject("extra")] }),
        });
        const r = await reconcileBootstrapPolicy({ stores, cluster: "c1" });
        assert.deepEqual(r.updated.sort(), [
          "clusterrolebindings/system:basic-user",
          "clusterroles/system:basic-user",
        ]);
        const role = await stores.clusterroles.get(key) as ClusterRoleObject;
        assert.equal(role.rules?.length, 3);
        assert.deepEqual(role.rules?.[0], rule(["get"], [""], ["configmaps"]));
        const b = await stores.clusterrolebindings.get(bkey);
        assert.deepEqual(
          (b.subjects as { name: string }[]).map((s) => s.name),
          ["extra", "system:authenticated"],
        );
      },
    );
    await t.step(
      "a lost label or aggregation selector is added back, nothing else changes",
      async () => {
        const key = keyOf("clusterroles", "c1", { metadata: { name: "view" } });
        const before = await stores.clusterroles.get(key) as ClusterRoleObject;
        assert.ok(before.aggregationRule?.clusterRoleSelectors?.length);
        await stores.clusterroles.guaranteedUpdate(key, {
          tryUpdate: (cur) => ({
            ...cur!,
            metadata: { ...cur!.metadata, labels: {} },
            aggregationRule: { clusterRoleSelectors: [] },
          }),
        });
        const r = await reconcileBootstrapPolicy({ stores, cluster: "c1" });
        assert.deepEqual(r.updated, ["clusterroles/view"]);
        const after = await stores.clusterroles.get(key) as ClusterRoleObject;
        assert.deepEqual(after.metadata.labels, before.metadata.labels);
        assert.deepEqual(after.aggregationRule, before.aggregationRule);
        assert.deepEqual(after.rules, before.rules);
      },
    );
    await t.step(
      "objects annotated autoupdate=false are left alone",
      async () => {
        const key = keyOf("clusterroles", "c1", {
          metadata: { name: "system:discovery" },
        });
        await stores.clusterroles.guaranteedUpdate(key, {
          tryUpdate: (cur) => ({
            ...cur!,
            metadata: {
              ...cur!.metadata,
              annotations: {
                "rbac.authorization.kubernetes.io/autoupdate": "false",
              },
            },
            rules: [],
          }),
        });
        const r = await reconcileBootstrapPolicy({ stores, cluster: "c1" });
        assert.deepEqual(r, {
          created: [],
          updated: [],
          skipped: ["clusterroles/system:discovery"],
        });
      },
    );
    await t.step("a binding whose roleRef changed is recreated", async () => {
      const key = keyOf("clusterrolebindings", "c1", {
        metadata: { name: "system:monitoring" },
      });
      await stores.clusterrolebindings.guaranteedUpdate(key, {
        tryUpdate: (cur) => ({
          ...cur!,
          roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: "view" },
        }),
      });
      const r = await reconcileBootstrapPolicy({ stores, cluster: "c1" });
      assert.deepEqual(r.created, ["clusterrolebindings/system:monitoring"]);
      const b = await stores.clusterrolebindings.get(key);
      assert.equal((b.roleRef as { name: string }).name, "system:monitoring");
    });
    await t.step("a prepare callback shapes new objects", async () => {
      const seen: string[] = [];
      await reconcileBootstrapPolicy({
        stores,
        cluster: "c3",
        prepare: (obj, resource) => {
          seen.push(resource);
          obj.metadata.uid = "u";
          return obj;
        },
      });
      assert.ok(seen.includes("roles") && seen.includes("clusterrolebindings"));
    });
    await t.step(
      "with restamp, each object is prepared once and later copies get their own identity",
      async () => {
        let prepares = 0;
        const prepare = (obj: KubeObject) => {
          prepares++;
          obj.metadata.uid = "prepared";
          obj.metadata.labels = { ...obj.metadata.labels, prepared: "yes" };
          return obj;
        };
        let n = 0;
        const restamp = (obj: KubeObject) => {
          obj.metadata.uid = `copy-${++n}`;
          return obj;
        };
        const a = await reconcileBootstrapPolicy({
          stores,
          cluster: "r1",
          prepare,
          restamp,
        });
        assert.equal(prepares, a.created.length);
        const b = await reconcileBootstrapPolicy({
          stores,
          cluster: "r2",
          prepare,
          restamp,
        });
        assert.equal(prepares, a.created.length);
        assert.equal(n, b.created.length);
        const key = (c: string) =>
          keyOf("clusterroles", c, { metadata: { name: "view" } });
        const v1 = await stores.clusterroles.get(key("r1"));
        const v2 = await stores.clusterroles.get(key("r2"));
        assert.equal(v1.metadata.uid, "prepared");
        assert.match(v2.metadata.uid ?? "", /^copy-/);
        assert.equal(v2.metadata.labels?.prepared, "yes");
        assert.deepEqual(v2.rules, v1.rules);
      },
    );
  } finally {
    await policy.close();
    await factory.close();
  }
});

Deno.test("a cluster is indexed on first use; a change made while it is listed is applied after the list", async () => {
  const { factory, stores } = openStores(true);
  await put(stores, "clusterroles", "x", reader);
  await put(stores, "clusterroles", "idle", reader);
  const listed = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  // The rolebindings list of cluster x returns only after `release`: it was
  // read before the write below, which must then come from the watch.
  const slowList = new Proxy(stores.rolebindings, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== "list") {
        return typeof v === "function" ? v.bind(target) : v;
      }
      return async (key: string, opts: Parameters<Store["list"]>[1]) => {
        const out = await target.list(key, opts);
        if (key.includes("/clusters/x/")) {
          listed.resolve();
          await release.promise;
        }
        return out;
      };
    },
  });
  const policy = new StoreBackedPolicy({
    stores: { ...stores, rolebindings: slowList },
  });
  const rbac = new RbacAuthorizer(policy);
  try {
    await policy.start();
    assert.equal(policy.policyFor("x"), undefined, "nothing indexed at start");
    const decision = rbac.authorize(getConfigMaps(alice, "x", "a"));
    await listed.promise;
    await put(
      stores,
      "rolebindings",
      "x",
      binding("a", "alice", "ClusterRole", "reader", [userSubject("alice")]),
    );
    // The watch has delivered it (buffered) once the cache has it.
    await stores.rolebindings.list(
      clusterPrefix({
        group: RBAC_GROUP,
        resource: "rolebindings",
        cluster: "x",
      }),
      { recursive: true },
    );
    await new Promise((r) => setTimeout(r, 20));
    release.resolve();
    // The list did not hold the binding; the watch event, buffered while
    // listing, is applied before the first decision.
    assert.equal((await decision).allowed, true);
    assert.equal(
      policy.policyFor("idle"),
      undefined,
      "an unused cluster stays unindexed",
    );
    // A cluster without RBAC objects is denied and not kept.
    const nowhere = await rbac.authorize(getConfigMaps(alice, "nowhere", "a"));
    assert.equal(nowhere.allowed, false);
    assert.equal(policy.policyFor("nowhere"), undefined);
    assert.ok(policy.ensure("nowhere"), "listed again on its next use");
  } finally {
    await policy.close();
    await factory.close();
  }
});
