import assert from "node:assert/strict";
import type { UserInfo } from "../request_context.ts";
import {
  ADMIN,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import {
  buildChain,
  type Filter,
  newState,
  type RequestState,
} from "./chain.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };

/** A filter that records its entry and exit in `log`. */
function tracing(name: string, log: string[]): Filter {
  return async (_state, next) => {
    log.push(`>${name}`);
    const res = await next();
    log.push(`<${name}`);
    return res;
  };
}

Deno.test("filters run outermost first, around the terminal, and unwind in reverse", async () => {
  const log: string[] = [];
  const serve = buildChain(
    [tracing("a", log), tracing("b", log), tracing("c", log)],
    () => {
      log.push("terminal");
      return Promise.resolve(new Response("ok"));
    },
  );
  const res = await serve(new Request("http://h/x"), { user: alice });
  assert.equal(await res.text(), "ok");
  assert.deepEqual(log, [">a", ">b", ">c", "terminal", "<c", "<b", "<a"]);
});

Deno.test("a filter that answers without calling next stops the chain there", async () => {
  const log: string[] = [];
  const answering: Filter = () => {
    log.push("answer");
    return Promise.resolve(new Response("short", { status: 429 }));
  };
  const serve = buildChain(
    [tracing("a", log), answering, tracing("never", log)],
    () => {
      log.push("terminal");
      return Promise.resolve(new Response("ok"));
    },
  );
  const res = await serve(new Request("http://h/x"), { user: alice });
  assert.equal(res.status, 429);
  assert.equal(await res.text(), "short");
  assert.deepEqual(log, [">a", "answer", "<a"]);
});

Deno.test("a filter that throws stops the chain and the error reaches the outer filters", async () => {
  const seen: unknown[] = [];
  const catching: Filter = async (_s, next) => {
    try {
      return await next();
    } catch (e) {
      seen.push(e);
      return new Response("caught", { status: 500 });
    }
  };
  let terminalRan = false;
  const serve = buildChain(
    [catching, () => Promise.reject(new Error("boom"))],
    () => {
      terminalRan = true;
      return Promise.resolve(new Response("ok"));
    },
  );
  const res = await serve(new Request("http://h/x"), { user: alice });
  assert.equal(res.status, 500);
  await res.body?.cancel();
  assert.equal(terminalRan, false);
  assert.equal((seen[0] as Error).message, "boom");
});

Deno.test("every stage and the terminal share one state per request", async () => {
  const states: RequestState[] = [];
  const setting: Filter = (state, next) => {
    state.cluster = "team-a";
    state.warnings.push("from the filter");
    states.push(state);
    return next();
  };
  const serve = buildChain([setting], (state) => {
    states.push(state);
    return Promise.resolve(
      new Response(`${state.cluster} ${state.warnings.join(",")}`),
    );
  });
  const res = await serve(new Request("http://h/x"), { user: alice });
  assert.equal(await res.text(), "team-a from the filter");
  assert.equal(states[0], states[1]);
  // A second request starts from a fresh state.
  const again = await serve(new Request("http://h/y"), { user: alice });
  assert.equal(await again.text(), "team-a from the filter");
  assert.notEqual(states[2], states[0]);
  assert.deepEqual(states[0].warnings, ["from the filter"]);
});

Deno.test("a chain without filters calls the terminal directly", async () => {
  const serve = buildChain(
    [],
    (s) => Promise.resolve(new Response(s.user.username)),
  );
  const res = await serve(new Request("http://h/x"), { user: alice });
  assert.equal(await res.text(), "alice");
});

Deno.test("newState carries the request, user and signal, with routing fields unset", () => {
  const req = new Request("http://h/api/v1/namespaces");
  const ac = new AbortController();
  const state = newState(req, { user: alice, signal: ac.signal });
  assert.equal(state.req, req);
  assert.equal(state.user, alice);
  assert.equal(state.signal, ac.signal);
  assert.equal(state.cluster, "");
  assert.equal(state.path, "");
  assert.equal(state.target.path, "/");
  assert.equal(state.info.isResourceRequest, false);
  assert.equal(state.info.verb, "");
  assert.equal(state.attributes.verb, "");
  assert.equal(state.attributes.user.username, "");
  assert.deepEqual(state.warnings, []);
  assert.equal(state.subject, undefined);
  assert.equal(state.labels, undefined);
  // Warnings are never shared between states.
  assert.notEqual(newState(req, { user: alice }).warnings, state.warnings);
});

Deno.test("the server's chain: request info runs before impersonation and authorization", async () => {
  const server = await startTestServer();
  try {
    // A dot segment is refused (404) before the impersonation header is
    // judged (which alice may not do: 403). `Deno.serve` hands over the
    // raw target; `new Request` would resolve the dots, so it is set here.
    const req = new Request("http://hyperplane.test/", {
      headers: { "Impersonate-User": "bob" },
    });
    Object.defineProperty(req, "url", {
      value:
        "http://hyperplane.test/api/v1/../v1/namespaces/default/configmaps",
    });
    const res = await server.api.handler(req, { user: alice });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).reason, "NotFound");
    const denied = await server.request("GET", "/api/v1/configmaps", {
      user: alice,
      headers: { "Impersonate-User": "bob" },
    });
    assert.equal(denied.status, 403);
    assert.match(denied.body.message, /cannot impersonate resource "users"/);
  } finally {
    await server.close();
  }
});

Deno.test("the server's chain: metrics, outermost, count a request authorization refused", async () => {
  const server = await startTestServer();
  try {
    const denied = await server.request(
      "GET",
      "/api/v1/namespaces/default/configmaps/x",
      { user: alice },
    );
    assert.equal(denied.status, 403);
    assert.equal(denied.body.kind, "Status");
    const metrics = await server.request("GET", "/metrics", { user: ADMIN });
    assert.equal(metrics.status, 200);
    const line = (metrics.body as string).split("\n").find((l) =>
      l.startsWith("apiserver_request_total{") && l.includes('code="403"')
    );
    assert.ok(line, "a 403 is counted");
  } finally {
    await server.close();
  }
});
