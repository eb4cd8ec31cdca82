import assert from "node:assert/strict";
import type {
  ApiHandler,
  WatchObjectEvent,
} from "../../apiserver/request_context.ts";
import { ApiClient } from "./api_client.ts";
import { ApiStatusError } from "./api_error.ts";
import { CORE } from "./resource.ts";
import { inProcessTransport } from "./transport.ts";

/** Events that record their cancellation. */
function cancellable() {
  const state = { cancelled: false };
  const events = new ReadableStream<WatchObjectEvent>({
    start(c) {
      c.enqueue(Object.freeze({ type: "ADDED", object: { metadata: {} } }));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { events, state };
}

const target = { cluster: "root", resource: CORE.configmaps };

Deno.test("in-process watches take events as objects; other requests never offer it", async () => {
  const { events } = cancellable();
  const offered: boolean[] = [];
  const handler: ApiHandler = (_req, ctx) => {
    offered.push(ctx.watchEvents !== undefined);
    ctx.watchEvents?.(events);
    return Promise.resolve(
      ctx.watchEvents
        ? new Response(null, { status: 200 })
        : Response.json({ metadata: {}, items: [] }),
    );
  };
  const client = new ApiClient(inProcessTransport(handler));
  await client.list(target);
  const stop = new AbortController();
  for await (const ev of client.watch(target, {}, stop.signal)) {
    assert.equal(ev.type, "ADDED");
    assert.ok(Object.isFrozen(ev));
    stop.abort();
  }
  assert.deepEqual(offered, [false, true]);
});

Deno.test("in-process watch: events handed over before an error answer or a throw are cancelled", async () => {
  const answered = cancellable();
  const failing = new ApiClient(inProcessTransport((_req, ctx) => {
    ctx.watchEvents?.(answered.events);
    return Promise.resolve(
      Response.json({ kind: "Status", code: 500, message: "boom" }, {
        status: 500,
      }),
    );
  }));
  const stop = new AbortController();
  await assert.rejects(async () => {
    for await (const _ of failing.watch(target, {}, stop.signal)) {
      // never reached
    }
  }, ApiStatusError);
  assert.equal(answered.state.cancelled, true);

  const thrown = cancellable();
  const throwing = inProcessTransport((_req, ctx) => {
    ctx.watchEvents?.(thrown.events);
    return Promise.reject(new Error("handler failed"));
  });
  await assert.rejects(
    () => throwing.sendWatch!(new Request("http://api/api/v1/configmaps")),
    /handler failed/,
  );
  assert.equal(thrown.state.cancelled, true);
});
