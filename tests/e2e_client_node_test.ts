/**
 * End-to-end: the `@kubernetes/client-node` (v2) informer against a real
 * `hyperplane server` on SQLite — list, then watch; adds, updates and deletes
 * arrive; after a server restart (same port, same data) the informer resumes
 * without announcing objects it already had.
 */

import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startServer, type TestServer } from "./support/server.ts";

/** One informer callback, as recorded by the test. */
interface Seen {
  verb: "add" | "update" | "delete" | "error" | "connect";
  name?: string;
  rv?: string;
  data?: Record<string, string>;
}

const WAIT_MS = 20_000;
const ROOT_CA = "kube-root-ca.crt";

/** Polls `ok` every 25 ms until it holds; fails with `what` after `ms`. */
async function waitFor(
  what: string,
  ok: () => boolean,
  ms = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function api(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await server.fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const out = await res.json();
  if (res.status >= 300) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
  }
  return out;
}

function record(informer: k8s.Informer<k8s.V1ConfigMap>, seen: Seen[]) {
  const push = (verb: Seen["verb"]) => (obj: k8s.V1ConfigMap) =>
    seen.push({
      verb,
      name: obj.metadata?.name,
      rv: obj.metadata?.resourceVersion,
      data: obj.data,
    });
  informer.on("add", push("add"));
  informer.on("update", push("update"));
  informer.on("delete", push("delete"));
  informer.on("connect", () => seen.push({ verb: "connect" }));
}

Deno.test({
  name:
    "the client-node informer sees adds, updates and deletes and resumes after a server restart",
  async fn(t) {
    const server = await startServer();
    let stopping = false;
    let stopInformer = async () => {};
    try {
      const ns = "informer";
      await api(server, "POST", "/api/v1/namespaces", {
        metadata: { name: ns },
      });
      await api(server, "POST", `/api/v1/namespaces/${ns}/configmaps`, {
        metadata: { name: "before" },
        data: { v: "0" },
      });

      const kc = new k8s.KubeConfig();
      kc.loadFromFile(server.kubeconfigPath);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const seen: Seen[] = [];
      const errors: unknown[] = [];
      let lists = 0;
      const informer = k8s.makeInformer<k8s.V1ConfigMap>(
        kc,
        `/api/v1/namespaces/${ns}/configmaps`,
        () => {
          lists++;
          return core.listNamespacedConfigMap({ namespace: ns });
        },
      );
      record(informer, seen);
      // The documented client-node pattern: the informer stops on a
      // connection error and the application restarts it. start() keeps
      // the last resourceVersion, so the watch resumes where it was.
      let restarting: Promise<void> | undefined;
      informer.on("error", (err) => {
        errors.push(err);
        if (stopping) return;
        restarting ??= (async () => {
          await new Promise((r) => setTimeout(r, 200));
          restarting = undefined;
          if (!stopping) await informer.start();
        })();
      });
      stopInformer = async () => {
        stopping = true;
        await restarting;
        await informer.stop();
      };
      // The root-ca-cert-publisher controller adds `kube-root-ca.crt` to
      // every namespace; the test counts only its own objects.
      const ours = (name?: string) => name !== ROOT_CA;
      const count = (verb: Seen["verb"], name?: string) =>
        seen.filter((s) =>
          s.verb === verb && ours(s.name) && (!name || s.name === name)
        ).length;

      await t.step("the initial list delivers existing objects", async () => {
        await informer.start();
        await waitFor("ADD of before", () => count("add", "before") === 1);
        assert.equal(informer.get("before", ns)?.data?.v, "0");
      });

      await t.step(
        "watch delivers an add, an update and a delete",
        async () => {
          await api(server, "POST", `/api/v1/namespaces/${ns}/configmaps`, {
            metadata: { name: "one" },
            data: { v: "1" },
          });
          await waitFor("ADD of one", () => count("add", "one") === 1);
          await api(
            server,
            "PUT",
            `/api/v1/namespaces/${ns}/configmaps/one`,
            { metadata: { name: "one" }, data: { v: "2" } },
          );
          await waitFor("UPDATE of one", () => count("update", "one") === 1);
          assert.equal(informer.get("one", ns)?.data?.v, "2");
          await api(
            server,
            "DELETE",
            `/api/v1/namespaces/${ns}/configmaps/one`,
          );
          await waitFor("DELETE of one", () => count("delete", "one") === 1);
          assert.equal(informer.get("one", ns), undefined);
        },
      );

      await t.step(
        "after a restart the informer resumes without duplicate adds",
        async () => {
          await api(server, "POST", `/api/v1/namespaces/${ns}/configmaps`, {
            metadata: { name: "kept" },
            data: { v: "k" },
          });
          await waitFor("ADD of kept", () => count("add", "kept") === 1);
          const connectsBefore = count("connect");
          const addsBefore = count("add");
          const listsBefore = lists;

          await server.restart();
          await api(server, "POST", `/api/v1/namespaces/${ns}/configmaps`, {
            metadata: { name: "after" },
            data: { v: "a" },
          });
          await api(
            server,
            "PUT",
            `/api/v1/namespaces/${ns}/configmaps/kept`,
            { metadata: { name: "kept" }, data: { v: "k2" } },
          );
          await api(
            server,
            "DELETE",
            `/api/v1/namespaces/${ns}/configmaps/before`,
          );
          await waitFor("ADD of after", () => count("add", "after") === 1);
          await waitFor("UPDATE of kept", () => count("update", "kept") === 1);
          await waitFor(
            "DELETE of before",
            () => count("delete", "before") === 1,
          );
          assert.ok(count("connect") > connectsBefore, "it reconnected");
          // Exactly one new ADD (for `after`): `kept` was not announced again.
          assert.equal(count("add") - addsBefore, 1, JSON.stringify(seen));
          assert.equal(count("add", "kept"), 1);
          assert.deepEqual(
            informer.list(ns).map((o) => o.metadata?.name).filter(ours)
              .sort(),
            ["after", "kept"],
          );
          assert.equal(informer.get("kept", ns)?.data?.v, "k2");
          console.error(
            `informer after restart: ${errors.length} error callback(s) ` +
              `(${errors.map(String).join("; ")}), ` +
              `${count("connect") - connectsBefore} reconnect(s), ` +
              `${lists - listsBefore} relist(s)`,
          );
        },
      );
    } finally {
      await stopInformer();
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "a label-selected client-node informer sees objects leave the selector as deletes and come back as adds",
  async fn() {
    const server = await startServer({ args: ["--storage-backend", "memory"] });
    let stopInformer = async () => {};
    try {
      const ns = "selected";
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      await api(server, "POST", "/api/v1/namespaces", {
        metadata: { name: ns },
      });
      const labelled = (app: string, v: string) => ({
        metadata: { name: "cm", labels: { app } },
        data: { v },
      });
      await api(server, "POST", path, labelled("demo", "1"));

      const kc = new k8s.KubeConfig();
      kc.loadFromFile(server.kubeconfigPath);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const seen: Seen[] = [];
      const informer = k8s.makeInformer<k8s.V1ConfigMap>(
        kc,
        path,
        () =>
          core.listNamespacedConfigMap({
            namespace: ns,
            labelSelector: "app=demo",
          }),
        "app=demo",
      );
      stopInformer = () => informer.stop();
      record(informer, seen);
      const verbs = () =>
        seen.filter((s) => s.verb !== "connect").map((s) =>
          `${s.verb}:${s.name}:${s.data?.v}`
        );
      await informer.start();
      await waitFor("the initial add", () => verbs().length === 1);

      await api(server, "PUT", `${path}/cm`, labelled("other", "2"));
      await waitFor("the delete", () => verbs().length === 2);
      assert.equal(informer.get("cm", ns), undefined);
      await api(server, "PUT", `${path}/cm`, labelled("demo", "3"));
      await waitFor("the add", () => verbs().length === 3);
      // The DELETE carries the last state that matched (as upstream).
      assert.deepEqual(verbs(), ["add:cm:1", "delete:cm:1", "add:cm:3"]);
      assert.equal(informer.get("cm", ns)?.data?.v, "3");
    } finally {
      await stopInformer();
      await server.stop();
    }
  },
});
