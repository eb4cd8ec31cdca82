import assert from "node:assert/strict";
import { isStorageError } from "../../storage/mod.ts";
import { openPostgresLog } from "./mod.ts";
import { postgresConfigFromFlags } from "./config.ts";

function config(port: number) {
  return postgresConfigFromFlags({
    "postgres-url": `postgres://u:p@127.0.0.1:${port}/db`,
    "postgres-sslmode": "disable",
  });
}

Deno.test("a closed port fails the start at once with Unavailable naming the endpoint", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const started = Date.now();
  const err = await openPostgresLog(config(port)).then(
    () => undefined,
    (e) => e,
  );
  assert.ok(isStorageError(err, "Unavailable"), String(err));
  assert.match(
    err.message,
    new RegExp(
      `postgres: 127\\.0\\.0\\.1:${port}/db is not reachable \\(opening: .*ECONNREFUSED`,
    ),
  );
  assert.ok(Date.now() - started < 5_000);
});

Deno.test("an endpoint that never answers fails the start within the start-up bound", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of l) held.push(c); // accept, say nothing
  })();
  try {
    const started = Date.now();
    const err = await openPostgresLog(config(port), { startupTimeoutMs: 1500 })
      .then(() => undefined, (e) => e);
    assert.ok(isStorageError(err, "Unavailable"), String(err));
    assert.match(err.message, /could not prepare schema hyperplane within 2s/);
    assert.ok(Date.now() - started < 6_000);
  } finally {
    l.close();
    for (const c of held) c.close();
    await accepting.catch(() => {});
  }
});

Deno.test("an endpoint that hangs up right after a connection became ready fails the start with Unavailable, and the process lives on", async () => {
  // What PostgreSQL does when it is killed at that moment, made certain:
  // authentication succeeds, `ReadyForQuery` is sent, the socket closes.
  // The driver once ran a query of its own there that nothing awaited, and
  // its rejection ended the process (this test file).
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const ready = new Uint8Array([
    ...[0x52, 0, 0, 0, 8, 0, 0, 0, 0], // AuthenticationOk
    ...[0x5a, 0, 0, 0, 5, 0x49], // ReadyForQuery (idle)
  ]);
  let hungUp = 0;
  const serving = (async () => {
    for await (const c of l) {
      (async () => {
        try {
          await c.read(new Uint8Array(1024)); // the StartupMessage
          await c.write(ready);
          hungUp++;
        } finally {
          c.close();
        }
      })().catch(() => {});
    }
  })();
  try {
    const err = await openPostgresLog(config(port), { startupTimeoutMs: 3000 })
      .then(() => undefined, (e) => e);
    assert.ok(isStorageError(err, "Unavailable"), String(err));
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}/db`));
    assert.ok(hungUp > 0);
    // Unhandled rejections surface on a later turn: give them one.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    l.close();
    await serving.catch(() => {});
  }
});
