/**
 * End-to-end API aggregation with the real kubectl v1.35 against a real
 * `hyperplane server` and a real extension API server
 * (`support/extension_apiserver.ts`: its own TLS, trusting only the front
 * proxy's certificate from `kube-system/extension-apiserver-authentication`,
 * authorizing by SubjectAccessReview back to hyperplane). After
 * `kubectl apply` of its APIService the wardle group is discovered and
 * served through hyperplane (list, get, create, watch) for the admin and
 * for an RBAC-limited user; the APIService shows `Available True`;
 * stopping the extension flips it to False and requests get a 503 Status;
 * restarting it recovers. Another virtual cluster does not see it; bad
 * APIServices (nothing listening, no TLS, wrong CA) are unavailable with a
 * clear reason and leave other groups alone.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { freePort, startServer, type TestServer } from "./support/server.ts";
import { startExtensionApiServer } from "./support/extension_apiserver.ts";
import { testCertificates } from "./support/webhook_server.ts";

const GV = "v1alpha1.wardle.example.com";

function apiService(
  name: string,
  group: string,
  version: string,
  service: string,
  caBundle: string,
): string {
  return `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: ${name}}
spec:
  group: ${group}
  version: ${version}
  groupPriorityMinimum: 1000
  versionPriority: 15
  service: {namespace: wardle, name: ${service}}
  caBundle: ${caBundle}
`;
}

function flunder(name: string): string {
  return `apiVersion: wardle.example.com/v1alpha1
kind: Flunder
metadata: {name: ${name}}
spec: {reference: ${name}}
`;
}

/** Polls `f` until it returns true (every 500 ms, at most `ms`). */
async function eventually(
  what: string,
  ms: number,
  f: () => Promise<boolean>,
): Promise<void> {
  const until = Date.now() + ms;
  while (true) {
    if (await f()) return;
    if (Date.now() > until) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function availability(k: Kubectl, name: string): Promise<string> {
  const r = await k([
    "get",
    "apiservice",
    name,
    "-o",
    "jsonpath={.status.conditions[?(@.type=='Available')].status}/{.status.conditions[?(@.type=='Available')].reason}: {.status.conditions[?(@.type=='Available')].message}",
  ], { check: false });
  return r.stdout;
}

/** Runs `kubectl … -w` until its output has `needle` (then kills it by PID). */
async function watchUntil(
  bin: string,
  server: TestServer,
  args: string[],
  needle: string,
  whileWatching: () => Promise<void>,
): Promise<string> {
  const child = new Deno.Command(bin, {
    args: ["--kubeconfig", server.kubeconfigPath, ...args],
    env: { HOME: server.dataDir },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const reader = child.stdout.getReader();
  const dec = new TextDecoder();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
  }, 30_000);
  try {
    // The first line (the table header or the first row) means the watch
    // is open; then the change is made.
    while (!out.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) break;
      out += dec.decode(value);
    }
    await whileWatching();
    while (!out.includes(needle)) {
      const { done, value } = await reader.read();
      if (done) break;
      out += dec.decode(value);
    }
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGTERM");
    } catch {
      // gone
    }
    await reader.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    await child.status;
  }
  return out;
}

Deno.test({
  name:
    "kubectl reaches an extension API server through hyperplane's aggregation layer",
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "e2e aggregation")) return;
  const extPort = freePort();
  const deadPort = freePort();
  // A plain-HTTP server: an APIService pointing at it must fail TLS.
  const plain = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("not TLS"),
  );
  // A WebSocket extension (kubectl exec-style upgrades): echoes each
  // message with the user the front proxy named.
  const echoCerts = await testCertificates();
  const echo = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: echoCerts.certPem,
    key: echoCerts.keyPem,
    onListen: () => {},
  }, (req) => {
    if (new URL(req.url).pathname === "/apis/echo.example.com/v1") {
      return Response.json({
        kind: "APIResourceList",
        groupVersion: "echo.example.com/v1",
        resources: [{
          name: "echoes",
          singularName: "echo",
          namespaced: false,
          kind: "Echo",
          verbs: ["get"],
        }],
      });
    }
    if (req.headers.get("upgrade") !== "websocket") {
      return new Response("not found", { status: 404 });
    }
    const user = req.headers.get("x-remote-user");
    const offered = req.headers.get("sec-websocket-protocol") ?? "";
    const { socket, response } = Deno.upgradeWebSocket(req, {
      protocol: offered.includes("v5.channel.k8s.io")
        ? "v5.channel.k8s.io"
        : undefined,
    });
    socket.onmessage = (e) => socket.send(`${user}:${e.data}`);
    return response;
  });
  await using server = await startServer({
    args: [
      "--aggregator-service-map",
      `wardle/echo:443=https://127.0.0.1:${echo.addr.port}`,
      "--storage-backend",
      "memory",
      "--aggregator-service-map",
      `wardle/api:443=https://127.0.0.1:${extPort}`,
      "--aggregator-service-map",
      `wardle/dead:443=https://127.0.0.1:${deadPort}`,
      "--aggregator-service-map",
      `wardle/plain:443=https://127.0.0.1:${plain.addr.port}`,
    ],
  });
  await using ext = await startExtensionApiServer({
    url: server.url,
    caCert: server.caCert,
    token: server.token,
  }, { port: extPort });
  const k = kubectlFor(tools!.kubectl, server);

  try {
    await t.step("the built-in groups have local APIServices", async () => {
      const r = await k(["get", "apiservices"]);
      assert.match(r.stdout, /v1\.rbac\.authorization\.k8s\.io\s+Local\s+True/);
      assert.match(r.stdout, /v1\.\s+Local\s+True/);
    });

    await t.step("the authentication ConfigMap is published", async () => {
      const r = await k([
        "get",
        "cm",
        "-n",
        "kube-system",
        "extension-apiserver-authentication",
        "-o",
        "jsonpath={.data.requestheader-allowed-names}",
      ]);
      assert.equal(r.stdout, '["front-proxy-client"]');
    });

    await t.step("after apply the APIService becomes Available", async () => {
      await k(["create", "namespace", "wardle"]);
      await k(["apply", "-f", "-"], {
        stdin: apiService(
          GV,
          "wardle.example.com",
          "v1alpha1",
          "api",
          ext.caBundle,
        ),
      });
      await eventually(
        "Available True",
        20_000,
        async () => (await availability(k, GV)).startsWith("True/Passed"),
      );
      const r = await k(["get", "apiservice", GV]);
      assert.match(r.stdout, /wardle\/api\s+True/);
    });

    await t.step("kubectl api-resources lists the flunders", async () => {
      const r = await k(["api-resources", "--api-group", "wardle.example.com"]);
      assert.match(
        r.stdout,
        /flunders\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder/,
      );
    });

    await t.step(
      "the OpenAPI v3 index names the extension's document; explain reads it",
      async () => {
        await eventually("OpenAPI v3 entry", 20_000, async () => {
          const res = await server.fetch("/openapi/v3");
          const index = await res.json();
          return index.paths?.["apis/wardle.example.com/v1alpha1"] !==
            undefined;
        });
        const res = await server.fetch("/openapi/v3");
        const url = (await res.json()).paths["apis/wardle.example.com/v1alpha1"]
          .serverRelativeURL as string;
        assert.match(
          url,
          /^\/openapi\/v3\/apis\/wardle\.example\.com\/v1alpha1\?hash=/,
        );
        const doc = await (await server.fetch(url)).json();
        assert.ok(
          doc.components.schemas["com.example.wardle.v1alpha1.Flunder"],
        );
        const explain = await k(["explain", "flunders.spec.reference"]);
        assert.match(
          explain.stdout,
          /The name of another flunder this one points at/,
        );
      },
    );

    await t.step("create, get and list go to the extension", async () => {
      await k(["create", "-n", "default", "-f", "-"], {
        stdin: flunder("first"),
      });
      const list = await k(["get", "flunders", "-n", "default"]);
      assert.match(list.stdout, /^NAME\s+AGE/);
      assert.match(list.stdout, /\nfirst\s/);
      const one = await k([
        "get",
        "flunder",
        "first",
        "-n",
        "default",
        "-o",
        "json",
      ]);
      const obj = JSON.parse(one.stdout);
      assert.equal(obj.kind, "Flunder");
      assert.equal(obj.spec.reference, "first");
      assert.ok(
        ext.reviews.some((r) =>
          r.user === "admin" && r.verb === "create" && r.allowed
        ),
        "the extension authorized the admin's create by SubjectAccessReview",
      );
    });

    await t.step(
      "a WebSocket upgrade is relayed to the extension",
      async () => {
        await k(["apply", "-f", "-"], {
          stdin: apiService(
            "v1.echo.example.com",
            "echo.example.com",
            "v1",
            "echo",
            btoa(echoCerts.caPem),
          ),
        });
        await eventually(
          "echo Available",
          20_000,
          async () =>
            (await availability(k, "v1.echo.example.com")).startsWith(
              "True/Passed",
            ),
        );
        const ws = new WebSocket(
          `wss://127.0.0.1:${server.port}/apis/echo.example.com/v1/echoes/x/exec`,
          {
            protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"],
            headers: { authorization: `Bearer ${server.token}` },
            client: server.client,
          },
        );
        const opened = Promise.withResolvers<void>();
        const answer = Promise.withResolvers<string>();
        ws.onopen = () => opened.resolve();
        ws.onerror = (e) => {
          opened.reject(new Error(String((e as ErrorEvent).message)));
          answer.reject(new Error("websocket error"));
        };
        ws.onmessage = (e) => answer.resolve(String(e.data));
        try {
          await opened.promise;
          assert.equal(ws.protocol, "v5.channel.k8s.io");
          ws.send("hello");
          assert.equal(await answer.promise, "admin:hello");
        } finally {
          const closed = new Promise((r) => (ws.onclose = r));
          ws.close();
          await closed;
        }
      },
    );

    await t.step("kubectl get -w streams through the proxy", async () => {
      const out = await watchUntil(
        tools!.kubectl,
        server,
        ["get", "flunders", "-n", "default", "-w"],
        "second",
        async () => {
          await k(["create", "-n", "default", "-f", "-"], {
            stdin: flunder("second"),
          });
        },
      );
      assert.match(out, /first/);
      assert.match(out, /second/);
    });

    await t.step(
      "an RBAC-limited user: what RBAC grants, nothing more",
      async () => {
        await k(["create", "namespace", "team"]);
        await k(["create", "-n", "team", "-f", "-"], { stdin: flunder("t1") });
        await k([
          "create",
          "role",
          "flunder-reader",
          "-n",
          "team",
          "--verb=get,list,watch",
          "--resource=flunders.wardle.example.com",
        ]);
        await k([
          "create",
          "rolebinding",
          "alice-reads",
          "-n",
          "team",
          "--role=flunder-reader",
          "--user=alice",
        ]);
        const ok = await k(["get", "flunders", "-n", "team", "--as", "alice"]);
        assert.match(ok.stdout, /t1/);
        assert.ok(
          ext.reviews.some((r) =>
            r.user === "alice" && r.verb === "list" && r.allowed
          ),
          "alice's identity reached the extension in X-Remote-User",
        );
        const watched = await watchUntil(
          tools!.kubectl,
          server,
          ["get", "flunders", "-n", "team", "-w", "--as", "alice"],
          "t3",
          async () => {
            await k(["create", "-n", "team", "-f", "-"], {
              stdin: flunder("t3"),
            });
          },
        );
        assert.match(watched, /t1/);
        assert.match(watched, /t3/);
        assert.ok(
          ext.reviews.some((r) =>
            r.user === "alice" && r.verb === "watch" && r.allowed
          ),
          "the extension authorized alice's watch",
        );
        const denied = await k(
          ["get", "flunders", "-n", "default", "--as", "alice"],
          { check: false },
        );
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /Forbidden|forbidden/);
        const create = await k(
          [
            "create",
            "-n",
            "team",
            "--as",
            "alice",
            "--validate=false",
            "-f",
            "-",
          ],
          { stdin: flunder("t2"), check: false },
        );
        assert.notEqual(create.code, 0);
        assert.match(create.stderr, /cannot create resource "flunders"/);
      },
    );

    await t.step(
      "the extension itself denies by SubjectAccessReview",
      async () => {
        // As hyperplane would call it (the front-proxy certificate), but for
        // a request hyperplane's RBAC would not pass: the extension decides.
        const tls = join(server.dataDir, "tls");
        const client = Deno.createHttpClient({
          caCerts: [atob(ext.caBundle)],
          cert: await Deno.readTextFile(join(tls, "front-proxy-client.crt")),
          key: await Deno.readTextFile(join(tls, "front-proxy-client.key")),
        });
        try {
          const res = await fetch(
            `https://127.0.0.1:${ext.port}/apis/wardle.example.com/v1alpha1/namespaces/default/flunders`,
            {
              client,
              headers: {
                "X-Remote-User": "alice",
                "X-Remote-Group": "system:authenticated",
              },
            },
          );
          const body = await res.json();
          assert.equal(res.status, 403);
          assert.match(
            body.message,
            /User "alice" cannot list resource "flunders"/,
          );
          assert.ok(
            ext.reviews.some((r) =>
              r.user === "alice" && r.verb === "list" && !r.allowed
            ),
          );
        } finally {
          client.close();
        }
        // Without the front-proxy certificate nobody is anybody.
        const anonymous = Deno.createHttpClient({
          caCerts: [atob(ext.caBundle)],
        });
        try {
          const before = ext.rejectedCallers;
          const res = await fetch(
            `https://127.0.0.1:${ext.port}/apis/wardle.example.com/v1alpha1/namespaces/default/flunders`,
            {
              client: anonymous,
              headers: {
                "X-Remote-User": "admin",
                "X-Remote-Group": "system:masters",
              },
            },
          );
          await res.body?.cancel();
          assert.equal(res.status, 401);
          assert.equal(ext.rejectedCallers, before + 1);
        } finally {
          anonymous.close();
        }
      },
    );

    await t.step(
      "another virtual cluster does not see the APIService",
      async () => {
        const vc = await server.fetch("/apis/tenancy.hyperplane.dev/v1alpha1");
        await vc.body?.cancel();
        if (vc.status === 200) {
          await k(["apply", "-f", "-"], {
            stdin:
              "apiVersion: tenancy.hyperplane.dev/v1alpha1\nkind: VirtualCluster\nmetadata: {name: team-b}\n",
          });
        }
        const other = `${server.url}/clusters/team-b`;
        await eventually(
          "cluster team-b serves",
          20_000,
          async () =>
            (await k(["--server", other, "get", "ns", "default"], {
              check: false,
            })).code === 0,
        );
        const list = await k(["--server", other, "get", "apiservices"]);
        assert.doesNotMatch(list.stdout, /wardle/);
        assert.match(list.stdout, /v1\.rbac\.authorization\.k8s\.io/);
        const res = await k(["--server", other, "api-resources"]);
        assert.doesNotMatch(res.stdout, /flunders/);
        const get = await k([
          "--server",
          other,
          "get",
          "--raw",
          "/apis/wardle.example.com/v1alpha1",
        ], { check: false });
        assert.notEqual(get.code, 0);
        assert.match(get.stderr, /NotFound|not found/);
      },
    );

    await t.step(
      "a stopped extension: Available False, 503 Status, others fine",
      async () => {
        await ext.stop();
        const stoppedAt = Date.now();
        await eventually(
          "Available False",
          30_000,
          async () =>
            (await availability(k, GV)).startsWith(
              "False/FailedDiscoveryCheck",
            ),
        );
        assert.ok(Date.now() - stoppedAt < 30_000);
        assert.match(await availability(k, GV), /connection refused/);
        const res = await server.fetch(
          "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders",
        );
        const body = await res.json();
        assert.equal(res.status, 503);
        assert.equal(body.kind, "Status");
        assert.equal(body.reason, "ServiceUnavailable");
        assert.match(
          body.message,
          /APIService v1alpha1\.wardle\.example\.com is not available/,
        );
        const viaKubectl = await k(["get", "flunders", "-n", "default"], {
          check: false,
        });
        assert.notEqual(viaKubectl.code, 0);
        assert.match(
          viaKubectl.stderr,
          /ServiceUnavailable|the server is currently unable to handle the request/,
        );
        const cm = await k(["get", "cm", "-n", "default"]);
        assert.equal(cm.code, 0);
      },
    );

    await t.step("a restarted extension recovers", async () => {
      await ext.start();
      await eventually(
        "Available True again",
        30_000,
        async () => (await availability(k, GV)).startsWith("True/Passed"),
      );
      const list = await k(["get", "flunders", "-n", "default"]);
      assert.match(list.stdout, /first/);
    });

    await t.step(
      "insecureSkipTLSVerify: the server is not verified",
      async () => {
        await k([
          "patch",
          "apiservice",
          GV,
          "--type=merge",
          "-p",
          '{"spec":{"caBundle":null,"insecureSkipTLSVerify":true}}',
        ]);
        await eventually("still Available", 20_000, async () => {
          const r = await k(["get", "apiservice", GV, "-o", "json"]);
          const obj = JSON.parse(r.stdout);
          return obj.spec.insecureSkipTLSVerify === true &&
            obj.spec.caBundle === undefined &&
            (await availability(k, GV)).startsWith("True/Passed");
        });
        const list = await k(["get", "flunders", "-n", "default"]);
        assert.match(list.stdout, /first/);
        const out = await watchUntil(
          tools!.kubectl,
          server,
          ["get", "flunders", "-n", "default", "-w"],
          "third",
          async () => {
            await k(["create", "-n", "default", "-f", "-"], {
              stdin: flunder("third"),
            });
          },
        );
        assert.match(out, /third/);
      },
    );

    await t.step(
      "bad APIServices are unavailable with a clear reason",
      async () => {
        const other = await testCertificates();
        await k(["apply", "-f", "-"], {
          stdin: [
            apiService(
              "v1.dead.example.com",
              "dead.example.com",
              "v1",
              "dead",
              ext.caBundle,
            ),
            apiService(
              "v1.plain.example.com",
              "plain.example.com",
              "v1",
              "plain",
              ext.caBundle,
            ),
            apiService(
              "v1.wrongca.example.com",
              "wrongca.example.com",
              "v1",
              "api",
              btoa(other.caPem),
            ),
            apiService(
              "v1.nowhere.example.com",
              "nowhere.example.com",
              "v1",
              "nowhere",
              ext.caBundle,
            ),
          ].join("---\n"),
        });
        const expect: [string, RegExp][] = [
          [
            "v1.dead.example.com",
            /^False\/FailedDiscoveryCheck: .*connection refused/,
          ],
          [
            "v1.plain.example.com",
            /^False\/FailedDiscoveryCheck: .*does not look like a TLS handshake/,
          ],
          [
            "v1.wrongca.example.com",
            /^False\/FailedDiscoveryCheck: .*unknown authority/,
          ],
          [
            "v1.nowhere.example.com",
            /^False\/ServiceNotFound: service\/nowhere in "wardle" is not present/,
          ],
        ];
        for (const [name, want] of expect) {
          await eventually(
            `${name} unavailable`,
            30_000,
            async () => want.test(await availability(k, name)),
          );
        }
        for (const g of ["dead", "plain", "wrongca", "nowhere"]) {
          const started = Date.now();
          const res = await server.fetch(`/apis/${g}.example.com/v1/things`);
          const body = await res.json();
          assert.equal(res.status, 503, g);
          assert.equal(body.reason, "ServiceUnavailable");
          assert.ok(Date.now() - started < 10_000, `${g} answered at once`);
        }
        // Discovery and every other group still answer.
        const res = await k(["api-resources"]);
        assert.match(res.stdout, /flunders/);
        assert.match(res.stdout, /configmaps/);
      },
    );

    await t.step(
      "a remote APIService cannot take over a built-in group",
      async () => {
        await k(["apply", "-f", "-"], {
          stdin: apiService(
            "v2.rbac.authorization.k8s.io",
            "rbac.authorization.k8s.io",
            "v2",
            "api",
            ext.caBundle,
          ),
        });
        await eventually(
          "BuiltInGroup",
          20_000,
          async () =>
            (await availability(k, "v2.rbac.authorization.k8s.io")).startsWith(
              "False/BuiltInGroup",
            ),
        );
        const roles = await k(["get", "clusterroles", "cluster-admin"]);
        assert.equal(roles.code, 0);
      },
    );
  } finally {
    await plain.shutdown();
    await echo.shutdown();
  }
});
