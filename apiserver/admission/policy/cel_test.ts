import assert from "node:assert/strict";
import type { Authorizer } from "../../authz/authorizer.ts";
import {
  AuthorizerValue,
  CALL_LIMIT_MESSAGE,
  CostMeter,
  PolicyCel,
  ResourceCheck,
  toCel,
} from "./cel.ts";
import { compilePolicy, typeCheckWarnings } from "./compile.ts";
import { evaluatePolicy } from "./evaluate.ts";
import type { PolicyObject, PolicySpec } from "./types.ts";

const cel = new PolicyCel();
const NO_PARAMS = { params: false };

function policy(spec: PolicySpec, name = "p"): PolicyObject {
  return {
    metadata: { name, uid: name, generation: 1 },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: { resourceRules: [] },
      ...spec,
    },
  };
}

function cmActivation(data: Record<string, unknown> = {}) {
  return {
    object: toCel({ metadata: { name: "c", labels: { a: "1" } }, data }),
    oldObject: null,
    request: { operation: "CREATE" },
    namespaceObject: null,
  };
}

Deno.test("compile errors carry upstream's shape with line and column", () => {
  const c = cel.compile("object.x +", NO_PARAMS);
  assert.ok("error" in c);
  assert.match(c.error, /^compilation failed: ERROR: <input>:1:11: /);
  const undeclared = cel.compile("params.x == 1", NO_PARAMS);
  assert.ok("error" in undeclared, "params needs a paramKind");
  assert.ok(!("error" in cel.compile("params.x == 1", { params: true })));
  const unknownVariable = cel.compile("variables.nope", NO_PARAMS, ["a"]);
  assert.ok("error" in unknownVariable);
  assert.match(unknownVariable.error, /undefined field 'nope'/);
});

Deno.test("integers are CEL ints; optional chaining and macros work", () => {
  const c = cel.compile(
    "object.spec.replicas <= 5 && object.?spec.?missing.orValue('x') == 'x' && object.items.all(i, i > 0)",
    NO_PARAMS,
  );
  assert.ok(!("error" in c));
  const run = (replicas: number) =>
    cel.run(c, NO_PARAMS, {
      object: toCel({ spec: { replicas }, items: [1, 2] }),
    }, new CostMeter());
  assert.equal(run(3), true);
  assert.equal(run(6), false);
});

Deno.test("a runaway expression is stopped by the per-call cost limit", () => {
  const c = cel.compile(
    "object.l.map(x, object.l.map(y, x + y)).size() > 0",
    NO_PARAMS,
  );
  assert.ok(!("error" in c));
  const l = Array.from({ length: 2000 }, (_, i) => i);
  assert.throws(
    () => cel.run(c, NO_PARAMS, { object: toCel({ l }) }, new CostMeter()),
    { message: CALL_LIMIT_MESSAGE },
  );
  // A small input is fine with the same expression.
  assert.equal(
    cel.run(c, NO_PARAMS, { object: toCel({ l: [1, 2] }) }, new CostMeter()),
    true,
  );
});

Deno.test("authorizer checks run with the request's user and cluster", async () => {
  const seen: unknown[] = [];
  const authorizer: Authorizer = {
    authorize(attrs) {
      seen.push(attrs);
      return Promise.resolve({ allowed: attrs.verb === "get" });
    },
  };
  const user = { username: "bob", groups: [] };
  const authz = new AuthorizerValue(
    authorizer,
    user,
    "tenant",
    new ResourceCheck(undefined, "", ""),
  );
  const c = cel.compile(
    "authorizer.group('').resource('configmaps').namespace('x').check('get').allowed() && !authorizer.group('').resource('secrets').check('list').allowed()",
    NO_PARAMS,
  );
  assert.ok(!("error" in c) && c.async);
  assert.equal(
    await cel.run(c, NO_PARAMS, { authorizer: authz }, new CostMeter()),
    true,
  );
  assert.deepEqual(seen[0], {
    user,
    cluster: "tenant",
    verb: "get",
    isResourceRequest: true,
    apiGroup: "",
    resource: "configmaps",
    subresource: "",
    namespace: "x",
    name: "",
  });
});

Deno.test("validations: message, messageExpression, default message, reason", async () => {
  const p = compilePolicy(
    cel,
    policy({
      validations: [
        { expression: "size(object.data) > 0", message: "needs data" },
        {
          expression: "false",
          messageExpression: "'name ' + object.metadata.name",
          reason: "Forbidden",
        },
        { expression: " 1 == 2 " },
        { expression: "true" },
      ],
    }),
  );
  const r = await evaluatePolicy(cel, p, cmActivation());
  assert.deepEqual(r.decisions.map((d) => [d.action, d.message, d.reason]), [
    ["deny", "needs data", "Invalid"],
    ["deny", "name c", "Forbidden"],
    ["deny", "failed expression: 1 == 2", "Invalid"],
    ["admit", "", undefined],
  ]);
});

Deno.test("variables are lazy: an unused failing one does no harm, later ones read earlier ones", async () => {
  const p = compilePolicy(
    cel,
    policy({
      variables: [
        { name: "boom", expression: "object.nope.x" },
        { name: "count", expression: "size(object.data)" },
        { name: "twice", expression: "variables.count * 2" },
      ],
      validations: [{ expression: "variables.twice == 2" }],
    }),
  );
  // `boom` would fail, but nothing reads it.
  const r = await evaluatePolicy(cel, p, cmActivation({ a: "x" }));
  assert.deepEqual(r.decisions.map((d) => d.action), ["admit"]);
});

Deno.test("evaluation errors follow the failure policy", async () => {
  const spec: PolicySpec = {
    validations: [{ expression: "object.data.missing == 'x'" }],
  };
  const fail = await evaluatePolicy(
    cel,
    compilePolicy(cel, policy(spec)),
    cmActivation(),
  );
  assert.equal(fail.decisions[0].action, "deny");
  assert.equal(fail.decisions[0].error, true);
  assert.match(
    fail.decisions[0].message,
    /^expression 'object.data.missing == 'x'' resulted in error: No such key: missing/,
  );
  const ignore = await evaluatePolicy(
    cel,
    compilePolicy(cel, policy({ ...spec, failurePolicy: "Ignore" })),
    cmActivation(),
  );
  assert.equal(ignore.decisions[0].action, "admit");
  // A stored expression that does not compile is a compilation error.
  const broken = compilePolicy(
    cel,
    policy({ validations: [{ expression: "object.+" }] }),
  );
  const r = await evaluatePolicy(cel, broken, cmActivation());
  assert.match(
    r.decisions[0].message,
    /^compilation error: compilation failed/,
  );
});

Deno.test("matchConditions: false skips the policy, an error follows the failure policy", async () => {
  const skip = compilePolicy(
    cel,
    policy({
      matchConditions: [{
        name: "has-a",
        expression: "'b' in object.metadata.labels",
      }],
      validations: [{ expression: "false" }],
    }),
  );
  assert.deepEqual(
    (await evaluatePolicy(cel, skip, cmActivation())).decisions,
    [],
  );
  const broken = compilePolicy(
    cel,
    policy({
      matchConditions: [{ name: "bad", expression: "object.nope == 1" }],
      validations: [{ expression: "true" }],
    }),
  );
  const r = await evaluatePolicy(cel, broken, cmActivation());
  assert.equal(r.decisions[0].action, "deny");
  assert.match(r.decisions[0].message, /matchCondition 'bad'/);
});

Deno.test("audit annotations are evaluated (null and empty are omitted)", async () => {
  const p = compilePolicy(
    cel,
    policy({
      auditAnnotations: [
        { key: "name", valueExpression: "object.metadata.name" },
        { key: "none", valueExpression: "null" },
      ],
    }, "audit"),
  );
  const r = await evaluatePolicy(cel, p, cmActivation());
  assert.deepEqual(r.audit, { "audit/name": "c" });
});

Deno.test("type checking reports expressions that do not compile and unknown fields", () => {
  const p = compilePolicy(
    cel,
    policy({
      validations: [
        { expression: "object.+" },
        { expression: "has(object.nope) || object.data.size() > 0" },
        { expression: "object.metadata.labelz == null" },
      ],
    }),
  );
  const schema = {
    type: "object" as const,
    properties: {
      metadata: {
        type: "object" as const,
        properties: { labels: { type: "object" as const } },
      },
      data: {
        type: "object" as const,
        additionalProperties: { type: "string" as const },
      },
    },
  };
  const warnings = typeCheckWarnings(p, [{
    label: "/v1, Kind=ConfigMap",
    schema,
  }]);
  assert.deepEqual(warnings.map((w) => w.fieldRef), [
    "spec.validations[0].expression",
    "spec.validations[2].expression",
  ]);
  assert.match(warnings[0].warning, /^compilation failed: ERROR: <input>:1:/);
  assert.equal(
    warnings[1].warning,
    "/v1, Kind=ConfigMap: ERROR: <input>:1:17: undefined field 'labelz'",
  );
});

Deno.test("Kubernetes library functions: strings, regex, lists", () => {
  const run = (expr: string) => {
    const c = cel.compile(expr, NO_PARAMS);
    if ("error" in c) throw new Error(c.error);
    return cel.run(c, NO_PARAMS, {
      object: toCel({ l: [3, 1, 2], s: "a-b-c" }),
    }, new CostMeter());
  };
  assert.equal(run("object.s.replace('-', '.')"), "a.b.c");
  assert.equal(run("object.s.replace('-', '.', 1)"), "a.b-c");
  assert.equal(run("object.s.charAt(2)"), "b");
  assert.equal(run("object.s.find('[a-z]-')"), "a-");
  assert.deepEqual(run("object.s.findAll('[a-z]')"), ["a", "b", "c"]);
  assert.equal(run("object.l.sum()"), 6n);
  assert.equal(run("object.l.min()"), 1n);
  assert.equal(run("object.l.max()"), 3n);
  assert.equal(run("object.l.isSorted()"), false);
  assert.equal(run("object.l.indexOf(2)"), 2n);
  assert.equal(run("[1, 2, 2].lastIndexOf(2)"), 2n);
});
