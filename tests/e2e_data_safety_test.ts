/**
 * Data safety end to end (issue 12), against a real `hyperplane server` on
 * SQLite with the real kubectl (v1.35, and the preinstalled v1.32 when
 * present):
 *
 * - paths that upstream serves no collection delete or create at are 405
 *   (`DELETE /api/v1/configmaps`, `DELETE /api/v1/namespaces`), and
 *   discovery never offers `deletecollection` on namespaces;
 * - the immortal namespaces cannot be deleted (upstream's 403 message), in
 *   root and in a virtual cluster; `kube-node-lease` can, and the server
 *   re-creates it while running;
 * - requests are routed on the raw target: dot segments, encoded dots,
 *   empty segments and encoded slashes never reach an object they do not
 *   name, and errors never show storage keys. These requests are written as
 *   raw HTTP/1.1 (`fetch` would resolve the dot segments first).
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer, type TestServer } from "./support/server.ts";
import { RawHttpClient, type RawResponse } from "./support/raw_http.ts";

const AGGREGATED =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const JSON_CT = { "content-type": "application/json" };
const IMMORTAL = ["kube-system", "default", "kube-public"];
const VC = "team-a";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 250 ms, at most `tries` times. */
async function eventually(
  what: string,
  check: () => Promise<boolean>,
  tries = 240,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await sleep(250);
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function json(
  server: TestServer,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await server.fetch(path, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

function assertStatus(
  res: { status: number; body: Record<string, unknown> },
  code: number,
  reason: string,
  what: string,
): void {
  assert.equal(res.status, code, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.kind, "Status", what);
  assert.equal(res.body.status, "Failure", what);
  assert.equal(res.body.reason, reason, what);
  assert.equal(res.body.code, code, what);
}

async function createConfigMap(
  server: TestServer,
  prefix: string,
  ns: string,
  name: string,
): Promise<void> {
  const res = await server.fetch(
    `${prefix}/api/v1/namespaces/${ns}/configmaps`,
    {
      method: "POST",
      headers: JSON_CT,
      body: JSON.stringify({ metadata: { name }, data: { k: name } }),
    },
  );
  assert.equal(res.status, 201, await res.text());
}

async function createNamespace(
  server: TestServer,
  prefix: string,
  name: string,
): Promise<void> {
  const res = await server.fetch(`${prefix}/api/v1/namespaces`, {
    method: "POST",
    headers: JSON_CT,
    body: JSON.stringify({ metadata: { name } }),
  });
  assert.equal(res.status, 201, await res.text());
}

async function configMapNames(
  server: TestServer,
  prefix: string,
  ns: string,
): Promise<string[]> {
  const res = await json(
    server,
    `${prefix}/api/v1/namespaces/${ns}/configmaps`,
  );
  assert.equal(res.status, 200);
  return (res.body.items as { metadata: { name: string } }[])
    .map((i) => i.metadata.name)
    .filter((n) => n !== "kube-root-ca.crt")
    .sort();
}

function rawStatus(res: RawResponse): Record<string, unknown> {
  try {
    return res.json() as Record<string, unknown>;
  } catch {
    return { text: res.text() };
  }
}

Deno.test("data safety: 405 routes, immortal namespaces, raw paths", async (t) => {
  // About paths, not cluster declaration: clusters spring up on first use.
  const server = await startServer({ args: ["--virtual-clusters=implicit"] });
  const raw = new RawHttpClient({
    port: server.port,
    caCert: server.caCert,
    token: server.token,
  });
  try {
    for (const prefix of ["", `/clusters/${VC}`]) {
      await createNamespace(server, prefix, "ds");
      for (const n of ["a", "b", "c"]) {
        await createConfigMap(server, prefix, "ds", n);
      }
    }

    for (const prefix of ["", `/clusters/${VC}`]) {
      const where = prefix || "root";
      await t.step(
        `${where}: no collection delete or create across namespaces, no namespace deletecollection`,
        async () => {
          assertStatus(
            await json(server, `${prefix}/api/v1/configmaps`, {
              method: "DELETE",
            }),
            405,
            "MethodNotAllowed",
            "DELETE /api/v1/configmaps",
          );
          assertStatus(
            await json(server, `${prefix}/api/v1/configmaps`, {
              method: "POST",
              headers: JSON_CT,
              body: JSON.stringify({
                metadata: { name: "z", namespace: "ds" },
              }),
            }),
            405,
            "MethodNotAllowed",
            "POST /api/v1/configmaps",
          );
          assertStatus(
            await json(server, `${prefix}/api/v1/secrets`, {
              method: "DELETE",
            }),
            405,
            "MethodNotAllowed",
            "DELETE /api/v1/secrets",
          );
          assertStatus(
            await json(
              server,
              `${prefix}/apis/rbac.authorization.k8s.io/v1/roles`,
              { method: "DELETE" },
            ),
            405,
            "MethodNotAllowed",
            "DELETE roles across namespaces",
          );
          assertStatus(
            await json(server, `${prefix}/api/v1/namespaces`, {
              method: "DELETE",
            }),
            405,
            "MethodNotAllowed",
            "DELETE /api/v1/namespaces",
          );
          assertStatus(
            await json(
              server,
              `${prefix}/api/v1/namespaces?labelSelector=x%3Dy`,
              {
                method: "DELETE",
              },
            ),
            405,
            "MethodNotAllowed",
            "DELETE /api/v1/namespaces?labelSelector",
          );
          assert.deepEqual(await configMapNames(server, prefix, "ds"), [
            "a",
            "b",
            "c",
          ]);
          const nss = await json(server, `${prefix}/api/v1/namespaces`);
          const names = (nss.body.items as { metadata: { name: string } }[])
            .map((i) => i.metadata.name);
          for (const n of [...IMMORTAL, "kube-node-lease", "ds"]) {
            assert.ok(names.includes(n), `${where}: namespace ${n} exists`);
          }
        },
      );

      await t.step(
        `${where}: discovery offers no deletecollection on namespaces`,
        async () => {
          const legacy = await json(server, `${prefix}/api/v1`);
          assert.equal(legacy.status, 200);
          const resources = legacy.body.resources as {
            name: string;
            verbs: string[];
          }[];
          const ns = resources.find((r) => r.name === "namespaces");
          assert.ok(ns, "namespaces in /api/v1");
          assert.ok(!ns.verbs.includes("deletecollection"), ns.verbs.join(","));
          assert.ok(ns.verbs.includes("delete"));
          const cms = resources.find((r) => r.name === "configmaps");
          assert.ok(
            cms?.verbs.includes("deletecollection"),
            "configmaps keep it",
          );

          const agg = await json(server, `${prefix}/api`, {
            headers: { accept: AGGREGATED },
          });
          assert.equal(agg.status, 200);
          assert.equal(agg.body.kind, "APIGroupDiscoveryList");
          const items = agg.body.items as {
            versions: { resources: { resource: string; verbs: string[] }[] }[];
          }[];
          const all = items.flatMap((i) =>
            i.versions.flatMap((v) => v.resources)
          );
          const aggNs = all.find((r) => r.resource === "namespaces");
          assert.ok(aggNs, "namespaces in aggregated /api");
          assert.ok(
            !aggNs.verbs.includes("deletecollection"),
            aggNs.verbs.join(","),
          );
          assert.ok(
            all.find((r) => r.resource === "configmaps")?.verbs.includes(
              "deletecollection",
            ),
          );
        },
      );
    }

    await t.step(
      "kubectl cannot delete the immortal namespaces, in root and in a virtual cluster",
      async (t) => {
        const tools = await kubeTools();
        if (skipWithoutKubeTools(tools, "kubectl delete ns")) return;
        const kubectls: [string, string][] = [["v1.35", tools!.kubectl]];
        if (tools!.systemKubectl) {
          kubectls.push(["v1.32", tools!.systemKubectl]);
        } else {
          console.error(
            "SKIPPED: preinstalled kubectl v1.32 not found (only v1.35 tested)",
          );
        }
        for (const [version, bin] of kubectls) {
          for (const prefix of ["", `/clusters/${VC}`]) {
            const where = prefix || "root";
            const base = kubectlFor(bin, server);
            const kubectl: Kubectl = prefix
              ? (args, opts) =>
                base(["--server", `${server.url}${prefix}`, ...args], opts)
              : base;
            await t.step(`${version} ${where}`, async () => {
              for (const ns of IMMORTAL) {
                const out = await kubectl(["delete", "ns", ns], {
                  check: false,
                });
                assert.notEqual(out.code, 0, `${ns}: ${out.stdout}`);
                assert.ok(
                  out.stderr.includes(
                    `Error from server (Forbidden): namespaces "${ns}" is forbidden: this namespace may not be deleted`,
                  ),
                  out.stderr,
                );
                const got = await json(
                  server,
                  `${prefix}/api/v1/namespaces/${ns}`,
                );
                assert.equal(got.status, 200);
                const meta = got.body.metadata as Record<string, unknown>;
                assert.equal(
                  meta.deletionTimestamp,
                  undefined,
                  `${ns} not marked`,
                );
                assert.equal(
                  (got.body.status as { phase: string }).phase,
                  "Active",
                );
              }
              const cm = `x-${version.replace(".", "-")}`;
              await kubectl(["create", "cm", cm, "-n", "default"]);
              const got = await kubectl([
                "get",
                "cm",
                cm,
                "-n",
                "default",
                "-o",
                "name",
              ]);
              assert.equal(got.stdout.trim(), `configmap/${cm}`);
            });
          }
        }

        await t.step(
          "kube-node-lease may be deleted and comes back without a restart",
          async () => {
            const pid = server.pid;
            for (const prefix of ["", `/clusters/${VC}`]) {
              const base = kubectlFor(tools!.kubectl, server);
              const before = await json(
                server,
                `${prefix}/api/v1/namespaces/kube-node-lease`,
              );
              assert.equal(before.status, 200);
              const uid = (before.body.metadata as { uid: string }).uid;
              const out = await base([
                ...(prefix ? ["--server", `${server.url}${prefix}`] : []),
                "delete",
                "ns",
                "kube-node-lease",
                "--wait=false",
              ]);
              assert.match(out.stdout, /namespace "kube-node-lease" deleted/);
              await eventually(
                `${prefix || "root"} kube-node-lease re-created`,
                async () => {
                  const got = await json(
                    server,
                    `${prefix}/api/v1/namespaces/kube-node-lease`,
                  );
                  if (got.status !== 200) return false;
                  const meta = got.body.metadata as Record<string, unknown>;
                  return meta.uid !== uid &&
                    meta.deletionTimestamp === undefined &&
                    (got.body.status as { phase?: string }).phase === "Active";
                },
              );
            }
            assert.equal(server.pid, pid, "the server was not restarted");
          },
        );
      },
    );

    for (const prefix of ["", `/clusters/${VC}`]) {
      const where = prefix || "root";
      const ns = `${prefix}/api/v1/namespaces/ds`;
      await t.step(
        `${where}: dot segments never act on the path they resolve to`,
        async () => {
          const deletes = [
            `${ns}/configmaps/../configmaps`,
            `${ns}/configmaps/%2e%2e/configmaps`,
            `${ns}/configmaps/%2E%2E/configmaps`,
            `${ns}/configmaps/..`,
            `${ns}/configmaps/%2e%2e`,
            `${ns}/configmaps/a/..`,
            `${ns}/configmaps/a/../..`,
            `${ns}/configmaps/./a`,
            `${ns}/configmaps/a/.`,
            `${ns}/configmaps/.%2e/configmaps`,
            `${prefix}/api/v1/namespaces/../namespaces/ds`,
            `${prefix}/api/v1/namespaces/x/../ds`,
            `${prefix}/api/v1/namespaces/%2e%2e/namespaces/ds/configmaps`,
            `${prefix}/api/v1/namespaces/ds/..`,
            `${prefix}/api/v1/x/../namespaces/ds/configmaps`,
            `${prefix}/api/v1/namespaces/ds/configmaps/a/%2e%2e`,
          ];
          for (const path of deletes) {
            const res = await raw.request("DELETE", path);
            assert.ok(
              res.status === 400 || res.status === 404,
              `DELETE ${path}: ${res.status} ${res.text()}`,
            );
            assert.equal(rawStatus(res).kind, "Status", path);
          }
          assert.deepEqual(await configMapNames(server, prefix, "ds"), [
            "a",
            "b",
            "c",
          ]);
          const nsGet = await json(server, ns);
          assert.equal(nsGet.status, 200);
          assert.equal(
            (nsGet.body.metadata as Record<string, unknown>).deletionTimestamp,
            undefined,
          );
        },
      );

      await t.step(
        `${where}: GET of a dot name is 400, never the namespace`,
        async () => {
          for (
            const [path, message] of [
              [
                `${ns}/configmaps/..`,
                `Name parameter invalid: "..": may not be '..'`,
              ],
              [
                `${ns}/configmaps/%2e%2e`,
                `Name parameter invalid: "..": may not be '..'`,
              ],
              [
                `${ns}/configmaps/%2E%2e`,
                `Name parameter invalid: "..": may not be '..'`,
              ],
              [
                `${ns}/configmaps/.`,
                `Name parameter invalid: ".": may not be '.'`,
              ],
              [
                `${ns}/configmaps/%2e`,
                `Name parameter invalid: ".": may not be '.'`,
              ],
            ]
          ) {
            const res = await raw.request("GET", path);
            const body = rawStatus(res);
            assert.equal(res.status, 400, `GET ${path}: ${res.text()}`);
            assert.notEqual(body.kind, "Namespace", path);
            assert.equal(body.kind, "Status", path);
            assert.equal(body.reason, "BadRequest");
            assert.equal(body.message, message, path);
          }
          for (const path of [`${ns}/configmaps/a/..`, `${ns}/secrets/..`]) {
            const res = await raw.request("GET", path);
            assert.ok(
              [400, 404].includes(res.status),
              `${path}: ${res.status}`,
            );
            assert.notEqual(rawStatus(res).kind, "Namespace");
            assert.notEqual(rawStatus(res).kind, "ConfigMap");
          }
          // The watch form too: refused before any stream starts.
          const w = await raw.request(
            "GET",
            `${prefix}/api/v1/watch/namespaces/ds/configmaps/..`,
            {
              headOnly: true,
            },
          );
          assert.equal(w.status, 400);
        },
      );

      await t.step(`${where}: empty segments are 404`, async () => {
        for (
          const path of [
            `${prefix}/api/v1/namespaces/ds//configmaps`,
            `${prefix}/api/v1//namespaces/ds/configmaps`,
            `${prefix}/api//v1/namespaces`,
            `${ns}/configmaps//a`,
            `${ns}/configmaps/a//`,
          ]
        ) {
          for (const method of ["GET", "DELETE"]) {
            const res = await raw.request(method, path);
            assert.equal(res.status, 404, `${method} ${path}: ${res.text()}`);
            assert.equal(rawStatus(res).reason, "NotFound");
          }
        }
        assert.deepEqual(await configMapNames(server, prefix, "ds"), [
          "a",
          "b",
          "c",
        ]);
      });

      await t.step(
        `${where}: an encoded slash in a name or namespace is 400 without storage keys`,
        async () => {
          for (
            const path of [
              `${ns}/configmaps/a%2Fb`,
              `${ns}/configmaps/a%2fb`,
              `${ns}/configmaps/..%2Fa`,
              `${prefix}/api/v1/namespaces/ds%2Fx/configmaps/a`,
              `${prefix}/api/v1/namespaces/a%2Fb`,
              `${ns}/configmaps/a%zz`,
              `${ns}/configmaps/%`,
            ]
          ) {
            for (const method of ["GET", "DELETE", "PUT"]) {
              const res = await raw.request(method, path, {
                headers: JSON_CT,
                body: method === "PUT"
                  ? JSON.stringify({ metadata: { name: "a" } })
                  : undefined,
              });
              assert.equal(res.status, 400, `${method} ${path}: ${res.text()}`);
              assert.doesNotMatch(
                res.text(),
                /\/registry\//,
                `${method} ${path}`,
              );
              assert.equal(rawStatus(res).reason, "BadRequest");
            }
          }
          const slash = await raw.request("GET", `${ns}/configmaps/a%2Fb`);
          assert.equal(
            rawStatus(slash).message,
            `Name parameter invalid: "a/b": may not contain '/'`,
          );
          assert.deepEqual(await configMapNames(server, prefix, "ds"), [
            "a",
            "b",
            "c",
          ]);
        },
      );

      await t.step(
        `${where}: methods spelled like verbs are refused, not acted on`,
        async () => {
          for (
            const [method, path] of [
              ["DELETECOLLECTION", `${ns}/configmaps`],
              ["deletecollection", `${ns}/configmaps`],
              ["delete", `${ns}/configmaps/a`],
              ["Delete", `${ns}/configmaps/a`],
              ["CREATE", `${ns}/configmaps`],
              ["UPDATE", `${ns}/configmaps/a`],
              ["patch", `${ns}/configmaps/a`],
              ["OPTIONS", `${ns}/configmaps/a`],
              ["delete", ns],
            ]
          ) {
            const res = await raw.request(method, path, {
              headers: JSON_CT,
              body: JSON.stringify({
                metadata: { name: "created-by-bogus-method" },
              }),
            });
            assert.equal(res.status, 405, `${method} ${path}: ${res.text()}`);
          }
          assert.deepEqual(await configMapNames(server, prefix, "ds"), [
            "a",
            "b",
            "c",
          ]);
        },
      );
    }

    await t.step("a malformed cluster prefix is 400, never a 500", async () => {
      for (
        const path of [
          "/clusters/%zz/api/v1/namespaces",
          "/clusters/%/api/v1/namespaces",
          "/clusters/../api/v1/namespaces",
          "/clusters/%2e%2e/api/v1/namespaces/ds",
          "/clusters//api/v1/namespaces",
          "/clusters/a%2Fb/api/v1/namespaces",
        ]
      ) {
        for (const method of ["GET", "DELETE"]) {
          const res = await raw.request(method, path);
          assert.equal(res.status, 400, `${method} ${path}: ${res.text()}`);
        }
      }
      const path = `/clusters/${VC}/control-plane/../api/v1/namespaces/ds`;
      const res = await raw.request("DELETE", path);
      assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`);
      assert.deepEqual(await configMapNames(server, "", "ds"), ["a", "b", "c"]);
    });

    await t.step("the server is still ready", async () => {
      const res = await server.fetch("/readyz");
      assert.equal(res.status, 200, await res.text());
    });
  } finally {
    raw.close();
    await server.stop();
  }
});
