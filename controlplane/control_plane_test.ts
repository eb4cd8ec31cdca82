/**
 * createControlPlane: resource and controller choices, storage choices and
 * their errors, who closes what, the fetch handler and kubeconfigs.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  BUILTIN_RESOURCES,
  controllerPlan,
  createControlPlane,
  resolveResources,
  ResourceChoiceError,
  StorageConfigError,
} from "../mod.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { silentLogger } from "../log/mod.ts";

const ADMIN = (cp: { adminToken: string }) => ({
  authorization: `Bearer ${cp.adminToken}`,
});

Deno.test("built-in kinds are chosen by plural or plural.group; namespaces always come first", () => {
  const defs = resolveResources([
    "configmaps",
    "roles.rbac.authorization.k8s.io",
  ]);
  assert.deepEqual(defs.map((d) => d.plural), [
    "namespaces",
    "configmaps",
    "roles",
  ]);
  assert.equal(resolveResources().length, BUILTIN_RESOURCES.length);
});

Deno.test("an unknown or repeated resource choice is an error naming it", () => {
  assert.throws(() => resolveResources(["pods"]), ResourceChoiceError);
  // The core group's own name wins; the other group's needs its group.
  assert.deepEqual(
    resolveResources(["events", "events.events.k8s.io"]).map((d) => d.group),
    ["", "", "events.k8s.io"],
  );
  assert.throws(
    () => resolveResources(["configmaps", "configmaps"]),
    /chosen twice/,
  );
});

Deno.test("built-in controllers whose kinds are not served are left out", () => {
  const defs = resolveResources(["configmaps"]);
  assert.deepEqual(controllerPlan(undefined, defs).builtin.split(","), [
    "garbagecollector",
    "namespace",
    "root-ca-cert-publisher",
  ]);
  assert.equal(controllerPlan([], defs).builtin, "-*");
  assert.equal(
    controllerPlan("*,-garbagecollector", resolveResources()).builtin
      .includes("garbagecollector"),
    false,
  );
});

Deno.test("an unknown backend or backend flag fails the start with a clear message", async () => {
  await assert.rejects(
    createControlPlane({ storage: { backend: "nosuch" } }),
    (e) => e instanceof StorageConfigError && /known: .*memory/.test(e.message),
  );
  await assert.rejects(
    createControlPlane({
      storage: { backend: "memory", flags: { "memory-nope": "1" } },
    }),
    /has no flag "memory-nope"/,
  );
});

Deno.test("a store factory handed in is served and left open by close()", async () => {
  const factory = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  try {
    {
      await using cp = await createControlPlane({
        storage: factory,
        resources: ["configmaps"],
        controllers: [],
      });
      const res = await cp.handler(
        new Request("http://cp/api/v1/namespaces/default/configmaps", {
          method: "POST",
          headers: { ...ADMIN(cp), "content-type": "application/json" },
          body: JSON.stringify({ metadata: { name: "kept" } }),
        }),
      );
      assert.equal(res.status, 201);
      await res.body?.cancel();
    }
    const stored = await factory.storeFor({ resource: "configmaps" }).get(
      "/registry/configmaps/clusters/root/default/kept",
    );
    assert.equal(stored?.metadata.name, "kept");
  } finally {
    await factory.close();
  }
});

Deno.test("the temporary data directory is removed by close(); a given one is kept", async () => {
  const cp = await createControlPlane({ controllers: [] });
  const dir = cp.dataDir;
  assert.ok((await Deno.stat(`${dir}/auth/tokens.csv`)).isFile);
  await cp.close();
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
  await cp.close(); // idempotent

  const mine = await Deno.makeTempDir();
  try {
    const kept = await createControlPlane({ dataDir: mine, controllers: [] });
    await kept.close();
    assert.ok((await Deno.stat(`${mine}/auth/tokens.csv`)).isFile);
  } finally {
    await Deno.remove(mine, { recursive: true });
  }
});

Deno.test("the fetch handler serves health without credentials and refuses a bad token with 401", async () => {
  await using cp = await createControlPlane({
    resources: ["configmaps"],
    controllers: [],
  });
  const ready = await cp.handler(new Request("http://cp/readyz"));
  assert.equal(ready.status, 200);
  assert.equal(await ready.text(), "ok");
  const bad = await cp.handler(
    new Request("http://cp/api/v1/namespaces", {
      headers: { authorization: "Bearer nope" },
    }),
  );
  assert.equal(bad.status, 401);
  assert.equal((await bad.json()).reason, "Unauthorized");
  await cp.readiness();
});

Deno.test("kubeconfig needs serve(); a user's kubeconfig carries a client certificate the server accepts", async () => {
  await using cp = await createControlPlane({
    resources: ["configmaps"],
    controllers: [],
  });
  await assert.rejects(cp.kubeconfig(), /serve\(\) the control plane first/);
  const served = await cp.serve();
  await assert.rejects(cp.serve(), /already served/);
  const admin = await cp.kubeconfig();
  assert.match(admin, new RegExp(`server: ${served.url}`));
  assert.match(admin, /token: /);
  const alice = await cp.kubeconfig({ name: "alice", groups: ["devs"] });
  assert.match(alice, /client-certificate-data: /);
  assert.match(alice, /current-context: alice@root/);
  // deno-lint-ignore no-explicit-any
  const user = (parse(alice) as any).users[0].user;
  const client = Deno.createHttpClient({
    caCerts: [served.caCert!],
    cert: atob(user["client-certificate-data"]),
    key: atob(user["client-key-data"]),
  });
  try {
    const res = await fetch(
      `${served.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
      {
        client,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          apiVersion: "authentication.k8s.io/v1",
          kind: "SelfSubjectReview",
        }),
      },
    );
    assert.equal(res.status, 201);
    const info = (await res.json()).status.userInfo;
    assert.equal(info.username, "alice");
    assert.ok(info.groups.includes("devs"));
  } finally {
    client.close();
  }
});

Deno.test("tokens of authentication.tokens authenticate their users, and RBAC decides for them", async () => {
  await using cp = await createControlPlane({
    resources: ["configmaps"],
    controllers: [],
    authentication: {
      tokens: new Map([
        ["ops-token", { username: "ops", groups: ["system:masters"] }],
        ["dev-token", { username: "dev", groups: ["devs"] }],
      ]),
    },
  });
  const list = (token: string) =>
    cp.handler(
      new Request("http://cp/api/v1/namespaces/default/configmaps", {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
  const ops = await list("ops-token");
  assert.equal(ops.status, 200);
  await ops.body?.cancel();
  const dev = await list("dev-token");
  assert.equal(dev.status, 403);
  assert.match((await dev.json()).message, /"dev" cannot list/);
});

Deno.test("controllersSynced() resolves once the controllers' informers synced, and at close for controllers never started", async () => {
  {
    await using cp = await createControlPlane({
      storage: { backend: "memory" },
    });
    assert.ok(cp.controllers.length > 0);
    await cp.controllersSynced();
  }
  // Configured to be served, so its controllers start with serve(): closed
  // unserved, the promise still settles.
  const cp = await createControlPlane({
    storage: { backend: "memory" },
    serving: { port: 0 },
  });
  const synced = cp.controllersSynced();
  await cp.close();
  await synced;
});
