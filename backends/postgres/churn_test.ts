import assert from "node:assert/strict";
import postgres from "postgres";
import {
  postgresTestConfig,
  startPostgres,
} from "../../tests/support/postgres.ts";
import { openPostgresLog } from "./mod.ts";

const KEYS = 50;
const ROUNDS = 3;
const UPDATES_PER_ROUND = 1000;

Deno.test("history stays bounded under churn with compaction", async () => {
  const pg = await startPostgres();
  if (!pg) return;
  const log = await openPostgresLog(postgresTestConfig(pg));
  const sql = postgres({
    host: "127.0.0.1",
    port: pg.port,
    database: "postgres",
    username: "hyperplane",
    password: pg.password,
    max: 1,
    onnotice: () => {},
  });
  try {
    const key = (i: number) => `/registry/configmaps/clusters/root/churn/k${i}`;
    const value = (n: number) => JSON.stringify({ n, pad: "x".repeat(400) });
    const revs = new Map<number, number>();
    for (let i = 0; i < KEYS; i++) {
      revs.set(i, await log.create(key(i), value(0)));
    }
    const sizes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let u = 0; u < UPDATES_PER_ROUND; u += KEYS) {
        // One update per key, concurrently: group commit batches them.
        await Promise.all(
          [...revs.keys()].map(async (i) =>
            revs.set(i, await log.update(key(i), value(u), revs.get(i)!))
          ),
        );
      }
      await log.compact(await log.currentRevision());
      const [row] = await sql`SELECT
        (SELECT count(*) FROM hyperplane.log)::int AS rows,
        pg_total_relation_size('hyperplane.log')::int AS bytes`;
      sizes.push(row.bytes);
      // After compacting to the current revision only live rows are left.
      assert.equal(row.rows, KEYS);
    }
    console.log(
      `postgres churn: ${
        ROUNDS * UPDATES_PER_ROUND
      } updates over ${KEYS} keys; ` +
        `log table size after each compaction: ${
          sizes.map((b) => `${Math.round(b / 1024)} KiB`).join(", ")
        }`,
    );
    // Space freed by compaction (and VACUUM) is reused: the table does not
    // keep growing round after round.
    assert.ok(
      sizes[ROUNDS - 1] <= sizes[0] * 1.5 + 256 * 1024,
      `log table grew: ${sizes.join(", ")}`,
    );
  } finally {
    await sql.end();
    await log.close();
    await pg.stop();
  }
});
