import assert from "node:assert/strict";
import { createLogger, silentLogger } from "../../log/mod.ts";
import { type RequestLabels, RequestMetrics } from "../metrics/mod.ts";
import type { UserInfo } from "../request_context.ts";
import { newState, type RequestState } from "./chain.ts";
import { metrics } from "./metrics.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };

function stateOf(method = "GET", path = "/api/v1/configmaps"): RequestState {
  const state = newState(new Request(`http://h${path}`, { method }), {
    user: alice,
  });
  state.target = { path, query: new URLSearchParams() };
  return state;
}

const cmLabels = (verb: string, scope = "resource"): RequestLabels => ({
  verb,
  dryRun: false,
  group: "",
  version: "v1",
  resource: "configmaps",
  subresource: "",
  scope,
});

function inflight(m: RequestMetrics): Record<string, number> {
  return Object.fromEntries(
    m.inflight().map((s) => [s.labels.request_kind, s.value]),
  );
}

Deno.test("the status and the labels a later stage set are observed", async () => {
  const m = new RequestMetrics();
  const state = stateOf();
  const res = await metrics(m, silentLogger)(state, () => {
    state.labels = cmLabels("GET");
    return Promise.resolve(new Response("ok", { status: 200 }));
  });
  assert.equal(await res.text(), "ok");
  const totals = m.totals();
  assert.equal(totals.length, 1);
  assert.equal(totals[0].value, 1);
  assert.deepEqual(totals[0].labels, {
    verb: "GET",
    dry_run: "",
    group: "",
    version: "v1",
    resource: "configmaps",
    subresource: "",
    scope: "resource",
    component: "apiserver",
    code: "200",
  });
  const durations = m.durations();
  assert.equal(durations.length, 1);
  assert.equal(durations[0].count, 1);
  assert.equal(durations[0].labels.resource, "configmaps");
  assert.ok(durations[0].sum >= 0);
});

Deno.test("an error response is counted under its own code", async () => {
  const m = new RequestMetrics();
  const state = stateOf("DELETE", "/api/v1/namespaces/a/configmaps/x");
  const filter = metrics(m, silentLogger);
  for (const status of [404, 404, 200]) {
    const res = await filter(state, () => {
      state.labels = cmLabels("DELETE");
      return Promise.resolve(new Response(null, { status }));
    });
    assert.equal(res.status, status);
  }
  const byCode = Object.fromEntries(
    m.totals().map((s) => [s.labels.code, s.value]),
  );
  assert.deepEqual(byCode, { "404": 2, "200": 1 });
  assert.equal(m.durations()[0].count, 3);
});

Deno.test("a request no stage classified gets the non-resource labels of its method", async () => {
  const m = new RequestMetrics();
  const res = await metrics(m, silentLogger)(
    stateOf("POST", "/nowhere"),
    () => Promise.resolve(new Response(null, { status: 404 })),
  );
  assert.equal(res.status, 404);
  const [total] = m.totals();
  assert.equal(total.labels.verb, "POST");
  assert.equal(total.labels.resource, "");
  assert.equal(total.labels.scope, "");
  assert.equal(total.labels.code, "404");
});

Deno.test("a request is counted in flight while it runs, by kind", async () => {
  const m = new RequestMetrics();
  const filter = metrics(m, silentLogger);
  const seen: Record<string, number>[] = [];
  const during = (state: RequestState) =>
    filter(state, () => {
      seen.push(inflight(m));
      return Promise.resolve(new Response(null));
    });
  await during(stateOf("GET"));
  await during(stateOf("HEAD"));
  await during(stateOf("POST"));
  await during(stateOf("PATCH"));
  assert.deepEqual(seen, [
    { mutating: 0, readOnly: 1 },
    { mutating: 0, readOnly: 1 },
    { mutating: 1, readOnly: 0 },
    { mutating: 1, readOnly: 0 },
  ]);
  assert.deepEqual(inflight(m), { mutating: 0, readOnly: 0 });
});

Deno.test("concurrent requests add up in flight and all leave", async () => {
  const m = new RequestMetrics();
  const filter = metrics(m, silentLogger);
  const releases: (() => void)[] = [];
  const pending = [stateOf("GET"), stateOf("GET"), stateOf("PUT")].map((s) =>
    filter(
      s,
      () =>
        new Promise<Response>((resolve) =>
          releases.push(() => resolve(new Response(null)))
        ),
    )
  );
  await Promise.resolve();
  assert.deepEqual(inflight(m), { mutating: 1, readOnly: 2 });
  for (const r of releases) r();
  await Promise.all(pending);
  assert.deepEqual(inflight(m), { mutating: 0, readOnly: 0 });
});

Deno.test("a failing rest of the chain still leaves the in-flight count", async () => {
  const m = new RequestMetrics();
  await assert.rejects(
    metrics(m, silentLogger)(stateOf("POST"), () => {
      assert.deepEqual(inflight(m), { mutating: 1, readOnly: 0 });
      return Promise.reject(new Error("boom"));
    }),
    /boom/,
  );
  assert.deepEqual(inflight(m), { mutating: 0, readOnly: 0 });
  assert.deepEqual(m.totals(), [], "nothing to observe without a response");
});

Deno.test("watches are counted but kept out of the latencies", async () => {
  const m = new RequestMetrics();
  const state = stateOf("GET", "/api/v1/configmaps?watch=true");
  await metrics(m, silentLogger)(state, () => {
    state.labels = cmLabels("WATCH", "cluster");
    return Promise.resolve(new Response(null));
  });
  const [total] = m.totals();
  assert.equal(total.labels.verb, "WATCH");
  assert.equal(total.value, 1);
  assert.deepEqual(m.durations(), []);
});

Deno.test("each request is logged at debug level with its path, code and user", async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (l) => lines.push(l) });
  const state = stateOf("GET", "/api/v1/namespaces/a/configmaps/x");
  await metrics(new RequestMetrics(), logger)(
    state,
    () => Promise.resolve(new Response(null, { status: 403 })),
  );
  assert.equal(lines.length, 1);
  assert.match(lines[0], /level=debug/);
  assert.match(lines[0], /path=\/api\/v1\/namespaces\/a\/configmaps\/x/);
  assert.match(lines[0], /code=403/);
  assert.match(lines[0], /user=alice/);
});
