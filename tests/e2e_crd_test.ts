/**
 * End-to-end: CustomResourceDefinitions served by a real `hyperplane server`
 * (SQLite) and driven by the real kubectl v1.35 — apply a CRD with a schema,
 * subresources, printer columns and two versions; wait for Established;
 * create, get, watch, patch, scale, status, explain; validation, pruning,
 * defaulting; deletion cleans up.
 */

import assert from "node:assert/strict";
import {
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

const CRD_YAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: &schema
        type: object
        properties:
          spec:
            type: object
            description: The desired state of the CronTab.
            properties:
              cronSpec:
                type: string
                description: A cron schedule.
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
          status:
            type: object
            properties:
              replicas:
                type: integer
              labelSelector:
                type: string
    subresources: &subresources
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.labelSelector
    additionalPrinterColumns: &columns
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: *schema
    subresources: *subresources
    additionalPrinterColumns: *columns
`;

function cronTab(name: string, spec: string): string {
  return `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
  namespace: default
spec:
${spec}`;
}

/** Reads a child's stdout until `pattern` shows up. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

Deno.test("kubectl serves a CRD end to end", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl CRD e2e")) return;
  await using server = await startServer();
  const kubectl = kubectlFor(tools!.kubectl, server);

  await t.step("apply the CRD and wait for Established", async () => {
    const r = await kubectl(["apply", "-f", "-"], { stdin: CRD_YAML });
    assert.match(
      r.stdout,
      /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/,
    );
    await kubectl([
      "wait",
      "--for=condition=Established",
      "--timeout=30s",
      "crd/crontabs.stable.example.com",
    ]);
    const again = await kubectl(["apply", "-f", "-"], { stdin: CRD_YAML });
    assert.match(again.stdout, /unchanged|configured/);
  });

  await t.step("api-resources lists the kind with its short name", async () => {
    const r = await kubectl([
      "api-resources",
      "--api-group=stable.example.com",
    ]);
    assert.match(
      r.stdout,
      /crontabs\s+ct\s+stable.example.com\/v1\s+true\s+CronTab/,
    );
  });

  await t.step("create applies defaults", async () => {
    const r = await kubectl(["apply", "-f", "-"], {
      stdin: cronTab("a", `  cronSpec: "* * * * */5"\n  image: img\n`),
    });
    assert.match(r.stdout, /crontab.stable.example.com\/a created/);
    const got = await kubectl(["get", "ct", "a", "-o", "json"]);
    const obj = JSON.parse(got.stdout);
    assert.equal(obj.spec.replicas, 1);
    assert.equal(obj.apiVersion, "stable.example.com/v1");
  });

  await t.step("get shows the printer columns", async () => {
    const r = await kubectl(["get", "crontabs"]);
    assert.match(r.stdout, /^NAME\s+SPEC\s+REPLICAS\s+AGE\n/);
    assert.match(r.stdout, /\na\s+\* \* \* \* \*\/5\s+1\s+\S+/);
  });

  await t.step("the other served version reads the same object", async () => {
    const r = await kubectl([
      "get",
      "crontabs.v1beta1.stable.example.com",
      "a",
      "-o",
      "jsonpath={.apiVersion}",
    ]);
    assert.equal(r.stdout, "stable.example.com/v1beta1");
  });

  await t.step("invalid objects are rejected with the field path", async () => {
    const r = await kubectl(["apply", "-f", "-"], {
      stdin: cronTab("bad", `  cronSpec: nope\n  replicas: 0\n`),
      check: false,
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.replicas: Invalid value: 0/);
    assert.match(r.stderr, /spec\.cronSpec: Invalid value: "nope"/);
  });

  await t.step("unknown fields: strict fails, warn prunes", async () => {
    const body = cronTab("pruned", `  cronSpec: "1 2 3 4 5"\n  extra: x\n`);
    const strict = await kubectl(["apply", "-f", "-"], {
      stdin: body,
      check: false,
    });
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /unknown field "spec.extra"/);
    const warn = await kubectl(["apply", "--validate=warn", "-f", "-"], {
      stdin: body,
    });
    assert.match(warn.stderr, /unknown field "spec.extra"/);
    const got = await kubectl(["get", "ct", "pruned", "-o", "json"]);
    assert.equal(JSON.parse(got.stdout).spec.extra, undefined);
  });

  await t.step("watch sees a new object", async () => {
    const child = new Deno.Command(tools!.kubectl, {
      args: [
        "--kubeconfig",
        server.kubeconfigPath,
        "get",
        "crontabs",
        "--watch",
        "-o",
        "name",
      ],
      env: { HOME: server.dataDir },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      await kubectl(["apply", "-f", "-"], {
        stdin: cronTab("watched", `  cronSpec: "1 2 3 4 5"\n`),
      });
      const seen = await readUntil(child.stdout, /crontab.*\/watched/);
      assert.match(seen, /crontab.stable.example.com\/watched/);
    } finally {
      child.kill();
      await child.status;
    }
  });

  await t.step("patch, apply again and scale", async () => {
    await kubectl([
      "patch",
      "ct",
      "a",
      "--type=merge",
      "-p",
      '{"spec":{"image":"img2"}}',
    ]);
    const again = await kubectl(["apply", "-f", "-"], {
      stdin: cronTab("a", `  cronSpec: "* * * * */5"\n  image: img3\n`),
    });
    assert.match(again.stdout, /crontab.stable.example.com\/a configured/);
    const scaled = await kubectl(["scale", "ct", "a", "--replicas=3"]);
    assert.match(scaled.stdout, /crontab.stable.example.com\/a scaled/);
    const r = await kubectl([
      "get",
      "ct",
      "a",
      "-o",
      "jsonpath={.spec.image} {.spec.replicas}",
    ]);
    assert.equal(r.stdout, "img3 3");
  });

  await t.step("status changes only through /status", async () => {
    await kubectl([
      "patch",
      "ct",
      "a",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"replicas":3},"spec":{"image":"ignored"}}',
    ]);
    await kubectl([
      "patch",
      "ct",
      "a",
      "--type=merge",
      "-p",
      '{"status":{"replicas":9}}',
    ]);
    const r = await kubectl([
      "get",
      "ct",
      "a",
      "-o",
      "jsonpath={.status.replicas} {.spec.image}",
    ]);
    assert.equal(r.stdout, "3 img3");
  });

  await t.step("explain reads the CRD schema", async () => {
    const r = await kubectl(["explain", "crontabs.spec.cronSpec"]);
    assert.match(r.stdout, /KIND:\s+CronTab/);
    assert.match(r.stdout, /FIELD:\s+cronSpec <string>/);
    assert.match(r.stdout, /A cron schedule\./);
  });

  await t.step("the all category includes custom resources", async () => {
    const r = await kubectl(["get", "all", "-o", "name"]);
    assert.match(r.stdout, /crontab.stable.example.com\/a/);
  });

  await t.step("deleting the CRD removes its objects", async () => {
    await kubectl(["create", "namespace", "other"]);
    await kubectl(["apply", "-f", "-"], {
      stdin: cronTab("b", `  cronSpec: "1 2 3 4 5"\n`).replace(
        "namespace: default",
        "namespace: other",
      ),
    });
    await kubectl(["delete", "crd", "crontabs.stable.example.com"]);
    const gone = await kubectl(["get", "crontabs", "-A"], { check: false });
    assert.notEqual(gone.code, 0);
    // kubectl's discovery cache may still name the kind: then the list
    // itself is 404.
    assert.match(
      gone.stderr,
      /doesn't have a resource type "crontabs"|could not find the requested resource/,
    );
    const direct = await server.fetch(
      "/apis/stable.example.com/v1/namespaces/other/crontabs/b",
    );
    await direct.body?.cancel();
    assert.equal(direct.status, 404);
  });

  await t.step("recreating the CRD starts empty", async () => {
    await kubectl(["apply", "-f", "-"], { stdin: CRD_YAML });
    await kubectl([
      "wait",
      "--for=condition=Established",
      "--timeout=30s",
      "crd/crontabs.stable.example.com",
    ]);
    const r = await kubectl(["get", "crontabs", "-A", "-o", "name"]);
    assert.equal(r.stdout.trim(), "");
  });
});

Deno.test("custom resources take part in apply, finalizers, GC and namespace deletion", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl CRD controllers e2e")) return;
  await using server = await startServer();
  const kubectl = kubectlFor(tools!.kubectl, server);
  await kubectl(["apply", "-f", "-"], { stdin: CRD_YAML });
  await kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=30s",
    "crd/crontabs.stable.example.com",
  ]);

  await t.step(
    "server-side apply creates and updates with managedFields",
    async () => {
      const first = await kubectl(["apply", "--server-side", "-f", "-"], {
        stdin: cronTab("ssa", `  cronSpec: "1 2 3 4 5"\n  image: one\n`),
      });
      assert.match(
        first.stdout,
        /crontab.stable.example.com\/ssa serverside-applied/,
      );
      await kubectl(["apply", "--server-side", "-f", "-"], {
        stdin: cronTab("ssa", `  cronSpec: "1 2 3 4 5"\n  image: two\n`),
      });
      const r = await kubectl([
        "get",
        "ct",
        "ssa",
        "--show-managed-fields",
        "-o",
        "json",
      ]);
      const obj = JSON.parse(r.stdout);
      assert.equal(obj.spec.image, "two");
      assert.equal(obj.spec.replicas, 1);
      const managers = obj.metadata.managedFields.map((
        m: { manager: string },
      ) => m.manager);
      assert.ok(managers.includes("kubectl"), JSON.stringify(managers));
    },
  );

  await t.step("a finalizer holds a deleted custom resource", async () => {
    await kubectl(["apply", "-f", "-"], {
      stdin: cronTab("held", `  cronSpec: "1 2 3 4 5"\n`).replace(
        "  namespace: default",
        "  namespace: default\n  finalizers: [example.com/hold]",
      ),
    });
    await kubectl(["delete", "ct", "held", "--wait=false"]);
    const r = await kubectl([
      "get",
      "ct",
      "held",
      "-o",
      "jsonpath={.metadata.deletionTimestamp}",
    ]);
    assert.notEqual(r.stdout, "");
    await kubectl([
      "patch",
      "ct",
      "held",
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
    const gone = await kubectl(["get", "ct", "held"], { check: false });
    assert.match(gone.stderr, /NotFound/);
  });

  await t.step("namespace deletion removes custom resources", async () => {
    await kubectl(["create", "namespace", "doomed"]);
    await kubectl(["apply", "-f", "-"], {
      stdin: cronTab("inside", `  cronSpec: "1 2 3 4 5"\n`).replace(
        "namespace: default",
        "namespace: doomed",
      ),
    });
    await kubectl(["delete", "namespace", "doomed", "--timeout=60s"]);
    const direct = await server.fetch(
      "/apis/stable.example.com/v1/namespaces/doomed/crontabs/inside",
    );
    await direct.body?.cancel();
    assert.equal(direct.status, 404);
  });

  await t.step(
    "the garbage collector deletes an owned custom resource",
    async () => {
      await kubectl(["create", "configmap", "owner"]);
      const uid = (await kubectl([
        "get",
        "configmap",
        "owner",
        "-o",
        "jsonpath={.metadata.uid}",
      ])).stdout;
      await kubectl(["apply", "-f", "-"], {
        stdin: cronTab("owned", `  cronSpec: "1 2 3 4 5"\n`).replace(
          "  namespace: default",
          `  namespace: default
  ownerReferences:
  - apiVersion: v1
    kind: ConfigMap
    name: owner
    uid: ${uid}`,
        ),
      });
      await kubectl(["delete", "configmap", "owner"]);
      // The collector learns new kinds by polling discovery (30 s).
      await kubectl([
        "wait",
        "--for=delete",
        "--timeout=60s",
        "crontab.stable.example.com/owned",
      ]);
    },
  );
});
