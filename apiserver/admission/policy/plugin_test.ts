import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
  type TestResponse,
  type TestServer,
} from "../../../tests/support/apiserver_harness.ts";
import { createLogger } from "../../../log/mod.ts";

const AR = "/apis/admissionregistration.k8s.io/v1";
const CM_RULE = {
  apiGroups: [""],
  apiVersions: ["v1"],
  operations: ["CREATE", "UPDATE"],
  resources: ["configmaps"],
};

async function create(
  s: TestServer,
  path: string,
  body: unknown,
): Promise<TestResponse> {
  const r = await s.request("POST", path, { body });
  assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

function policy(name: string, spec: Record<string, unknown>) {
  return {
    metadata: { name },
    spec: { matchConstraints: { resourceRules: [CM_RULE] }, ...spec },
  };
}

function binding(name: string, spec: Record<string, unknown>) {
  return { metadata: { name }, spec: { validationActions: ["Deny"], ...spec } };
}

/**
 * Creates a ConfigMap until `ok(r)` holds (the index follows the watch, so
 * a new binding is in force a moment after it is stored); returns the last
 * response.
 */
async function until(
  attempt: () => Promise<TestResponse>,
  ok: (r: TestResponse) => boolean,
): Promise<TestResponse> {
  let r = await attempt();
  for (let i = 0; i < 50 && !ok(r); i++) {
    await new Promise((res) => setTimeout(res, 20));
    r = await attempt();
  }
  return r;
}

let seq = 0;
const cm = (ns = "default", labels?: Record<string, string>) => () =>
  create0(ns, labels);
let current: TestServer;
function create0(ns: string, labels?: Record<string, string>) {
  return current.request("POST", `/api/v1/namespaces/${ns}/configmaps`, {
    body: configMap(`c${++seq}`, {}, labels ? { metadata: { labels } } : {}),
  });
}

Deno.test("ValidatingAdmissionPolicy in the request pipeline", async (t) => {
  const s = current = await startTestServer();
  try {
    await t.step(
      "Deny: upstream's message, reason Invalid and 422 by default",
      async () => {
        await create(
          s,
          `${AR}/validatingadmissionpolicies`,
          policy("team-label", {
            validations: [{
              expression: "'team' in object.metadata.?labels.orValue({})",
              message: "a team label is required",
            }],
          }),
        );
        await create(
          s,
          `${AR}/validatingadmissionpolicybindings`,
          binding("team-label", { policyName: "team-label" }),
        );
        const r = await until(cm(), (r) => r.status === 422);
        assert.equal(r.status, 422);
        assert.equal(r.body.reason, "Invalid");
        assert.match(
          r.body.message,
          /^configmaps "c\d+" is forbidden: ValidatingAdmissionPolicy 'team-label' with binding 'team-label' denied request: a team label is required$/,
        );
        assert.deepEqual(r.body.details.causes, [{
          message:
            "ValidatingAdmissionPolicy 'team-label' with binding 'team-label' denied request: a team label is required",
        }]);
        assert.equal((await cm("default", { team: "a" })()).status, 201);
        // Other kinds are not matched.
        const sec = await s.request(
          "POST",
          "/api/v1/namespaces/default/secrets",
          {
            body: { metadata: { name: "s" } },
          },
        );
        assert.equal(sec.status, 201);
      },
    );

    await t.step(
      "the policy's status reports its generation and type checking",
      async () => {
        const r = await until(
          () =>
            s.request("GET", `${AR}/validatingadmissionpolicies/team-label`),
          (r) => r.body.status?.observedGeneration === 1,
        );
        assert.deepEqual(r.body.status, {
          observedGeneration: 1,
          typeChecking: {},
        });
        await create(
          s,
          `${AR}/validatingadmissionpolicies`,
          policy("typo", {
            validations: [{ expression: "object.dataa.size() > 0" }],
          }),
        );
        const typo = await until(
          () => s.request("GET", `${AR}/validatingadmissionpolicies/typo`),
          (r) => r.body.status?.observedGeneration === 1,
        );
        assert.deepEqual(typo.body.status.typeChecking.expressionWarnings, [{
          fieldRef: "spec.validations[0].expression",
          warning:
            "/v1, Kind=ConfigMap: ERROR: <input>:1:8: undefined field 'dataa'",
        }]);
      },
    );

    await t.step("reasons map to status codes", async () => {
      await create(s, "/api/v1/namespaces", { metadata: { name: "codes" } });
      await create(
        s,
        `${AR}/validatingadmissionpolicies`,
        policy("codes", {
          validations: [
            { expression: "!('forbid' in object.data)", reason: "Forbidden" },
            {
              expression: "!('big' in object.data)",
              reason: "RequestEntityTooLarge",
            },
          ],
        }),
      );
      await create(
        s,
        `${AR}/validatingadmissionpolicybindings`,
        binding("codes", {
          policyName: "codes",
          matchResources: {
            namespaceSelector: {
              matchLabels: { "kubernetes.io/metadata.name": "codes" },
            },
          },
        }),
      );
      const attempt = (key: string) => () =>
        s.request("POST", "/api/v1/namespaces/codes/configmaps", {
          body: configMap(`x${++seq}`, { [key]: "1" }, {
            metadata: { labels: { team: "t" } },
          }),
        });
      const forbidden = await until(attempt("forbid"), (r) => r.status === 403);
      assert.equal(forbidden.body.reason, "Forbidden");
      assert.equal((await attempt("big")()).status, 413);
      // The binding's namespaceSelector keeps it out of other namespaces.
      const elsewhere = await s.request(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        {
          body: configMap("free", { forbid: "1" }, {
            metadata: { labels: { team: "t" } },
          }),
        },
      );
      assert.equal(elsewhere.status, 201);
    });

    await t.step(
      "Warn adds a Warning header and lets the write through; Audit only logs",
      async () => {
        await create(s, "/api/v1/namespaces", { metadata: { name: "warned" } });
        await create(
          s,
          `${AR}/validatingadmissionpolicies`,
          policy("small", {
            validations: [{
              expression: "size(object.data) < 2",
              messageExpression:
                "'too many keys: ' + string(size(object.data))",
            }],
          }),
        );
        await create(
          s,
          `${AR}/validatingadmissionpolicybindings`,
          binding("small-warn", {
            policyName: "small",
            validationActions: ["Warn", "Audit"],
            matchResources: {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "warned" },
              },
            },
          }),
        );
        const attempt = () =>
          s.raw("POST", "/api/v1/namespaces/warned/configmaps", {
            body: configMap(`w${++seq}`, { a: "1", b: "2" }, {
              metadata: { labels: { team: "t" } },
            }),
          });
        let res = await attempt();
        for (let i = 0; i < 50 && !res.headers.get("warning"); i++) {
          await res.body?.cancel();
          await new Promise((r) => setTimeout(r, 20));
          res = await attempt();
        }
        await res.body?.cancel();
        assert.equal(res.status, 201);
        assert.equal(
          res.headers.get("warning"),
          `299 - "Validation failed for ValidatingAdmissionPolicy 'small' with binding 'small-warn': too many keys: 2"`,
        );
      },
    );

    await t.step(
      "params by name and by selector; parameterNotFoundAction",
      async () => {
        await create(s, "/api/v1/namespaces", { metadata: { name: "params" } });
        await create(
          s,
          "/api/v1/namespaces/params/configmaps",
          configMap("limits", { max: "2" }, {
            metadata: { labels: { team: "t", role: "limits" } },
          }),
        );
        await create(
          s,
          `${AR}/validatingadmissionpolicies`,
          policy("max-keys", {
            paramKind: { apiVersion: "v1", kind: "ConfigMap" },
            matchConstraints: {
              resourceRules: [CM_RULE],
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "params" },
              },
            },
            validations: [{
              expression:
                "object.metadata.name == params.metadata.name || size(object.data) <= int(params.data.max)",
              messageExpression: "'at most ' + params.data.max + ' keys'",
            }],
          }),
        );
        await create(
          s,
          `${AR}/validatingadmissionpolicybindings`,
          binding("max-keys", {
            policyName: "max-keys",
            paramRef: { name: "limits", parameterNotFoundAction: "Deny" },
          }),
        );
        const attempt = (data: Record<string, string>) => () =>
          s.request("POST", "/api/v1/namespaces/params/configmaps", {
            body: configMap(`p${++seq}`, data, {
              metadata: { labels: { team: "t" } },
            }),
          });
        const denied = await until(
          attempt({ a: "1", b: "2", c: "3" }),
          (r) => r.status === 422,
        );
        assert.match(denied.body.message, /denied request: at most 2 keys$/);
        assert.equal((await attempt({ a: "1" })()).status, 201);
        // A missing param with Deny refuses everything the binding matches.
        const missing = await s.request(
          "PUT",
          `${AR}/validatingadmissionpolicybindings/max-keys`,
          {
            body: binding("max-keys", {
              policyName: "max-keys",
              paramRef: { name: "nope", parameterNotFoundAction: "Deny" },
            }),
          },
        );
        assert.equal(missing.status, 200, JSON.stringify(missing.body));
        const notFound = await until(attempt({}), (r) => r.status === 422);
        assert.match(
          notFound.body.message,
          /denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction$/,
        );
        // Allow: no params, no evaluation.
        const allow = await s.request(
          "PUT",
          `${AR}/validatingadmissionpolicybindings/max-keys`,
          {
            body: binding("max-keys", {
              policyName: "max-keys",
              paramRef: {
                selector: { matchLabels: { role: "none" } },
                parameterNotFoundAction: "Allow",
              },
            }),
          },
        );
        assert.equal(allow.status, 200);
        assert.equal(
          (await until(
            attempt({ a: "1", b: "2", c: "3" }),
            (r) => r.status === 201,
          )).status,
          201,
        );
        // Selector: every matching param is evaluated.
        await s.request(
          "PUT",
          `${AR}/validatingadmissionpolicybindings/max-keys`,
          {
            body: binding("max-keys", {
              policyName: "max-keys",
              paramRef: {
                selector: { matchLabels: { role: "limits" } },
                parameterNotFoundAction: "Allow",
              },
            }),
          },
        );
        assert.equal(
          (await until(
            attempt({ a: "1", b: "2", c: "3" }),
            (r) => r.status === 422,
          )).status,
          422,
        );
      },
    );

    await t.step(
      "failurePolicy: Fail denies on an evaluation error, Ignore lets it through",
      async () => {
        for (const [fp, ns] of [["Fail", "fail"], ["Ignore", "ignore"]]) {
          await create(s, "/api/v1/namespaces", { metadata: { name: ns } });
          await create(
            s,
            `${AR}/validatingadmissionpolicies`,
            policy(`err-${ns}`, {
              failurePolicy: fp,
              matchConstraints: {
                resourceRules: [CM_RULE],
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": ns },
                },
              },
              validations: [{ expression: "object.data.required == 'yes'" }],
            }),
          );
          await create(
            s,
            `${AR}/validatingadmissionpolicybindings`,
            binding(`err-${ns}`, {
              policyName: `err-${ns}`,
            }),
          );
        }
        const inNs = (ns: string) => () =>
          s.request("POST", `/api/v1/namespaces/${ns}/configmaps`, {
            body: configMap(`e${++seq}`, {}, {
              metadata: { labels: { team: "t" } },
            }),
          });
        const fail = await until(inNs("fail"), (r) => r.status === 422);
        assert.match(
          fail.body.message,
          /denied request: expression 'object.data.required == 'yes'' resulted in error: No such key: required$/,
        );
        assert.equal((await inNs("ignore")()).status, 201);
      },
    );

    await t.step(
      "an invalid expression is a 422 on write, never a 500",
      async () => {
        const r = await s.request("POST", `${AR}/validatingadmissionpolicies`, {
          body: policy("broken", {
            validations: [{ expression: "object.metadata.name ==" }],
          }),
        });
        assert.equal(r.status, 422);
        assert.equal(
          r.body.details.causes[0].field,
          "spec.validations[0].expression",
        );
        assert.match(
          r.body.details.causes[0].message,
          /compilation failed: ERROR: <input>:1:/,
        );
      },
    );

    await t.step(
      "Equivalent: a policy on events.k8s.io/v1 events also sees core v1 events, converted",
      async () => {
        await create(
          s,
          `${AR}/validatingadmissionpolicies`,
          policy("event-note", {
            matchConstraints: {
              resourceRules: [{
                apiGroups: ["events.k8s.io"],
                apiVersions: ["v1"],
                operations: ["CREATE"],
                resources: ["events"],
              }],
            },
            validations: [{
              expression:
                "object.note != 'bad' && request.requestResource.group == ''",
              message: "bad note",
            }],
          }),
        );
        await create(
          s,
          `${AR}/validatingadmissionpolicybindings`,
          binding("event-note", {
            policyName: "event-note",
          }),
        );
        const attempt = (message: string) => () =>
          s.request("POST", "/api/v1/namespaces/default/events", {
            body: {
              metadata: { name: `ev${++seq}` },
              involvedObject: {
                kind: "ConfigMap",
                name: "x",
                namespace: "default",
              },
              message,
              reason: "Test",
              type: "Normal",
            },
          });
        const r = await until(attempt("bad"), (r) => r.status === 422);
        assert.match(
          r.body.message,
          /ValidatingAdmissionPolicy 'event-note' with binding 'event-note' denied request: bad note/,
        );
        assert.equal((await attempt("fine")()).status, 201);
      },
    );

    await t.step(
      "a binding's policy and bindings of other clusters do not apply",
      async () => {
        const r = await s.request(
          "POST",
          "/clusters/other/api/v1/namespaces/default/configmaps",
          {
            body: configMap("no-label"),
          },
        );
        assert.equal(r.status, 201, JSON.stringify(r.body));
        await create(
          s,
          `${AR}/validatingadmissionpolicybindings`,
          binding("dangling", {
            policyName: "does-not-exist",
          }),
        );
        // Policy objects themselves are never matched.
        const p = await s.request("POST", `${AR}/validatingadmissionpolicies`, {
          body: policy("late", { validations: [{ expression: "true" }] }),
        });
        assert.equal(p.status, 201);
      },
    );

    await t.step(
      "authorizer checks use the request's user in the request's cluster",
      async () => {
        await create(s, "/api/v1/namespaces", { metadata: { name: "authz" } });
        await create(
          s,
          "/apis/rbac.authorization.k8s.io/v1/namespaces/authz/rolebindings",
          {
            metadata: { name: "bob-edit" },
            roleRef: {
              apiGroup: "rbac.authorization.k8s.io",
              kind: "ClusterRole",
              name: "edit",
            },
            subjects: [{
              apiGroup: "rbac.authorization.k8s.io",
              kind: "User",
              name: "bob",
            }],
          },
        );
        await create(
          s,
          `${AR}/validatingadmissionpolicies`,
          policy("readers-only", {
            matchConstraints: {
              resourceRules: [CM_RULE],
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "authz" },
              },
            },
            validations: [{
              expression:
                "authorizer.group('rbac.authorization.k8s.io').resource('clusterroles').check('get').allowed()",
              messageExpression:
                "request.userInfo.username + ' may not read cluster roles'",
              reason: "Forbidden",
            }],
          }),
        );
        await create(
          s,
          `${AR}/validatingadmissionpolicybindings`,
          binding("readers-only", {
            policyName: "readers-only",
          }),
        );
        const as = (user?: { username: string; groups: string[] }) => () =>
          s.request("POST", "/api/v1/namespaces/authz/configmaps", {
            body: configMap(`a${++seq}`, {}, {
              metadata: { labels: { team: "t" } },
            }),
            user,
          });
        const bob = { username: "bob", groups: ["system:authenticated"] };
        const denied = await until(as(bob), (r) => r.status === 403);
        assert.equal(denied.status, 403, JSON.stringify(denied.body));
        assert.match(
          denied.body.message,
          /denied request: bob may not read cluster roles$/,
        );
        assert.equal((await as()()).status, 201); // the admin may
      },
    );

    await t.step(
      "discovery lists both kinds and the status subresource",
      async () => {
        const r = await s.request("GET", AR);
        const byName = new Map(
          r.body.resources.map((x: { name: string }) => [x.name, x]),
        );
        const policies = byName.get("validatingadmissionpolicies") as Record<
          string,
          unknown
        >;
        assert.equal(policies.kind, "ValidatingAdmissionPolicy");
        assert.equal(policies.namespaced, false);
        assert.deepEqual(policies.categories, ["api-extensions"]);
        assert.ok(byName.has("validatingadmissionpolicies/status"));
        assert.equal(
          (byName.get("validatingadmissionpolicybindings") as Record<
            string,
            unknown
          >).kind,
          "ValidatingAdmissionPolicyBinding",
        );
      },
    );

    await t.step("printer columns as upstream", async () => {
      const table = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" };
      const p = await s.request(
        "GET",
        `${AR}/validatingadmissionpolicies/max-keys`,
        { headers: table },
      );
      assert.deepEqual(
        p.body.columnDefinitions.map((c: { name: string }) => c.name),
        [
          "Name",
          "Validations",
          "ParamKind",
          "Age",
        ],
      );
      assert.deepEqual(p.body.rows[0].cells.slice(0, 3), [
        "max-keys",
        1,
        "v1/ConfigMap",
      ]);
      const b = await s.request(
        "GET",
        `${AR}/validatingadmissionpolicybindings/max-keys`,
        { headers: table },
      );
      assert.deepEqual(
        b.body.columnDefinitions.map((c: { name: string }) => c.name),
        [
          "Name",
          "PolicyName",
          "ParamRef",
          "Age",
        ],
      );
      assert.deepEqual(b.body.rows[0].cells.slice(0, 3), [
        "max-keys",
        "max-keys",
        "role=limits",
      ]);
    });
  } finally {
    await s.close();
  }
});

Deno.test("Audit logs the failure and lets the write through; audit annotations are logged", async () => {
  const lines: string[] = [];
  const s = current = await startTestServer({
    logger: createLogger({ write: (l) => lines.push(l) }),
  });
  try {
    await create(
      s,
      `${AR}/validatingadmissionpolicies`,
      policy("audited", {
        validations: [{
          expression: "size(object.data) == 0",
          message: "has data",
        }],
        auditAnnotations: [{
          key: "keys",
          valueExpression: "string(size(object.data))",
        }],
      }),
    );
    await create(
      s,
      `${AR}/validatingadmissionpolicybindings`,
      binding("audited", {
        policyName: "audited",
        validationActions: ["Audit"],
      }),
    );
    const attempt = () =>
      s.request("POST", "/api/v1/namespaces/default/configmaps", {
        body: configMap(`au${++seq}`, { a: "1" }),
      });
    const logged = () =>
      lines.some((l) => l.includes("admission policy validation failure"));
    let r = await attempt();
    for (let i = 0; i < 50 && !logged(); i++) {
      await new Promise((res) => setTimeout(res, 20));
      r = await attempt();
    }
    assert.equal(r.status, 201);
    const failure = lines.find((l) =>
      l.includes("admission policy validation failure")
    )!;
    assert.match(
      failure,
      /validation\.policy\.admission\.k8s\.io\/validation_failure/,
    );
    assert.match(failure, /has data/);
    assert.ok(
      lines.some((l) =>
        l.includes("admission policy audit annotations") &&
        l.includes("audited/keys")
      ),
    );
  } finally {
    await s.close();
  }
});
