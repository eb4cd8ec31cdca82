/**
 * Bad configuration fails fast and clearly: a closed port within the 30 s
 * startup bound, missing flags all listed at once.
 */
import assert from "node:assert/strict";
import { freePort } from "./support/spanner.ts";
import { isStorageError } from "../storage/mod.ts";
import { openSpannerLog } from "../backends/spanner/mod.ts";

Deno.test("pointing at a closed port fails within the startup bound naming the endpoint", async () => {
  const port = freePort();
  const started = Date.now();
  await assert.rejects(
    openSpannerLog({
      project: "test-project",
      instance: "test-instance",
      database: "db",
      emulatorHost: `127.0.0.1:${port}`,
    }),
    (err) => {
      assert.ok(isStorageError(err, "Unavailable"), String(err));
      assert.match(err.message, new RegExp(`emulator 127\\.0\\.0\\.1:${port}`));
      assert.match(err.message, /within 30s|unreachable|UNAVAILABLE/);
      return true;
    },
  );
  // Not a timing assertion on performance: the bound is the behaviour.
  assert.ok(Date.now() - started < 40_000);
});

Deno.test("an endpoint that accepts but never answers fails at the startup bound", async () => {
  // A TCP listener that swallows connections: the gRPC handshake hangs, so
  // only the startup deadline can end the wait.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) conns.push(conn);
    } catch { /* listener closed */ }
  })();
  try {
    await assert.rejects(
      openSpannerLog({
        project: "test-project",
        instance: "test-instance",
        database: "db",
        emulatorHost: `127.0.0.1:${port}`,
      }, { startupTimeoutMs: 1500 }),
      (err) => {
        assert.ok(isStorageError(err, "Unavailable"), String(err));
        assert.match(
          err.message,
          new RegExp(`emulator 127\\.0\\.0\\.1:${port}.* within 1\\.5s`),
        );
        return true;
      },
    );
  } finally {
    listener.close();
    await accepting;
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed by the client */ }
    }
  }
});
