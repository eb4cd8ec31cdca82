import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { silentLogger } from "../../log/mod.ts";
import {
  ALL_CLUSTERS,
  ApiClient,
  CORE,
  inProcessTransport,
} from "../client/mod.ts";
import { Informer, objectKeyOf } from "./informer.ts";
import { InformerFactory } from "./informer_factory.ts";

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(cond(), "condition not reached");
}

for (const streamingList of [true, false]) {
  Deno.test(`an informer (${streamingList ? "streaming list" : "list + watch"}) sees existing objects, then adds, updates and deletes`, async () => {
    const server = await startTestServer();
    const client = new ApiClient(inProcessTransport(server.api.handler));
    const path = "/api/v1/namespaces/default/configmaps";
    await server.request("POST", path, { body: configMap("before") });
    const informer = new Informer({
      client,
      target: { cluster: "root", resource: CORE.configmaps },
      logger: silentLogger,
      streamingList,
    });
    const seen: string[] = [];
    informer.addHandler({
      onAdd: (o: KubeObject) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_: KubeObject, o: KubeObject) =>
        seen.push(`update ${o.metadata.name}`),
      onDelete: (o: KubeObject) => seen.push(`delete ${o.metadata.name}`),
    });
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await informer.waitForSync();
    assert.ok(informer.get("default/before"));
    await server.request("POST", path, { body: configMap("after") });
    await server.request("PUT", `${path}/after`, {
      body: configMap("after", { a: "1" }),
    });
    await server.request("DELETE", `${path}/before`);
    await until(() => seen.length === 4);
    assert.deepEqual(seen, [
      "add before",
      "add after",
      "update after",
      "delete before",
    ]);
    assert.deepEqual(informer.list().map((o) => o.metadata.name), ["after"]);
    stop.abort();
    await running;
    await server.close();
  });
}

Deno.test("an informer only sees its namespace and field selector", async () => {
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(server.api.handler));
  await server.request("POST", "/api/v1/namespaces/default/configmaps", {
    body: configMap("a"),
  });
  await server.request("POST", "/api/v1/namespaces/default/configmaps", {
    body: configMap("b"),
  });
  await server.request("POST", "/api/v1/namespaces/kube-system/configmaps", {
    body: configMap("a"),
  });
  const informer = new Informer({
    client,
    target: {
      cluster: "root",
      resource: CORE.configmaps,
      namespace: "default",
    },
    fieldSelector: "metadata.name=a",
    logger: silentLogger,
  });
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  await informer.waitForSync();
  assert.deepEqual(informer.list().map((o) => o.metadata.namespace), [
    "default",
  ]);
  stop.abort();
  await running;
  await server.close();
});

Deno.test("a metadata informer keeps apiVersion, kind and metadata without managedFields", async () => {
  const server = await startTestServer();
  // What the informer asks for, and what it is sent.
  const accepts = new Set<string>();
  const kinds = new Set<string>();
  // Lists come as bytes, watch events in-process as objects.
  const client = new ApiClient(inProcessTransport(async (req, ctx) => {
    accepts.add(req.headers.get("accept") ?? "");
    const sink = ctx.watchEvents;
    const res = await server.api.handler(req, {
      ...ctx,
      watchEvents: sink && ((events) => {
        const [a, b] = events.tee();
        (async () => {
          for await (const ev of a) {
            kinds.add((ev.object as { kind: string }).kind);
          }
        })().catch(() => {});
        sink(b);
      }),
    });
    if (!res.body) return res;
    const [a, b] = res.body.tee();
    (async () => {
      for await (const chunk of a.pipeThrough(new TextDecoderStream())) {
        for (const m of chunk.matchAll(/"kind":"(\w+)"/g)) kinds.add(m[1]);
      }
    })().catch(() => {});
    return new Response(b, res);
  }));
  await server.request("POST", "/api/v1/namespaces/default/configmaps", {
    body: configMap("a", { big: "x".repeat(1000) }, {
      metadata: { labels: { app: "a" }, finalizers: ["example.com/keep"] },
    }),
  });
  const informer = new Informer({
    client,
    target: { cluster: "root", resource: CORE.configmaps },
    metadataOnly: true,
    logger: silentLogger,
  });
  const added: KubeObject[] = [];
  informer.addHandler({ onAdd: (o) => added.push(o) });
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  await informer.waitForSync();
  const got = informer.get("default/a")!;
  assert.deepEqual(Object.keys(got).sort(), ["apiVersion", "kind", "metadata"]);
  assert.equal(got.kind, "ConfigMap");
  assert.equal(got.metadata.managedFields, undefined);
  assert.deepEqual(got.metadata.labels, { app: "a" });
  assert.deepEqual(got.metadata.finalizers, ["example.com/keep"]);
  assert.ok(got.metadata.uid);
  assert.equal(added[0], got);
  // Later events are projected too.
  await server.request("PUT", "/api/v1/namespaces/default/configmaps/a", {
    body: configMap("a", { big: "y" }, {
      metadata: { labels: { app: "b" }, finalizers: ["example.com/keep"] },
    }),
  });
  await until(() => informer.get("default/a")?.metadata.labels?.app === "b");
  assert.equal(informer.get("default/a")!.data, undefined);
  assert.equal(informer.get("default/a")!.kind, "ConfigMap");
  // It asked for PartialObjectMetadata (with a plain fallback), and got it:
  // no ConfigMap crossed the API.
  assert.deepEqual([...accepts], [
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json",
  ]);
  assert.ok(kinds.has("PartialObjectMetadata"));
  assert.ok(!kinds.has("ConfigMap"), [...kinds].join());
  stop.abort();
  await running;
  await server.close();
});

Deno.test("an informer's first sync lets timers run between its events", async () => {
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(server.api.handler));
  for (const name of ["a", "b", "c"]) {
    await server.request("POST", "/api/v1/namespaces/default/configmaps", {
      body: configMap(name),
    });
  }
  const informer = new Informer({
    client,
    target: { cluster: "root", resource: CORE.configmaps },
    yieldEveryMs: 0, // hand the loop back after every event
    logger: silentLogger,
  });
  let syncedWhenTimerRan: boolean | undefined;
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  setTimeout(() => syncedWhenTimerRan = informer.hasSynced, 0);
  await informer.waitForSync();
  await until(() => syncedWhenTimerRan !== undefined);
  assert.equal(syncedWhenTimerRan, false);
  stop.abort();
  await running;
  await server.close();
});

Deno.test("an informer's transform reshapes every object it keeps; the factory shares by transform name", async () => {
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(server.api.handler));
  await server.request("POST", "/api/v1/namespaces/default/configmaps", {
    body: configMap("a", { k: "1" }),
  });
  const upper = {
    name: "upper",
    apply: (o: KubeObject): KubeObject => ({
      ...o,
      data: { k: String((o.data as { k: string }).k).toUpperCase() + "!" },
    }),
  };
  const factory = new InformerFactory(client, silentLogger);
  const target = { cluster: "root", resource: CORE.configmaps };
  const informer = factory.informer({ target, transform: upper });
  assert.equal(factory.informer({ target, transform: upper }), informer);
  assert.notEqual(factory.informer({ target }), informer);
  const seen: unknown[] = [];
  informer.addHandler({
    onAdd: (o) => seen.push(o.data),
    onUpdate: (_, o) => seen.push(o.data),
  });
  const stop = new AbortController();
  const running = factory.run(stop.signal);
  await informer.waitForSync();
  assert.deepEqual(informer.get("default/a")!.data, { k: "1!" });
  await server.request("PUT", "/api/v1/namespaces/default/configmaps/a", {
    body: configMap("a", { k: "b" }),
  });
  await until(() => seen.length === 2);
  assert.deepEqual(seen, [{ k: "1!" }, { k: "B!" }]);
  stop.abort();
  await running;
  await server.close();
});

Deno.test("a metadata informer is fed by a whole-object informer of its target (no watch of its own), also after that one is released", async () => {
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(server.api.handler));
  const path = "/api/v1/namespaces/default/configmaps";
  await server.request("POST", path, { body: configMap("a", { k: "1" }) });
  const keep = {
    name: "keep",
    keepsMetadata: true,
    apply: (o: KubeObject): KubeObject => ({ ...o, data: { kept: "yes" } }),
  };
  const factory = new InformerFactory(client, silentLogger);
  const target = { cluster: "root", resource: CORE.configmaps };
  const stop = new AbortController();
  const running = factory.run(stop.signal);
  const whole = factory.informer({ target, transform: keep });
  await whole.waitForSync();
  // Asked for after the whole-object one synced: starts with its objects.
  const meta = factory.informer({ target, metadataOnly: true });
  assert.equal(whole.derivedCount, 1);
  assert.equal(meta.hasSynced, true);
  const a = meta.get("default/a")!;
  assert.equal(a.data, undefined);
  assert.equal(a.metadata.name, "a");
  assert.equal(a.metadata.managedFields, undefined);
  // A transform that may change metadata feeds no metadata informer.
  const opaque = { name: "opaque", apply: (o: KubeObject) => o };
  factory.informer({ target: { ...target, namespace: "default" } });
  factory.informer({ target, transform: opaque });
  assert.equal(whole.derivedCount, 1);
  const seen: string[] = [];
  meta.addHandler({
    onAdd: (o) => seen.push(`add ${o.metadata.name} ${o.data}`),
    onUpdate: (_, o) => seen.push(`update ${o.metadata.labels?.v}`),
    onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  await server.request("POST", path, { body: configMap("b") });
  await server.request("PUT", `${path}/a`, {
    body: {
      ...configMap("a", { k: "2" }),
      metadata: { name: "a", labels: { v: "2" } },
    },
  });
  await until(() => seen.length === 3);
  assert.equal(meta.lastResourceVersion, whole.lastResourceVersion);
  // The whole-object informer released: it runs on while it feeds.
  await factory.release({ target, transform: keep });
  await server.request("DELETE", `${path}/b`);
  await until(() => seen.length === 4);
  assert.deepEqual(seen, [
    "add a undefined",
    "add b undefined",
    "update 2",
    "delete b",
  ]);
  assert.deepEqual(meta.list().map((o) => o.metadata.name), ["a"]);
  await factory.release({ target, metadataOnly: true });
  assert.equal(whole.derivedCount, 0);
  stop.abort();
  await running;
  await server.close();
});

Deno.test("the factory's synced() waits for every informer it holds, also one made a turn later", async () => {
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(server.api.handler));
  await server.request("POST", "/api/v1/namespaces/default/configmaps", {
    body: configMap("a", { k: "1" }),
  });
  const factory = new InformerFactory(client, silentLogger);
  const stop = new AbortController();
  const running = factory.run(stop.signal);
  const first = factory.informer({
    target: { cluster: "root", resource: CORE.configmaps },
  });
  let later: Informer | undefined;
  // Made a turn later, as a controller that discovers resources first does.
  setTimeout(() => {
    later = factory.informer({
      target: { cluster: "root", resource: CORE.namespaces },
    });
  }, 0);
  await factory.synced(stop.signal);
  assert.equal(first.hasSynced, true);
  assert.equal(later?.hasSynced, true);
  stop.abort();
  await running;
  // An aborted wait ends at once.
  await factory.synced(stop.signal);
  await server.close();
});

Deno.test("an informer's get takes objectKeyOf's keys: cluster|namespace/name across clusters, a name with | in one cluster", async () => {
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(server.api.handler));
  for (const c of ["a", "b"]) {
    await server.request(
      "POST",
      `/clusters/${c}/api/v1/namespaces/default/configmaps`,
      { body: configMap("same", { from: c }) },
    );
  }
  const roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
  assert.equal(
    (await server.request("POST", roles, {
      body: { metadata: { name: "a|b" }, rules: [] },
    })).status,
    201,
  );
  const across = new Informer({
    client,
    target: { cluster: ALL_CLUSTERS, resource: CORE.configmaps },
    logger: silentLogger,
  });
  const inRoot = new Informer({
    client,
    target: {
      cluster: "root",
      resource: {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        resource: "clusterroles",
        kind: "ClusterRole",
      },
    },
    logger: silentLogger,
  });
  const stop = new AbortController();
  const running = [across.run(stop.signal), inRoot.run(stop.signal)];
  await across.waitForSync();
  await inRoot.waitForSync();
  for (const c of ["a", "b"]) {
    const got = across.get(`${c}|default/same`);
    assert.equal((got?.data as Record<string, string>).from, c);
    assert.equal(objectKeyOf(got!), `${c}|default/same`);
  }
  assert.equal(across.get("c|default/same"), undefined);
  assert.equal(inRoot.get("a|b")?.metadata.name, "a|b");
  stop.abort();
  await Promise.all(running);
  await server.close();
});
