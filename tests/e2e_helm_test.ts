/**
 * End-to-end: the real helm v4 installs, upgrades and uninstalls a chart
 * with a CRD (`crds/`), custom resources, a ConfigMap and a Secret against
 * a real `hyperplane server` (SQLite); kubectl v1.35 checks the result.
 */

import assert from "node:assert/strict";
import {
  kubeTools,
  projectRoot,
  runTool,
  skipWithoutKubeTools,
  type ToolResult,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

const CHART = `${projectRoot()}/tests/testdata/charts/crontab`;

type Tool = (args: string[], check?: boolean) => Promise<ToolResult>;

Deno.test("helm installs, upgrades and uninstalls a chart with a CRD", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "helm CRD chart e2e")) return;
  await using server = await startServer();
  const home = server.dataDir;
  const env = {
    HOME: home,
    HELM_CACHE_HOME: `${home}/.helm/cache`,
    HELM_CONFIG_HOME: `${home}/.helm/config`,
    HELM_DATA_HOME: `${home}/.helm/data`,
    KUBECONFIG: server.kubeconfigPath,
  };
  const helm: Tool = (args, check) =>
    runTool(tools!.helm, [...args, "-n", "default"], { env, check });
  const kubectl: Tool = (args, check) =>
    runTool(tools!.kubectl, ["-n", "default", ...args], { env, check });

  await t.step(
    "install creates the CRD, its objects and the rest",
    async () => {
      const r = await helm(["install", "demo", CHART]);
      assert.match(r.stdout, /STATUS: deployed/);
      const crd = await kubectl([
        "get",
        "crd",
        "crontabs.charts.example.com",
        "-o",
        "jsonpath={.status.conditions[?(@.type=='Established')].status}",
      ]);
      assert.equal(crd.stdout, "True");
      const tabs = await kubectl(["get", "crontabs.charts.example.com"]);
      assert.match(tabs.stdout, /^NAME\s+SCHEDULE\s+IMAGE\n/);
      assert.match(tabs.stdout, /demo-hourly\s+0 \* \* \* \*\s+cron:1\.0/);
      assert.match(tabs.stdout, /demo-nightly\s+0 2 \* \* \*\s+cron:1\.0/);
      const cm = await kubectl([
        "get",
        "configmap",
        "demo-config",
        "-o",
        "jsonpath={.data.greeting}",
      ]);
      assert.equal(cm.stdout, "hello");
      const secret = await kubectl([
        "get",
        "secret",
        "demo-secret",
        "-o",
        "jsonpath={.data.password}",
      ]);
      assert.equal(atob(secret.stdout), "s3cret");
    },
  );

  await t.step("upgrade changes, adds and removes objects", async () => {
    const r = await helm([
      "upgrade",
      "demo",
      CHART,
      "--set",
      "image=cron:2.0",
      "--set",
      "greeting=bye",
      "--set",
      "schedules[0].name=weekly",
      "--set",
      "schedules[0].cronSpec=0 3 * * 0",
    ]);
    assert.match(r.stdout, /STATUS: deployed/);
    assert.match(r.stdout, /REVISION: 2/);
    const tabs = await kubectl([
      "get",
      "crontabs.charts.example.com",
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.spec.image};{end}",
    ]);
    // `--set schedules[0]…` replaces the whole list (helm's rule): the two
    // old CronTabs go, one new comes.
    assert.equal(tabs.stdout, "demo-weekly=cron:2.0;");
    const cm = await kubectl([
      "get",
      "configmap",
      "demo-config",
      "-o",
      "jsonpath={.data.greeting}",
    ]);
    assert.equal(cm.stdout, "bye");
    const list = await helm(["list", "-o", "json"]);
    const releases = JSON.parse(list.stdout);
    assert.equal(releases[0].name, "demo");
    assert.equal(releases[0].revision, "2");
  });

  await t.step("uninstall removes everything but the CRD", async () => {
    const r = await helm(["uninstall", "demo"]);
    assert.match(r.stdout, /release "demo" uninstalled/);
    const tabs = await kubectl([
      "get",
      "crontabs.charts.example.com",
      "-o",
      "name",
    ]);
    assert.equal(tabs.stdout.trim(), "");
    const cm = await kubectl(["get", "configmap", "demo-config"], false);
    assert.notEqual(cm.code, 0);
    const secrets = await kubectl(["get", "secrets", "-o", "name"]);
    assert.doesNotMatch(secrets.stdout, /demo-secret|sh\.helm\.release/);
    const crd = await kubectl(["get", "crd", "crontabs.charts.example.com"]);
    assert.match(crd.stdout, /crontabs.charts.example.com/);
  });
});
