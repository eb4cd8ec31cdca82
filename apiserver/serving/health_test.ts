import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import { createHealthHandler, type HealthCheck } from "./health.ts";

function checkOf(name: string, healthy: () => boolean): HealthCheck {
  return {
    name,
    check: () =>
      healthy() ? Promise.resolve() : Promise.reject(new Error(`${name} down`)),
  };
}

function setup() {
  const state = { storage: true, api: true, shuttingDown: false };
  const handler = createHealthHandler({
    checks: {
      liveness: [checkOf("etcd", () => state.storage)],
      readiness: [checkOf("api-ready", () => state.api)],
    },
    shuttingDown: () => state.shuttingDown,
    logger: silentLogger,
  });
  const get = async (
    endpoint: "healthz" | "livez" | "readyz",
    query = "",
    check?: string,
  ) => {
    const res = await handler(
      new Request(`https://x/${endpoint}${query}`),
      endpoint,
      check,
    );
    return { status: res.status, body: await res.text(), res };
  };
  return { state, get };
}

Deno.test("healthy endpoints answer ok as plain text", async () => {
  const { get } = setup();
  for (const e of ["healthz", "livez", "readyz"] as const) {
    const r = await get(e);
    assert.equal(r.status, 200);
    assert.equal(r.body, "ok");
    assert.equal(
      r.res.headers.get("content-type"),
      "text/plain; charset=utf-8",
    );
  }
});

Deno.test("verbose lists each check and the overall verdict", async () => {
  const { get } = setup();
  assert.equal(
    (await get("readyz", "?verbose")).body,
    "[+]ping ok\n[+]etcd ok\n[+]api-ready ok\n[+]shutdown ok\nreadyz check passed\n",
  );
  assert.equal(
    (await get("livez", "?verbose")).body,
    "[+]ping ok\n[+]etcd ok\nlivez check passed\n",
  );
});

Deno.test("a failing readiness check fails readyz with 500 and withholds the reason", async () => {
  const { state, get } = setup();
  state.api = false;
  const r = await get("readyz");
  assert.equal(r.status, 500);
  assert.equal(
    r.body,
    "[+]ping ok\n[+]etcd ok\n[-]api-ready failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n",
  );
  assert.equal((await get("livez")).status, 200);
  assert.equal((await get("healthz")).status, 500);
});

Deno.test("exclude skips a named check and warns about unknown names", async () => {
  const { state, get } = setup();
  state.api = false;
  const r = await get("readyz", "?verbose&exclude=api-ready&exclude=nope");
  assert.equal(r.status, 200);
  assert.equal(
    r.body,
    '[+]ping ok\n[+]etcd ok\n[+]api-ready excluded: ok\n[+]shutdown ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n',
  );
});

Deno.test("a single check is served under its own path", async () => {
  const { state, get } = setup();
  assert.deepEqual(
    [
      (await get("livez", "", "etcd")).status,
      (await get("livez", "", "etcd")).body,
    ],
    [200, "ok"],
  );
  state.storage = false;
  const failed = await get("readyz", "", "etcd");
  assert.equal(failed.status, 500);
  assert.doesNotMatch(failed.body, /etcd down/);
  assert.equal((await get("livez", "", "api-ready")).status, 404);
  assert.equal((await get("readyz", "", "api-ready")).status, 200);
});

Deno.test("readyz fails its shutdown check once shutdown begins, livez does not", async () => {
  const { state, get } = setup();
  state.shuttingDown = true;
  const r = await get("readyz");
  assert.equal(r.status, 500);
  assert.match(r.body, /\[-\]shutdown failed: reason withheld/);
  assert.equal((await get("livez")).status, 200);
});

Deno.test("a check that outlives its timeout fails, and a running check is shared", async () => {
  let started = 0;
  let stalled = true;
  const pending: (() => void)[] = [];
  const handler = createHealthHandler({
    checks: {
      readiness: [{
        name: "storage",
        check: (signal) => {
          started++;
          if (!stalled) return Promise.resolve();
          return new Promise<void>((resolve, reject) => {
            pending.push(resolve);
            signal.addEventListener("abort", () => reject(signal.reason));
          });
        },
      }],
    },
    shuttingDown: () => false,
    logger: silentLogger,
    timeoutMs: 100,
  });
  const probe = async (q = "") => {
    const res = await handler(new Request(`https://x/readyz${q}`), "readyz");
    return { status: res.status, body: await res.text() };
  };
  const [a, b, c] = await Promise.all([probe(), probe(), probe("?verbose")]);
  assert.equal(started, 1); // three probes, one check
  for (const r of [a, b, c]) {
    assert.equal(r.status, 500);
    assert.equal(
      r.body,
      "[+]ping ok\n[-]storage failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n",
    );
  }
  assert.equal((await probe("?exclude=storage")).status, 200);
  stalled = false;
  for (const resolve of pending) resolve();
  assert.deepEqual(await probe("?verbose"), {
    status: 200,
    body: "[+]ping ok\n[+]storage ok\n[+]shutdown ok\nreadyz check passed\n",
  });
});
