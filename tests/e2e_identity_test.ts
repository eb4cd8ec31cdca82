/**
 * Identity end to end with the real kubectl v1.35 against a real
 * `hyperplane server` (SQLite): `hyperplane kubeconfig` hands out a client
 * certificate for one virtual cluster (`kubectl auth whoami`); a CSR made
 * with openssl is created, approved and signed, and its certificate logs
 * in; TokenReview answers for service account tokens (per cluster, with
 * audiences); bad CSRs and approvals without permission are refused;
 * after the service account key file is replaced and the server restarted,
 * tokens of the old key still log in.
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

const DENO = Deno.execPath();

async function hyperplane(args: string[]) {
  return await runTool(DENO, [
    "run",
    "-A",
    `${projectRoot()}/main.ts`,
    ...args,
  ]);
}

Deno.test("identity: client certificates, CSRs and TokenReview with kubectl", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "identity e2e")) return;
  await using server = await startServer();
  const admin = kubectlFor(tools!.kubectl, server);
  const dir = server.dataDir;
  const as = (kubeconfigPath: string): Kubectl =>
    kubectlFor(tools!.kubectl, { kubeconfigPath, dataDir: dir });
  const teamA = (args: string[], opts?: Parameters<Kubectl>[1]) =>
    admin(["--server", `${server.url}/clusters/team-a`, ...args], opts);
  // Clusters are declared (the default `--virtual-clusters=declared`).
  await admin(["apply", "-f", "-"], {
    stdin:
      "apiVersion: tenancy.hyperplane.dev/v1alpha1\nkind: VirtualCluster\nmetadata: {name: team-a}\n",
  });
  await admin([
    "wait",
    "--for=jsonpath={.status.phase}=Ready",
    "virtualcluster/team-a",
    "--timeout=60s",
  ]);
  await teamA(["get", "namespaces"]);

  await t.step(
    "hyperplane kubeconfig: alice/dev in cluster team-a",
    async () => {
      await hyperplane([
        "kubeconfig",
        "--data-dir",
        dir,
        "--user",
        "alice",
        "--group",
        "dev",
        "--cluster",
        "team-a",
        "--output",
        `${dir}/alice.kubeconfig`,
      ]);
      assert.equal(
        (await Deno.stat(`${dir}/alice.kubeconfig`)).mode! & 0o777,
        0o600,
      );
      const alice = as(`${dir}/alice.kubeconfig`);
      const who = JSON.parse(
        (await alice(["auth", "whoami", "-o", "json"])).stdout,
      );
      assert.deepEqual(who.status.userInfo, {
        username: "alice",
        groups: ["dev", "system:authenticated"],
      });
      // RBAC of team-a decides: nothing granted yet.
      const denied = await alice(["get", "configmaps", "-n", "default"], {
        check: false,
      });
      assert.notEqual(denied.code, 0);
      assert.match(
        denied.stderr,
        /User "alice" cannot list resource "configmaps"/,
      );
      await admin([
        "--server",
        `${server.url}/clusters/team-a`,
        "create",
        "rolebinding",
        "dev-view",
        "-n",
        "default",
        "--clusterrole=view",
        "--group=dev",
      ]);
      const allowed = await alice(["get", "configmaps", "-n", "default"]);
      assert.equal(allowed.code, 0, allowed.stderr);
      // The same certificate in root: authenticated, but no grant there.
      const inRoot = await alice([
        "--server",
        server.url,
        "get",
        "configmaps",
        "-n",
        "default",
      ], { check: false });
      assert.match(inRoot.stderr, /forbidden/);
    },
  );

  const openssl = (args: string[]) => runTool("openssl", args, { cwd: dir });
  const csrYaml = (
    name: string,
    request: string,
    extra: Record<string, unknown> = {},
  ) =>
    JSON.stringify({
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name },
      spec: {
        request,
        signerName: "kubernetes.io/kube-apiserver-client",
        expirationSeconds: 3600,
        usages: ["client auth"],
        ...extra,
      },
    });
  const makeCsr = async (name: string, subject: string) => {
    await openssl([
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      subject,
    ]);
    return btoa(await Deno.readTextFile(`${dir}/${name}.csr`));
  };
  const waitFor = async (fn: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await fn()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const csrJson = async (name: string) =>
    JSON.parse((await teamA(["get", "csr", name, "-o", "json"])).stdout);

  if (!(await runTool("which", ["openssl"], { check: false })).code) {
    await t.step(
      "a CSR made with openssl, approved with kubectl, logs in",
      async () => {
        const request = await makeCsr("bob", "/CN=bob/O=qa");
        await teamA(["create", "-f", "-"], { stdin: csrYaml("bob", request) });
        const pending = await teamA(["get", "csr", "bob"]);
        assert.match(
          pending.stdout,
          /SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION/,
        );
        assert.match(
          pending.stdout,
          /bob\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+admin\s+60m\s+Pending/,
        );
        const approved = await teamA(["certificate", "approve", "bob"]);
        assert.match(approved.stdout, /approved/);
        await waitFor(
          async () => !!(await csrJson("bob")).status?.certificate,
          "the certificate",
        );
        const csr = await csrJson("bob");
        assert.equal(csr.spec.username, "admin");
        assert.deepEqual(
          csr.status.conditions.map((c: { type: string }) => c.type),
          ["Approved"],
        );
        assert.match(
          (await teamA(["get", "csr", "bob"])).stdout,
          /Approved,Issued/,
        );
        await Deno.writeTextFile(
          `${dir}/bob.crt`,
          atob(csr.status.certificate),
        );
        const end = await openssl([
          "x509",
          "-in",
          "bob.crt",
          "-noout",
          "-enddate",
          "-ext",
          "extendedKeyUsage",
        ]);
        const notAfter = Date.parse(end.stdout.match(/notAfter=(.*)/)![1]);
        const hours = (notAfter - Date.now()) / 3600_000;
        assert.ok(hours > 0.9 && hours <= 1, `lifetime ${hours} h`);
        assert.match(end.stdout, /TLS Web Client Authentication/);
        const kc = `${dir}/bob.kubeconfig`;
        const k = tools!.kubectl;
        const env = { HOME: dir };
        await runTool(k, [
          "--kubeconfig",
          kc,
          "config",
          "set-cluster",
          "team-a",
          `--server=${server.url}/clusters/team-a`,
          `--certificate-authority=${dir}/tls/ca.crt`,
        ], { env });
        await runTool(k, [
          "--kubeconfig",
          kc,
          "config",
          "set-credentials",
          "bob",
          `--client-certificate=${dir}/bob.crt`,
          `--client-key=${dir}/bob.key`,
          "--embed-certs",
        ], { env });
        await runTool(k, [
          "--kubeconfig",
          kc,
          "config",
          "set-context",
          "bob",
          "--cluster=team-a",
          "--user=bob",
        ], { env });
        await runTool(k, ["--kubeconfig", kc, "config", "use-context", "bob"], {
          env,
        });
        const who = JSON.parse(
          (await as(kc)(["auth", "whoami", "-o", "json"])).stdout,
        );
        assert.deepEqual(who.status.userInfo, {
          username: "bob",
          groups: ["qa", "system:authenticated"],
        });
      },
    );

    await t.step(
      "bad CSRs are refused with a clear 4xx and nothing is signed",
      async () => {
        const garbage = await teamA(["create", "-f", "-"], {
          stdin: csrYaml("garbage", btoa("not a certificate request")),
          check: false,
        });
        assert.notEqual(garbage.code, 0);
        assert.match(
          garbage.stderr,
          /is invalid: spec.request: Invalid value: "<binary>": PEM block type must be CERTIFICATE REQUEST/,
        );
        const request = await makeCsr("carol", "/CN=carol");
        const signer = await teamA(["create", "-f", "-"], {
          stdin: csrYaml("carol", request, {
            signerName: "kube-apiserver-client",
          }),
          check: false,
        });
        assert.match(
          signer.stderr,
          /spec.signerName: Invalid value: "kube-apiserver-client": must be a fully qualified domain and path/,
        );
        const short = await teamA(["create", "-f", "-"], {
          stdin: csrYaml("carol", request, { expirationSeconds: 300 }),
          check: false,
        });
        assert.match(
          short.stderr,
          /spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 600 seconds/,
        );
        const masters = await teamA(["create", "-f", "-"], {
          stdin: csrYaml(
            "masters",
            await makeCsr("masters", "/CN=eve/O=system:masters"),
          ),
          check: false,
        });
        assert.match(
          masters.stderr,
          /Forbidden|forbidden: use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/,
        );
        // Approved with a usage the signer refuses: Failed, no certificate.
        await teamA(["create", "-f", "-"], {
          stdin: csrYaml("server", await makeCsr("server", "/CN=srv"), {
            usages: ["server auth"],
          }),
        });
        await teamA(["certificate", "approve", "server"]);
        await waitFor(
          async () =>
            (await csrJson("server")).status?.conditions?.some((
              c: { type: string },
            ) => c.type === "Failed"),
          "the Failed condition",
        );
        const failed = await csrJson("server");
        assert.equal(failed.status.certificate, undefined);
        assert.match(
          failed.status.conditions.find((c: { type: string }) =>
            c.type === "Failed"
          ).message,
          /invalid usage for client certificate: server auth/,
        );
        // Self-approval without `approve` on the signer: alice may create
        // and update requests, and tries to approve her own: 403, pending.
        await teamA([
          "create",
          "clusterrole",
          "csr-updater",
          "--verb=create,get,list,update",
          "--resource=certificatesigningrequests,certificatesigningrequests/approval",
        ]);
        await teamA([
          "create",
          "clusterrolebinding",
          "alice-csr",
          "--clusterrole=csr-updater",
          "--user=alice",
        ]);
        const alice = as(`${dir}/alice.kubeconfig`);
        await alice(["create", "-f", "-"], {
          stdin: csrYaml("carol", request),
        });
        assert.equal((await csrJson("carol")).spec.username, "alice");
        const refused = await alice(["certificate", "approve", "carol"], {
          check: false,
        });
        assert.notEqual(refused.code, 0);
        assert.match(
          refused.stderr,
          /user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/,
        );
        await new Promise((r) => setTimeout(r, 300));
        const carol = await csrJson("carol");
        assert.equal(carol.status?.certificate, undefined);
        assert.equal(carol.status?.conditions, undefined);
        // Granted `approve` on the signer's domain, it works.
        await teamA(["create", "-f", "-"], {
          stdin: JSON.stringify({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "client-approver" },
            rules: [{
              apiGroups: ["certificates.k8s.io"],
              resources: ["signers"],
              resourceNames: ["kubernetes.io/*"],
              verbs: ["approve"],
            }],
          }),
        });
        await teamA([
          "create",
          "clusterrolebinding",
          "alice-approver",
          "--clusterrole=client-approver",
          "--user=alice",
        ]);
        await alice(["certificate", "approve", "carol"]);
        await waitFor(
          async () => !!(await csrJson("carol")).status?.certificate,
          "carol's certificate",
        );
      },
    );
  } else {
    console.error("SKIPPED: openssl not found; the CSR steps need it");
  }

  await t.step(
    "TokenReview: a service account token of the caller's cluster, with audiences",
    async () => {
      await teamA(["create", "serviceaccount", "hook", "-n", "default"]);
      const token = (await teamA([
        "create",
        "token",
        "hook",
        "-n",
        "default",
        "--audience",
        "vault",
        "--duration",
        "30m",
      ])).stdout.trim();
      await admin(["create", "serviceaccount", "other", "-n", "default"]);
      const foreign = (await admin([
        "create",
        "token",
        "other",
        "-n",
        "default",
        "--audience",
        "vault",
      ])).stdout.trim();
      const review = (tok: string, audiences?: string[]) =>
        JSON.stringify({
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenReview",
          spec: { token: tok, ...(audiences ? { audiences } : {}) },
        });
      const alice = as(`${dir}/alice.kubeconfig`);
      const denied = await alice(["create", "-f", "-", "-o", "json"], {
        stdin: review(token),
        check: false,
      });
      assert.match(denied.stderr, /cannot create resource "tokenreviews"/);
      await teamA([
        "create",
        "clusterrolebinding",
        "alice-delegator",
        "--clusterrole=system:auth-delegator",
        "--user=alice",
      ]);
      const ok = JSON.parse(
        (await alice(["create", "-f", "-", "-o", "json"], {
          stdin: review(token, ["vault"]),
        })).stdout,
      );
      assert.equal(ok.status.authenticated, true);
      assert.equal(
        ok.status.user.username,
        "system:serviceaccount:default:hook",
      );
      assert.deepEqual(ok.status.user.groups, [
        "system:serviceaccounts",
        "system:serviceaccounts:default",
        "system:authenticated",
      ]);
      assert.deepEqual(ok.status.audiences, ["vault"]);
      const wrongAudience = JSON.parse(
        (await alice(["create", "-f", "-", "-o", "json"], {
          stdin: review(token, ["other"]),
        })).stdout,
      );
      assert.equal(wrongAudience.status.authenticated, undefined);
      const other = JSON.parse(
        (await alice(["create", "-f", "-", "-o", "json"], {
          stdin: review(foreign, ["vault"]),
        })).stdout,
      );
      assert.equal(other.status.authenticated, undefined);
      assert.match(other.status.error, /not valid in this cluster/);
      const adminToken = JSON.parse(
        (await alice(["create", "-f", "-", "-o", "json"], {
          stdin: review(server.token),
        })).stdout,
      );
      assert.equal(adminToken.status.authenticated, true);
      assert.equal(adminToken.status.user.username, "admin");
    },
  );

  await t.step(
    "key rotation: after a new key file and a restart, old tokens still work",
    async () => {
      const old = (await teamA([
        "create",
        "token",
        "hook",
        "-n",
        "default",
        "--duration",
        "30m",
      ])).stdout.trim();
      const kid = (tok: string) => JSON.parse(atob(tok.split(".")[0])).kid;
      await Deno.remove(`${dir}/pki/service-account.key`);
      await server.restart();
      const fresh = (await teamA([
        "create",
        "token",
        "hook",
        "-n",
        "default",
        "--duration",
        "30m",
      ])).stdout.trim();
      assert.notEqual(kid(fresh), kid(old));
      for (const tok of [old, fresh]) {
        const who = await teamA([
          "--token",
          tok,
          "auth",
          "whoami",
          "-o",
          "json",
        ]);
        assert.equal(
          JSON.parse(who.stdout).status.userInfo.username,
          "system:serviceaccount:default:hook",
        );
      }
      // alice's certificate (same client CA) still logs in after the restart.
      const alice = as(`${dir}/alice.kubeconfig`);
      assert.match((await alice(["auth", "whoami"])).stdout, /alice/);
    },
  );
});

Deno.test("identity: a separate controller-manager logs in with a client certificate and signs CSRs", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "identity e2e (controller-manager)")) return;
  if ((await runTool("which", ["openssl"], { check: false })).code !== 0) {
    console.error("SKIPPED: openssl not found");
    return;
  }
  await using server = await startServer({ command: "apiserver" });
  const admin = kubectlFor(tools!.kubectl, server);
  const dir = server.dataDir;
  await hyperplane([
    "kubeconfig",
    "--data-dir",
    dir,
    "--user",
    "system:kube-controller-manager",
    "--group",
    "system:masters",
    "--output",
    `${dir}/km.kubeconfig`,
  ]);
  const km = new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      `${projectRoot()}/main.ts`,
      "controller-manager",
      "--kubeconfig",
      `${dir}/km.kubeconfig`,
      "--leader-elect=false",
      "--controllers",
      "csrsigning",
      "--cluster-signing-cert-file",
      `${dir}/tls/client-ca.crt`,
      "--cluster-signing-key-file",
      `${dir}/tls/client-ca.key`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    await runTool("openssl", [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${dir}/erin.key`,
      "-out",
      `${dir}/erin.csr`,
      "-subj",
      "/CN=erin",
    ]);
    await admin(["create", "-f", "-"], {
      stdin: JSON.stringify({
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name: "erin" },
        spec: {
          request: btoa(await Deno.readTextFile(`${dir}/erin.csr`)),
          signerName: "kubernetes.io/kube-apiserver-client",
          usages: ["client auth"],
        },
      }),
    });
    await admin(["certificate", "approve", "erin"]);
    let cert = "";
    for (let i = 0; i < 150 && !cert; i++) {
      cert = (await admin([
        "get",
        "csr",
        "erin",
        "-o",
        "jsonpath={.status.certificate}",
      ])).stdout;
      if (!cert) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(cert, "the controller-manager signed the request");
    assert.match(atob(cert), /BEGIN CERTIFICATE/);
  } finally {
    km.kill("SIGTERM");
    await km.stderr.cancel();
    await km.status;
  }
});
