import assert from "node:assert/strict";
import type { KubeObject } from "../../../storage/mod.ts";
import type { DeleteAttributes, WriteAttributes } from "../admission.ts";
import { ApiError } from "../../status/mod.ts";
import { patchOf } from "../../../tests/support/webhook_server.ts";
import { WebhookClients, type WebhookFetch } from "./client.ts";
import {
  mutatingWebhookPlugin,
  toStatusError,
  validatingWebhookPlugin,
  type WebhookDispatchOptions,
} from "./dispatch.ts";
import type { Webhook } from "./types.ts";
import type { Authorizer } from "../../authz/authorizer.ts";

type Review = { request: Record<string, unknown> };
type Answer =
  | Record<string, unknown>
  | "hang"
  | { raw: string; status?: number };

/** A stand-in for fetch: answers by host name (`https://<name>/`). */
function fakeFetch(
  answers: Record<string, (r: Review) => Answer | Promise<Answer>>,
  calls: { host: string; review: Review }[],
): WebhookFetch {
  return async (url, init) => {
    const host = new URL(url).hostname;
    const review = JSON.parse(init.body as string) as Review;
    calls.push({ host, review });
    const a = await answers[host](review);
    if (a === "hang") {
      await new Promise((_, reject) => {
        init.signal!.addEventListener(
          "abort",
          () => reject(new DOMException("aborted", "AbortError")),
          { once: true },
        );
      });
    }
    if (typeof a === "object" && "raw" in a && typeof a.raw === "string") {
      return new Response(a.raw, { status: (a.status as number) ?? 200 });
    }
    return Response.json({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: review.request.uid, ...(a as object) },
    });
  };
}

function hook(name: string, over: Partial<Webhook> = {}): Webhook {
  return {
    name: `${name}.example.com`,
    clientConfig: { url: `https://${name}/` },
    rules: [{
      operations: ["CREATE", "UPDATE"],
      apiGroups: [""],
      apiVersions: ["v1"],
      resources: ["configmaps"],
      scope: "*",
    }],
    failurePolicy: "Fail",
    sideEffects: "None",
    timeoutSeconds: 10,
    admissionReviewVersions: ["v1"],
    ...over,
  };
}

function config(name: string, webhooks: Webhook[]): KubeObject {
  return { metadata: { name }, webhooks };
}

function setup(
  configs: KubeObject[],
  answers: Record<string, (r: Review) => Answer | Promise<Answer>>,
  authorizer?: Authorizer,
  namespaceLabels: WebhookDispatchOptions["namespaceLabels"] = () =>
    Promise.resolve({}),
) {
  const calls: { host: string; review: Review }[] = [];
  const clients = new WebhookClients({ fetch: fakeFetch(answers, calls) });
  const opts: WebhookDispatchOptions = {
    configurations: (c) => c === "root" ? configs : [],
    ready: () => Promise.resolve(),
    namespaceLabels,
    equivalents: () => [],
    clients,
    authorizer,
  };
  return {
    calls,
    mutating: mutatingWebhookPlugin(opts),
    validating: validatingWebhookPlugin(opts),
  };
}

function attrs(over: Partial<WriteAttributes> = {}): WriteAttributes {
  return {
    operation: "CREATE",
    user: { username: "alice", uid: "u-1", groups: ["dev"] },
    cluster: "root",
    group: "",
    version: "v1",
    resource: "configmaps",
    subresource: "",
    kind: "ConfigMap",
    namespace: "default",
    name: "cm",
    object: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm", namespace: "default" },
      data: { a: "1" },
    },
    dryRun: false,
    warnings: [],
    ...over,
  };
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail("expected a refusal");
}

const addLabel = () => ({
  allowed: true,
  patchType: "JSONPatch",
  patch: patchOf([{
    op: "add",
    path: "/metadata/labels",
    value: { mutated: "yes" },
  }]),
});

Deno.test("a mutating webhook's JSONPatch is applied; the review carries upstream's request fields", async () => {
  const s = setup([config("a", [hook("m")])], { m: addLabel });
  const out = await s.mutating.admit(attrs());
  assert.deepEqual(out.metadata.labels, { mutated: "yes" });
  assert.equal(out.apiVersion, "v1");
  const req = s.calls[0].review.request;
  assert.equal(typeof req.uid, "string");
  assert.deepEqual(req.kind, { group: "", version: "v1", kind: "ConfigMap" });
  assert.deepEqual(req.resource, {
    group: "",
    version: "v1",
    resource: "configmaps",
  });
  assert.deepEqual(req.requestKind, req.kind);
  assert.deepEqual(req.requestResource, req.resource);
  assert.equal(req.name, "cm");
  assert.equal(req.namespace, "default");
  assert.equal(req.operation, "CREATE");
  assert.deepEqual(req.userInfo, {
    username: "alice",
    uid: "u-1",
    groups: ["dev"],
  });
  assert.equal(req.dryRun, false);
  assert.equal(req.oldObject, null);
  assert.deepEqual(req.options, {
    kind: "CreateOptions",
    apiVersion: "meta.k8s.io/v1",
  });
  assert.equal((req.object as KubeObject).kind, "ConfigMap");
});

Deno.test("webhooks that do not match are not called", async () => {
  const s = setup(
    [config("a", [
      hook("m", {
        rules: [{ ...hook("x").rules![0], resources: ["secrets"] }],
      }),
    ])],
    { m: addLabel },
  );
  const a = attrs();
  assert.equal(await s.mutating.admit(a), a.object);
  await s.validating.validate(a);
  assert.equal(s.calls.length, 0);
});

Deno.test("a denial without status is 400 'denied the request without explanation'; a status keeps its code and reason", async () => {
  const s = setup([config("a", [hook("v")])], {
    v: () => ({ allowed: false }),
  });
  let e = await refusal(s.validating.validate(attrs()));
  assert.equal(e.code, 400);
  assert.equal(
    e.message,
    'admission webhook "v.example.com" denied the request without explanation',
  );
  const s2 = setup([config("a", [hook("v")])], {
    v: () => ({
      allowed: false,
      status: { code: 403, reason: "Forbidden", message: "no deny- names" },
    }),
  });
  e = await refusal(s2.validating.validate(attrs()));
  assert.equal(e.code, 403);
  assert.equal(e.reason, "Forbidden");
  assert.equal(
    e.message,
    'admission webhook "v.example.com" denied the request: no deny- names',
  );
  assert.equal(
    toStatusError("x", { code: 200, reason: "Nope" }).message,
    'admission webhook "x" denied the request: Nope',
  );
  assert.equal(toStatusError("x", { code: 200 }).code, 400);
});

Deno.test("garbage answers fail under Fail with upstream's Internal error and are skipped under Ignore", async () => {
  const garbage: Record<string, () => Answer> = {
    raw: () => ({ raw: "{{{" }),
    kind: () => ({ raw: JSON.stringify({ response: { allowed: true } }) }),
    uid: () => ({
      raw: JSON.stringify({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response: { uid: "other", allowed: true },
      }),
    }),
    status500: () => ({ raw: "down", status: 500 }),
  };
  const expected: Record<string, RegExp> = {
    raw: /failed to call webhook: .*JSON/,
    kind:
      /received invalid webhook response: expected webhook response of admission\.k8s\.io\/v1, Kind=AdmissionReview, got \/, Kind=$/,
    uid:
      /received invalid webhook response: expected response\.uid="[^"]+", got "other"$/,
    status500: /an error on the server \("down"\)/,
  };
  for (const [name, answer] of Object.entries(garbage)) {
    const fail = setup([config("a", [hook(name)])], { [name]: answer });
    const e = await refusal(fail.validating.validate(attrs()));
    assert.equal(e.code, 500);
    assert.equal(e.reason, "InternalError");
    assert.ok(
      e.message.startsWith(
        `Internal error occurred: failed calling webhook "${name}.example.com": `,
      ),
      e.message,
    );
    assert.match(e.message, expected[name]);
    const ignore = setup(
      [config("a", [hook(name, { failurePolicy: "Ignore" })])],
      { [name]: answer },
    );
    await ignore.validating.validate(attrs());
    const a = attrs();
    assert.equal(await ignore.mutating.admit(a), a.object);
  }
});

Deno.test("a hanging webhook times out: an error under Fail, allowed under Ignore", async () => {
  const fail = setup([config("a", [hook("slow", { timeoutSeconds: 1 })])], {
    slow: () => "hang",
  });
  const e = await refusal(fail.mutating.admit(attrs()));
  assert.equal(e.code, 500);
  assert.match(
    e.message,
    /^Internal error occurred: failed calling webhook "slow\.example\.com": failed to call webhook: Post "https:\/\/slow\/\?timeout=1s": context deadline exceeded$/,
  );
  const ignore = setup(
    [config("a", [
      hook("slow", { timeoutSeconds: 1, failurePolicy: "Ignore" }),
    ])],
    { slow: () => "hang" },
  );
  await ignore.validating.validate(attrs());
});

Deno.test("a validating webhook may not patch", async () => {
  const s = setup([config("a", [hook("v")])], { v: addLabel });
  const e = await refusal(s.validating.validate(attrs()));
  assert.match(e.message, /validating webhook may not return response\.patch/);
});

Deno.test("undecodable patches and unknown patch types are call failures; a failing op is a 500", async () => {
  const bad = setup([config("a", [hook("p")])], {
    p: () => ({ allowed: true, patchType: "JSONPatch", patch: btoa("{x") }),
  });
  let e = await refusal(bad.mutating.admit(attrs()));
  assert.match(e.message, /received undecodable patch in webhook response/);
  const type = setup([config("a", [hook("p")])], {
    p: () => ({
      allowed: true,
      patchType: "MergePatch",
      patch: patchOf([{ op: "add", path: "/x", value: 1 }]),
    }),
  });
  e = await refusal(type.mutating.admit(attrs()));
  assert.match(e.message, /unsupported patch type "MergePatch"/);
  const op = setup([config("a", [hook("p", { failurePolicy: "Ignore" })])], {
    p: () => ({
      allowed: true,
      patchType: "JSONPatch",
      patch: patchOf([{ op: "remove", path: "/nope/deeper" }]),
    }),
  });
  e = await refusal(op.mutating.admit(attrs()));
  assert.equal(e.code, 500);
  const missing = setup([config("a", [hook("p")])], {
    p: () => ({ allowed: true, patch: patchOf([]) }),
  });
  e = await refusal(missing.mutating.admit(attrs()));
  assert.match(
    e.message,
    /webhook returned response\.patch but not response\.patchType/,
  );
});

Deno.test("mutating webhooks run in configuration-name order, each on the previous output", async () => {
  const seen: string[] = [];
  const s = setup(
    [
      config("a-first", [hook("one")]),
      config("b-second", [hook("two")]),
    ],
    {
      one: () => {
        seen.push("one");
        return {
          allowed: true,
          patchType: "JSONPatch",
          patch: patchOf([{ op: "add", path: "/data/one", value: "1" }]),
        };
      },
      two: (r) => {
        seen.push("two");
        const data = (r.request.object as { data: Record<string, string> })
          .data;
        assert.equal(data.one, "1");
        return {
          allowed: true,
          patchType: "JSONPatch",
          patch: patchOf([{ op: "add", path: "/data/two", value: "2" }]),
        };
      },
    },
  );
  const out = await s.mutating.admit(attrs());
  assert.deepEqual(out.data, { a: "1", one: "1", two: "2" });
  assert.deepEqual(seen, ["one", "two"]);
});

Deno.test("reinvocationPolicy IfNeeded calls a webhook once more after a later one changed the object", async () => {
  let firstCalls = 0;
  const s = setup(
    [config("a", [
      hook("first", { reinvocationPolicy: "IfNeeded" }),
      hook("later"),
    ])],
    {
      first: () => {
        firstCalls++;
        return { allowed: true };
      },
      later: () => addLabel(),
    },
  );
  await s.mutating.admit(attrs());
  assert.equal(firstCalls, 2);
  const never = setup(
    [config("a", [hook("first"), hook("later")])],
    {
      first: () => {
        firstCalls++;
        return { allowed: true };
      },
      later: () => addLabel(),
    },
  );
  firstCalls = 0;
  await never.mutating.admit(attrs());
  assert.equal(firstCalls, 1);
});

Deno.test("dry runs skip no webhook with sideEffects None/NoneOnDryRun and refuse the others with upstream's error", async () => {
  const ok = setup(
    [config("a", [hook("v", { sideEffects: "NoneOnDryRun" })])],
    {
      v: () => ({ allowed: true }),
    },
  );
  await ok.validating.validate(attrs({ dryRun: true }));
  assert.equal(ok.calls[0].review.request.dryRun, true);
  assert.deepEqual(
    (ok.calls[0].review.request.options as Record<string, unknown>).dryRun,
    ["All"],
  );
  const some = setup([config("a", [hook("v", { sideEffects: "Some" })])], {
    v: () => ({ allowed: true }),
  });
  const e = await refusal(some.validating.validate(attrs({ dryRun: true })));
  assert.equal(e.code, 400);
  assert.equal(
    e.message,
    'admission webhook "v.example.com" does not support dry run',
  );
  assert.equal(some.calls.length, 0);
  // Not a dry run: called as usual.
  await some.validating.validate(attrs());
  assert.equal(some.calls.length, 1);
});

Deno.test("warnings become the request's Warning headers", async () => {
  const s = setup([config("a", [hook("v")])], {
    v: () => ({ allowed: true, warnings: ["careful\nnow", "second"] }),
  });
  const a = attrs();
  await s.validating.validate(a);
  assert.deepEqual(a.warnings, ["careful now", "second"]);
});

Deno.test("validating webhooks run in parallel; the first refusal in order wins", async () => {
  // "one" answers only once "three" was called: called one after another,
  // it would wait for its timeout.
  const threeCalled = Promise.withResolvers<void>();
  const s = setup(
    [config("a", [
      hook("one", { timeoutSeconds: 5 }),
      hook("two"),
      hook("three"),
    ])],
    {
      one: async () => {
        await threeCalled.promise;
        return { allowed: true };
      },
      two: () => ({ allowed: false, status: { message: "two says no" } }),
      three: () => {
        threeCalled.resolve();
        return { allowed: false, status: { message: "three says no" } };
      },
    },
  );
  const e = await refusal(s.validating.validate(attrs()));
  assert.match(e.message, /two says no/);
  assert.equal(s.calls.length, 3);
});

Deno.test("matchConditions: false skips the webhook; errors follow the failure policy", async () => {
  const conds = (expression: string) => [{ name: "c", expression }];
  const answers = { v: () => ({ allowed: false }) };
  const skip = setup([config("a", [hook("v", {
    matchConditions: conds("object.metadata.name != 'cm'"),
  })])], answers);
  await skip.validating.validate(attrs());
  assert.equal(skip.calls.length, 0);
  const match = setup([config("a", [hook("v", {
    matchConditions: conds(
      "request.userInfo.username == 'alice' && oldObject == null",
    ),
  })])], answers);
  await refusal(match.validating.validate(attrs()));
  assert.equal(match.calls.length, 1);
  const broken = setup([config("a", [hook("v", {
    matchConditions: conds("object.nope.deeper == 'x'"),
  })])], answers);
  const e = await refusal(broken.validating.validate(attrs()));
  assert.equal(e.code, 403);
  assert.match(
    e.message,
    /^configmaps "cm" is forbidden: expression 'object\.nope\.deeper == 'x'' resulted in error: /,
  );
  const ignored = setup([config("a", [hook("v", {
    failurePolicy: "Ignore",
    matchConditions: conds("object.nope.deeper == 'x'"),
  })])], answers);
  await ignored.validating.validate(attrs());
  assert.equal(ignored.calls.length, 0);
});

Deno.test("configurations of another cluster are not consulted", async () => {
  const s = setup([config("a", [hook("v")])], {
    v: () => ({ allowed: false }),
  });
  await s.validating.validate(attrs({ cluster: "tenant-a" }));
  assert.equal(s.calls.length, 0);
});

Deno.test("matchConditions may ask the authorizer about the request's user", async () => {
  const asked: unknown[] = [];
  const authorizer: Authorizer = {
    authorize(a) {
      asked.push(a);
      return Promise.resolve({
        allowed: a.user.username === "alice",
        reason: "",
      });
    },
  } as Authorizer;
  const s = setup(
    [config("a", [hook("v", {
      matchConditions: [{
        name: "not-admins",
        expression:
          "!authorizer.group('').resource('secrets').namespace('default').check('delete').allowed()",
      }],
    })])],
    { v: () => ({ allowed: false }) },
    authorizer,
  );
  await s.validating.validate(attrs());
  assert.equal(s.calls.length, 0);
  await refusal(
    s.validating.validate(attrs({ user: { username: "bob", groups: [] } })),
  );
  assert.equal(s.calls.length, 1);
  assert.equal(asked.length, 2);
});

Deno.test("writes of the admission configuration kinds never reach webhooks", async () => {
  const all = hook("v", {
    rules: [{
      operations: ["*"],
      apiGroups: ["*"],
      apiVersions: ["*"],
      resources: ["*"],
    }],
  });
  const s = setup([config("a", [all])], { v: () => ({ allowed: false }) });
  for (
    const resource of [
      "validatingwebhookconfigurations",
      "mutatingwebhookconfigurations",
      "validatingadmissionpolicies",
      "validatingadmissionpolicybindings",
    ]
  ) {
    await s.validating.validate(
      attrs({
        group: "admissionregistration.k8s.io",
        resource,
        namespace: "",
      }),
    );
  }
  assert.equal(s.calls.length, 0);
  await refusal(s.validating.validate(attrs()));
});

Deno.test("a patch may not move the object to another namespace or rename it on update", async () => {
  const patchTo = (path: string, value: string) => () => ({
    allowed: true,
    patchType: "JSONPatch",
    patch: patchOf([{ op: "replace", path, value }]),
  });
  const ns = setup([config("a", [hook("m")])], {
    m: patchTo("/metadata/namespace", "other"),
  });
  let e = await refusal(ns.mutating.admit(attrs()));
  assert.equal(e.code, 400);
  assert.equal(
    e.message,
    "the namespace of the provided object does not match the namespace sent on the request",
  );
  const name = setup([config("a", [hook("m")])], {
    m: patchTo("/metadata/name", "renamed"),
  });
  const created = await name.mutating.admit(attrs());
  assert.equal(created.metadata.name, "renamed");
  e = await refusal(name.mutating.admit(attrs({
    operation: "UPDATE",
    oldObject: { metadata: { name: "cm", namespace: "default" } },
  })));
  assert.equal(
    e.message,
    "the name of the object (renamed) does not match the name on the URL (cm)",
  );
});

Deno.test("fields a built-in kind does not declare, added by a patch, are dropped", async () => {
  const s = setup([config("a", [hook("m")])], {
    m: () => ({
      allowed: true,
      patchType: "JSONPatch",
      patch: patchOf([
        { op: "add", path: "/spec", value: { replicas: 3 } },
        { op: "add", path: "/data/b", value: "2" },
      ]),
    }),
  });
  const out = await s.mutating.admit(attrs());
  assert.equal(out.spec, undefined);
  assert.deepEqual(out.data, { a: "1", b: "2" });
});

Deno.test("the namespace's labels are read once per admission and decide namespaceSelector", async () => {
  const reads: string[] = [];
  const labels = (cluster: string, name: string) => {
    reads.push(`${cluster}/${name}`);
    return Promise.resolve<Record<string, string>>({ env: "prod" });
  };
  const sel = (env: string) => ({
    namespaceSelector: { matchLabels: { env } },
  });
  const s = setup(
    [config("a", [hook("one", sel("prod")), hook("two", sel("dev"))])],
    { one: () => ({ allowed: true }), two: () => ({ allowed: false }) },
    undefined,
    labels,
  );
  await s.validating.validate(attrs());
  await s.mutating.admit(attrs());
  assert.deepEqual(s.calls.map((c) => c.host), ["one", "one"]);
  assert.deepEqual(reads, ["root/default", "root/default"]);
});

Deno.test("mutating webhooks registered for DELETE are asked about deletes: they may refuse, not patch", async () => {
  const onDelete = (name: string) =>
    hook(name, {
      rules: [{
        operations: ["DELETE"],
        apiGroups: [""],
        apiVersions: ["v1"],
        resources: ["configmaps"],
        scope: "*",
      }],
    });
  const stored = attrs().object;
  const del = (): DeleteAttributes => {
    const { object: _o, ...rest } = attrs();
    return { ...rest, operation: "DELETE", oldObject: stored };
  };
  const s = setup(
    [config("a", [onDelete("ok"), hook("writes-only")])],
    { ok: () => ({ allowed: true }), "writes-only": addLabel },
  );
  await s.mutating.admitDelete!(del());
  assert.deepEqual(s.calls.map((c) => c.host), ["ok"]);
  const req = s.calls[0].review.request;
  assert.equal(req.operation, "DELETE");
  assert.equal(req.object, null);
  assert.equal((req.oldObject as KubeObject).metadata.name, "cm");
  assert.equal((req.options as KubeObject).kind, "DeleteOptions");

  const deny = setup([config("a", [onDelete("no")])], {
    no: () => ({ allowed: false, status: { message: "keep it" } }),
  });
  const refused = await refusal(deny.mutating.admitDelete!(del()));
  assert.equal(refused.code, 400);
  assert.equal(
    refused.message,
    'admission webhook "no.example.com" denied the request: keep it',
  );

  for (const failurePolicy of ["Fail", "Ignore"] as const) {
    const patching = setup(
      [config("a", [{ ...onDelete("p"), failurePolicy }])],
      { p: addLabel },
    );
    const e = await refusal(patching.mutating.admitDelete!(del()));
    assert.equal(e.code, 500, failurePolicy);
    assert.equal(
      e.message,
      'Internal error occurred: admission webhook "p.example.com" attempted to modify the object, which is not supported for this operation',
    );
  }
  const emptyPatch = setup([config("a", [onDelete("e")])], {
    e: () => ({ allowed: true, patchType: "JSONPatch", patch: patchOf([]) }),
  });
  await emptyPatch.mutating.admitDelete!(del());
});
