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
