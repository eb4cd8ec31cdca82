/**
 * End-to-end RBAC with the real kubectl (v1.35 and the preinstalled v1.32)
 * and helm v4 against a real `hyperplane server` (SQLite): a service account
 * granted a Role can do exactly that; `kubectl auth can-i --list` shows its
 * rules; the aggregated `edit` role works through a RoleBinding; a user
 * cannot grant more than it holds; RBAC of one virtual cluster grants
 * nothing in another; helm installs a chart as a namespace admin.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  projectRoot,
  runTool,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

const CHART = `${projectRoot()}/tests/testdata/charts/team-app`;

const READER_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-reader, namespace: team}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
`;

const SECRETS_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: team}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
`;

Deno.test("RBAC decides what a service account may do, per namespace and per virtual cluster", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "RBAC e2e")) return;
  await using server = await startServer();
  const admin = kubectlFor(tools!.kubectl, server);
  const kubectls: [string, Kubectl][] = [["v1.35", admin]];
  if (tools!.systemKubectl) {
    kubectls.push(["v1.32", kubectlFor(tools!.systemKubectl, server)]);
  } else {
    console.error("SKIPPED: preinstalled kubectl v1.32 not found");
  }
  await admin(["create", "namespace", "team"]);
  await admin(["create", "serviceaccount", "ci", "-n", "team"]);
  await admin(["apply", "-f", "-"], { stdin: READER_ROLE });
  await admin([
    "create",
    "rolebinding",
    "ci-reads",
    "-n",
    "team",
    "--role=cm-reader",
    "--serviceaccount=team:ci",
  ]);
  await admin(["create", "configmap", "settings", "-n", "team"]);
  const token =
    (await admin(["create", "token", "ci", "-n", "team", "--duration=30m"]))
      .stdout.trim();
  const as = (k: Kubectl, args: string[]) =>
    k(["--token", token, ...args], { check: false });

  for (const [version, k] of kubectls) {
    await t.step(`${version}: the role's verbs and nothing else`, async () => {
      const list = await as(k, ["get", "configmaps", "-n", "team"]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /settings/);
      const secrets = await as(k, ["get", "secrets", "-n", "team"]);
      assert.notEqual(secrets.code, 0);
      assert.match(
        secrets.stderr,
        /secrets is forbidden: User "system:serviceaccount:team:ci" cannot list resource "secrets" in API group "" in the namespace "team"/,
      );
      const other = await as(k, ["get", "configmaps", "-n", "default"]);
      assert.notEqual(other.code, 0);
      assert.match(other.stderr, /in the namespace "default"/);
      const create = await as(k, ["create", "configmap", "x", "-n", "team"]);
      assert.notEqual(create.code, 0);
      assert.match(create.stderr, /cannot create resource "configmaps"/);
    });

    await t.step(`${version}: auth can-i --list shows the rules`, async () => {
      const out = await as(k, ["auth", "can-i", "--list", "-n", "team"]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(
        out.stdout,
        /^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m,
      );
      assert.doesNotMatch(out.stdout, /^secrets/m);
      const yes = await as(k, [
        "auth",
        "can-i",
        "watch",
        "configmaps",
        "-n",
        "team",
      ]);
      assert.equal(yes.stdout.trim(), "yes");
      const no = await as(k, ["auth", "can-i", "get", "secrets", "-n", "team"]);
      assert.equal(no.stdout.trim(), "no");
    });
  }

  await t.step(
    "edit, bound through a RoleBinding, works by aggregation",
    async () => {
      await admin([
        "create",
        "rolebinding",
        "ci-edits",
        "-n",
        "team",
        "--clusterrole=edit",
        "--serviceaccount=team:ci",
      ]);
      let created = await as(admin, [
        "create",
        "configmap",
        "made-by-ci",
        "-n",
        "team",
      ]);
      for (let i = 0; i < 50 && created.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        created = await as(admin, [
          "create",
          "configmap",
          "made-by-ci",
          "-n",
          "team",
        ]);
      }
      assert.equal(created.code, 0, created.stderr);
      const rules = await admin([
        "get",
        "clusterrole",
        "edit",
        "-o",
        "jsonpath={.rules[*].resources}",
      ]);
      assert.match(rules.stdout, /configmaps/);
      // edit grants no RBAC writes: still no way to escalate through roles.
      const role = await as(admin, ["apply", "-f", "-"]);
      assert.notEqual(role.code, 0);
    },
  );

  await t.step("a user cannot grant permissions it does not hold", async () => {
    // Alice may manage roles and bindings in team (without escalate or
    // bind, which "*" would include), but reads no secrets.
    await admin(["apply", "-f", "-"], {
      stdin: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: role-manager, namespace: team}
rules:
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch, create, update, patch, delete]
`,
    });
    await admin([
      "create",
      "rolebinding",
      "alice-manages",
      "-n",
      "team",
      "--role=role-manager",
      "--user=alice",
    ]);
    let out = await admin(["--as", "alice", "apply", "-f", "-"], {
      stdin: SECRETS_ROLE,
      check: false,
    });
    for (
      let i = 0;
      i < 50 && /cannot get resource "roles"/.test(out.stderr);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      out = await admin(["--as", "alice", "apply", "-f", "-"], {
        stdin: SECRETS_ROLE,
        check: false,
      });
    }
    assert.notEqual(out.code, 0);
    assert.match(
      out.stderr,
      /roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "alice" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/,
    );
    // With the permissions (or escalate) it works.
    await admin(["apply", "-f", "-"], { stdin: SECRETS_ROLE });
    const bind = await admin([
      "--as",
      "alice",
      "create",
      "rolebinding",
      "ci-secrets",
      "-n",
      "team",
      "--role=secret-reader",
      "--serviceaccount=team:ci",
    ], { check: false });
    assert.notEqual(bind.code, 0);
    assert.match(bind.stderr, /is forbidden/);
    // A binding to a missing role is accepted (as upstream) and grants nothing.
    await admin([
      "create",
      "rolebinding",
      "dangling",
      "-n",
      "team",
      "--role=does-not-exist",
      "--serviceaccount=team:ci",
    ]);
  });

  await t.step(
    "RBAC of one virtual cluster grants nothing in another",
    async () => {
      await admin([
        "create",
        "clusterrolebinding",
        "alice-views",
        "--clusterrole=view",
        "--user=alice",
      ]);
      let here = await admin([
        "--as",
        "alice",
        "get",
        "configmaps",
        "-n",
        "default",
      ], { check: false });
      for (let i = 0; i < 50 && here.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        here = await admin([
          "--as",
          "alice",
          "get",
          "configmaps",
          "-n",
          "default",
        ], { check: false });
      }
      assert.equal(here.code, 0, here.stderr);
      const elsewhere = `${server.url}/clusters/other`;
      await admin(["create", "-f", "-"], {
        stdin:
          "apiVersion: tenancy.hyperplane.dev/v1alpha1\nkind: VirtualCluster\nmetadata: {name: other}\n",
      });
      await admin([
        "wait",
        "--for=jsonpath={.status.phase}=Ready",
        "virtualcluster/other",
        "--timeout=60s",
      ]);
      await admin(["--server", elsewhere, "get", "ns"]); // the cluster exists
      const there = await admin([
        "--server",
        elsewhere,
        "--as",
        "alice",
        "get",
        "configmaps",
        "-n",
        "default",
      ], { check: false });
      assert.notEqual(there.code, 0);
      assert.match(
        there.stderr,
        /User "alice" cannot list resource "configmaps"/,
      );
      const token = await admin([
        "--server",
        elsewhere,
        "--token",
        (await admin(["create", "token", "ci", "-n", "team"])).stdout.trim(),
        "get",
        "configmaps",
        "-n",
        "team",
      ], { check: false });
      assert.notEqual(token.code, 0);
    },
  );

  await t.step(
    "helm installs a chart as a service account bound to admin in one namespace",
    async () => {
      await admin(["create", "namespace", "apps"]);
      await admin(["create", "serviceaccount", "deployer", "-n", "apps"]);
      await admin([
        "create",
        "rolebinding",
        "deployer-admin",
        "-n",
        "apps",
        "--clusterrole=admin",
        "--serviceaccount=apps:deployer",
      ]);
      const deployer =
        (await admin(["create", "token", "deployer", "-n", "apps"]))
          .stdout.trim();
      const home = server.dataDir;
      const env = {
        HOME: home,
        HELM_CACHE_HOME: `${home}/.helm/cache`,
        HELM_CONFIG_HOME: `${home}/.helm/config`,
        HELM_DATA_HOME: `${home}/.helm/data`,
        KUBECONFIG: server.kubeconfigPath,
      };
      const helm = (args: string[]) =>
        runTool(tools!.helm, [...args, "--kube-token", deployer], {
          env,
          check: false,
        });
      let r = await helm(["install", "demo", CHART, "-n", "apps"]);
      for (
        let i = 0;
        i < 50 && r.code !== 0 && /forbidden/i.test(r.stderr);
        i++
      ) {
        await new Promise((res) => setTimeout(res, 100));
        r = await helm(["install", "demo", CHART, "-n", "apps"]);
      }
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /STATUS: deployed/);
      const cm = await admin([
        "get",
        "cm",
        "demo-config",
        "-n",
        "apps",
        "-o",
        "jsonpath={.data.greeting}",
      ]);
      assert.equal(cm.stdout, "hello");
      // The same account may not install into another namespace.
      const other = await helm(["install", "elsewhere", CHART, "-n", "team"]);
      assert.notEqual(other.code, 0);
      assert.match(other.stderr, /forbidden/i);
      const un = await helm(["uninstall", "demo", "-n", "apps"]);
      assert.equal(un.code, 0, un.stderr);
    },
  );
});
