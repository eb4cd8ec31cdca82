import assert from "node:assert/strict";
import { createLogger, type Logger, silentLogger } from "../../log/mod.ts";
import { StorageError } from "../../storage/mod.ts";
import type { UserInfo } from "../request_context.ts";
import {
  ApiError,
  badRequestError,
  notFoundError,
  unavailableError,
} from "../status/mod.ts";
import { newState, type RequestState } from "./chain.ts";
import { recovery } from "./recovery.ts";
import { ApiResponse } from "../http/response.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };
const KEY = "/registry/configmaps/clusters/root/default/x";

function stateOf(
  req = new Request("http://h/api/v1/configmaps"),
): RequestState {
  return newState(req, { user: alice });
}

/** A logger keeping the lines at `error` level. */
function errorLog(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ level: "error", write: (l) => lines.push(l) }),
  };
}

/** Runs the recovery filter with a `next` that throws `err`. */
function failWith(
  err: unknown,
  state = stateOf(),
  logger: Logger = silentLogger,
): Promise<Response> {
  return recovery(logger)(state, () => Promise.reject(err));
}

Deno.test("a response from the rest of the chain passes through unchanged", async () => {
  const res = await recovery(silentLogger)(
    stateOf(),
    () => Promise.resolve(new Response("ok", { status: 201 })),
  );
  assert.equal(res.status, 201);
  assert.equal(await res.text(), "ok");
  assert.equal(res.headers.get("Warning"), null);
});

Deno.test("a thrown ApiError becomes its Status response", async () => {
  const res = await failWith(
    notFoundError({ group: "", resource: "configmaps" }, "x"),
  );
  assert.equal(res.status, 404);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(await res.json(), {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: 'configmaps "x" not found',
    reason: "NotFound",
    details: { name: "x", kind: "configmaps" },
    code: 404,
  });
});

Deno.test("an ApiError's extra headers are sent (Retry-After)", async () => {
  const err = new ApiError(429, "TooManyRequests", "slow down", undefined, {
    "Retry-After": "1",
  });
  const res = await failWith(err);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("Retry-After"), "1");
  assert.equal((await res.json()).reason, "TooManyRequests");
});

Deno.test("a thrown StorageError is named by the request's subject, without its key", async () => {
  const state = stateOf();
  state.subject = { gr: { group: "", resource: "configmaps" }, name: "x" };
  const res = await failWith(
    new StorageError("NotFound", `key not found: ${KEY}`, { key: KEY }),
    state,
  );
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.message, 'configmaps "x" not found');
  assert.equal(body.details.name, "x");

  const conflict = await failWith(
    new StorageError("KeyExists", `key exists: ${KEY}`, { key: KEY }),
    state,
  );
  assert.equal(conflict.status, 409);
  const text = await conflict.text();
  assert.doesNotMatch(text, /\/registry\//);
  assert.equal(JSON.parse(text).reason, "AlreadyExists");
});

Deno.test("storage failures keep storage keys out of every message", async () => {
  const errors: StorageError[] = [
    new StorageError("Internal", `write failed: ${KEY}`, { key: KEY }),
    new StorageError("Internal", `write failed (key ${KEY})`),
    new StorageError("Unavailable", `backend down at ${KEY}`),
    new StorageError("Expired", `too old resource version for ${KEY}`),
    new StorageError("InvalidArgument", `bad continue for ${KEY}`),
  ];
  for (const err of errors) {
    const res = await failWith(err);
    const text = await res.text();
    assert.ok(res.status >= 400, `${err.code}: ${res.status}`);
    assert.doesNotMatch(text, /\/registry\//, `${err.code}: ${text}`);
    assert.equal(JSON.parse(text).kind, "Status");
  }
});

Deno.test("a plain Error is a 500 InternalError, logged, with storage keys removed", async () => {
  const { logger, lines } = errorLog();
  const res = await failWith(
    new Error(`unexpected state of ${KEY}`),
    stateOf(),
    logger,
  );
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.equal(body.reason, "InternalError");
  assert.equal(body.code, 500);
  assert.doesNotMatch(body.message, /\/registry\//);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /request failed/);
});

Deno.test("a thrown non-Error value is a 500 too", async () => {
  const res = await failWith("a string");
  assert.equal(res.status, 500);
  assert.equal((await res.json()).reason, "InternalError");
});

Deno.test("client errors and 503s are not logged as server failures", async () => {
  const { logger, lines } = errorLog();
  for (
    const err of [
      badRequestError("bad"),
      notFoundError({ group: "", resource: "configmaps" }, "x"),
      unavailableError("storage is starting"),
    ]
  ) {
    const res = await failWith(err, stateOf(), logger);
    await res.body?.cancel();
  }
  assert.deepEqual(lines, []);
});

Deno.test("an unread request body is drained when the chain fails", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(new TextEncoder().encode("{}"));
    },
    cancel() {
      cancelled = true;
    },
  });
  const req = new Request("http://h/api/v1/namespaces/a/configmaps", {
    method: "POST",
    body,
  });
  const res = await failWith(badRequestError("no"), stateOf(req));
  assert.equal(res.status, 400);
  await res.body?.cancel();
  assert.equal(cancelled, true);
});

Deno.test("a request body already read is left alone when the chain fails", async () => {
  const req = new Request("http://h/api/v1/namespaces/a/configmaps", {
    method: "POST",
    body: "{}",
  });
  const state = stateOf(req);
  const res = await recovery(silentLogger)(state, async () => {
    await req.text();
    throw badRequestError("no");
  });
  assert.equal(res.status, 400);
  await res.body?.cancel();
  assert.equal(req.bodyUsed, true);
});

Deno.test("warnings are sent as Warning headers on success and on errors", async () => {
  const ok = stateOf();
  const res = await recovery(silentLogger)(ok, () => {
    ok.warnings.push("first", 'the "second"');
    return Promise.resolve(new Response("ok"));
  });
  await res.body?.cancel();
  assert.equal(
    res.headers.get("Warning"),
    '299 - "first", 299 - "the \\"second\\""',
  );

  const failing = stateOf();
  const err = await recovery(silentLogger)(failing, () => {
    failing.warnings.push("deprecated kind");
    return Promise.reject(badRequestError("no"));
  });
  assert.equal(err.status, 400);
  await err.body?.cancel();
  assert.equal(err.headers.get("Warning"), '299 - "deprecated kind"');
});

Deno.test("answers are written as negotiated, errors too, and a failing rewrite is the error's Status", async () => {
  const yamlReq = (ua = "") =>
    new Request("http://h/api/v1/configmaps", {
      headers: { accept: "application/yaml", "user-agent": ua },
    });
  // an error for curl: indented JSON
  const curl = await failWith(
    notFoundError({ group: "", resource: "configmaps" }, "x"),
    stateOf(new Request("http://h/x", { headers: { "user-agent": "curl/8" } })),
  );
  assert.equal(curl.status, 404);
  assert.match(await curl.text(), /^\{\n {2}"kind": "Status",\n/);
  // a streamed list whose body fails while it is rewritten as YAML
  const { logger, lines } = errorLog();
  const res = await recovery(logger)(stateOf(yamlReq()), () =>
    Promise.resolve(
      new ApiResponse(
        new ReadableStream({
          pull(c) {
            c.error(
              new StorageError("Internal", `read failed: ${KEY}`, { key: KEY }),
            );
          },
        }),
        { headers: { "content-type": "application/json" } },
      ),
    ));
  assert.equal(res.status, 500);
  assert.equal(res.headers.get("content-type"), "application/yaml");
  const text = await res.text();
  assert.match(text, /^apiVersion: v1\ncode: 500\n/);
  assert.doesNotMatch(text, /\/registry\//);
  assert.equal(lines.length, 1);
});
