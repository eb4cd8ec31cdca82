/**
 * The child of `memory_floor.ts`: the least an HTTPS JSON store on this
 * runtime does — `Deno.serve` with TLS, `node:sqlite` (WAL), the same
 * malloc trimmer and idle collection as `hyperplane server` — and nothing
 * of hyperplane's API, cache or controllers. `POST /` stores the body under
 * its `metadata.name`, `DELETE /` removes every row.
 * Args: port, certificate file, key file, database path.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { startMallocTrimmer } from "../internal/malloc_trim.ts";

const [port, certFile, keyFile, dbPath] = Deno.args;
const db = new DatabaseSync(dbPath);
db.exec("PRAGMA journal_mode = WAL; PRAGMA cache_size = -8192");
db.exec("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
const insert = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?)");
startMallocTrimmer();
Deno.serve({
  hostname: "127.0.0.1",
  port: Number(port),
  cert: Deno.readTextFileSync(certFile),
  key: Deno.readTextFileSync(keyFile),
  onListen: () => console.log("ready"),
}, async (req) => {
  if (req.method === "POST") {
    const body = await req.text();
    const obj = JSON.parse(body);
    insert.run(obj.metadata.name, JSON.stringify(obj));
    return new Response(body, {
      status: 201,
      headers: { "content-type": "application/json" },
    });
  }
  if (req.method === "DELETE") {
    db.exec("DELETE FROM kv");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return new Response("{}", {
      headers: { "content-type": "application/json" },
    });
  }
  return new Response("ok");
});
