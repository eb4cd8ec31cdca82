/**
 * The backend's schema, created on start (idempotent; replicas starting
 * together serialise on an advisory lock), and the SQL functions every write
 * (batched) and compaction runs as one statement (one round trip, one
 * transaction).
 *
 * Revision allocation: every write batch first locks the single `revision`
 * row of `meta` (`SELECT … FOR UPDATE`, then one `UPDATE` at the end). The
 * row lock is held until commit,
 * so writers from every replica are serialised on it: revisions are
 * allocated in commit order, with no duplicates and no gaps, and a reader
 * that sees revision N also sees every revision below N (the next writer
 * could only take the lock after N-1 was committed and visible). That is
 * what lets a watch read `revision > last` without ever skipping a
 * late-committing transaction (kine, which uses a sequence, must poll and
 * fill gaps). A refused write takes no revision, so revisions are dense.
 *
 * @module
 */

import type { Sql } from "./_client.ts";

/** Table and function names, qualified by the configured schema. */
export interface Names {
  schema: string;
  meta: string;
  kv: string;
  log: string;
  write: string;
  compact: string;
  deletePrefix: string;
  listeners: string;
  register: string;
  /** The NOTIFY channel every commit signals. */
  channel: string;
}

/** The qualified names for `schema` (already validated as a plain SQL name). */
export function namesFor(schema: string): Names {
  const q = `"${schema}"`;
  return {
    schema,
    meta: `${q}.meta`,
    kv: `${q}.kv`,
    log: `${q}.log`,
    write: `${q}.hp_write`,
    compact: `${q}.hp_compact`,
    deletePrefix: `${q}.hp_delete_prefix`,
    listeners: `${q}.listeners`,
    register: `${q}.hp_register`,
    channel: `hp_${schema}`,
  };
}

/** `log.kind` values. */
export const KIND_CREATE = 0;
export const KIND_UPDATE = 1;
export const KIND_DELETE = 2;

/**
 * Bumped whenever `schemaSql` changes; stored as the schema's comment, so a
 * start on an up-to-date database skips the DDL (one catalog read).
 */
export const SCHEMA_VERSION = "hyperplane postgres schema v2";

/** The DDL, every statement idempotent. */
export function schemaSql(n: Names): string {
  return `
CREATE SCHEMA IF NOT EXISTS "${n.schema}";
-- 'revision': the last committed revision (the write lock); 'compacted':
-- history at or below it is gone. Separate rows: compaction never blocks writers.
CREATE TABLE IF NOT EXISTS ${n.meta} (
  name text PRIMARY KEY,
  value bigint NOT NULL,
  listeners text[] NOT NULL DEFAULT '{}'  -- on 'revision': see hp_register
);
INSERT INTO ${n.meta} VALUES ('revision', 1), ('compacted', 0)
  ON CONFLICT (name) DO NOTHING;
-- The live state: one row per existing key.
CREATE TABLE IF NOT EXISTS ${n.kv} (
  key text COLLATE "C" PRIMARY KEY,
  create_revision bigint NOT NULL,
  mod_revision bigint NOT NULL,
  value text NOT NULL
);
-- History: one row per committed change (value NULL for a delete marker).
CREATE TABLE IF NOT EXISTS ${n.log} (
  revision bigint PRIMARY KEY,
  key text COLLATE "C" NOT NULL,
  kind smallint NOT NULL,
  create_revision bigint NOT NULL,
  prev_revision bigint,
  value text
);
-- Reads at an older revision: the newest row <= R per key, in key order.
CREATE INDEX IF NOT EXISTS log_key_revision ON ${n.log} (key, revision DESC);
-- Replicas listening for commits: one row per LISTEN connection (its backend
-- pid); rows of backends that are gone are dropped at every registration.
CREATE TABLE IF NOT EXISTS ${n.listeners} (
  id text PRIMARY KEY,
  pid int NOT NULL
);
-- Their ids are copied onto the revision row (meta.listeners): every write
-- updates that row, and an UPDATE always works on its newest version (after
-- waiting for the lock), so a writer sees every registration made before it
-- took the lock — its statement's older snapshot does not matter. A lone
-- replica thus skips NOTIFY (a third of a write's cost) without a race.

-- Registers the calling connection (a replica's LISTEN connection) under the
-- revision lock: a write either committed before (the replica's catch-up read
-- that follows sees it) or sees the registration (and notifies).
CREATE OR REPLACE FUNCTION ${n.register}(me text, leaving boolean)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM 1 FROM ${n.meta} WHERE name = 'revision' FOR UPDATE;
  DELETE FROM ${n.listeners} WHERE id = me
    OR pid NOT IN (SELECT pid FROM pg_stat_activity);
  IF NOT leaving THEN
    INSERT INTO ${n.listeners} VALUES (me, pg_backend_pid());
  END IF;
  UPDATE ${n.meta} SET listeners = ARRAY(SELECT id FROM ${n.listeners})
    WHERE name = 'revision';
END
$fn$;

-- A batch of writes (group commit): one transaction, one revision lock, one
-- NOTIFY. Each write checks its own condition against the state the batch's
-- earlier writes left and is refused alone (status HP409 key exists, HP404
-- not found, HP412 conflict; no revision used), so revisions stay dense.
CREATE OR REPLACE FUNCTION ${n.write}(me text, ops text[], keys text[],
  vals text[], expected text[])
RETURNS TABLE (status text, revision bigint, prev_revision bigint,
  prev_value text)
LANGUAGE plpgsql AS $fn$
DECLARE
  r bigint;
  first bigint;
  others text[];
  op smallint;
  k text;
  cur ${n.kv}%ROWTYPE;
BEGIN
  -- The revision lock first: everything after it sees every earlier commit.
  SELECT value INTO r FROM ${n.meta} WHERE name = 'revision' FOR UPDATE;
  first := r;
  FOR i IN 1 .. array_length(keys, 1) LOOP
    op := ops[i]::smallint;
    k := keys[i];
    SELECT * INTO cur FROM ${n.kv} WHERE key = k;
    prev_revision := NULL;
    prev_value := NULL;
    IF op = ${KIND_CREATE} THEN
      IF FOUND THEN
        status := 'HP409'; revision := r; RETURN NEXT; CONTINUE;
      END IF;
      r := r + 1;
      INSERT INTO ${n.kv} VALUES (k, r, r, vals[i]);
      INSERT INTO ${n.log} VALUES (r, k, ${KIND_CREATE}, r, NULL, vals[i]);
    ELSE
      IF NOT FOUND THEN
        status := 'HP404'; revision := r; RETURN NEXT; CONTINUE;
      END IF;
      IF cur.mod_revision <> expected[i]::bigint THEN
        status := 'HP412'; revision := cur.mod_revision; RETURN NEXT; CONTINUE;
      END IF;
      r := r + 1;
      IF op = ${KIND_UPDATE} THEN
        UPDATE ${n.kv} SET mod_revision = r, value = vals[i] WHERE key = k;
        INSERT INTO ${n.log} VALUES (r, k, ${KIND_UPDATE}, cur.create_revision,
          cur.mod_revision, vals[i]);
      ELSE
        DELETE FROM ${n.kv} WHERE key = k;
        INSERT INTO ${n.log} VALUES (r, k, ${KIND_DELETE}, cur.create_revision,
          cur.mod_revision, NULL);
      END IF;
      prev_revision := cur.mod_revision;
      prev_value := cur.value;
    END IF;
    status := '';
    revision := r;
    RETURN NEXT;
  END LOOP;
  IF r > first THEN
    UPDATE ${n.meta} SET value = r WHERE name = 'revision'
      RETURNING array_remove(listeners, me) INTO others;
    IF cardinality(others) > 0 THEN
      PERFORM pg_notify('${n.channel}', r::text);
    END IF;
  END IF;
END
$fn$;

-- Deletes every live key in [lo, hi) under the revision lock: one delete
-- marker each (revisions r+1, r+2, … in key order), one NOTIFY. Returns the
-- removed keys with their revision, previous revision and last value; when
-- nothing matched, one row with a NULL key and the current revision.
CREATE OR REPLACE FUNCTION ${n.deletePrefix}(me text, lo text, hi text)
RETURNS TABLE (d_revision bigint, d_key text, d_prev_revision bigint,
  d_prev_value text)
LANGUAGE plpgsql AS $fn$
DECLARE
  r bigint;
  n bigint;
  others text[];
BEGIN
  SELECT value INTO r FROM ${n.meta} WHERE name = 'revision' FOR UPDATE;
  RETURN QUERY
  WITH gone AS (
    DELETE FROM ${n.kv} k WHERE k.key >= lo AND k.key < hi
    RETURNING k.key, k.create_revision, k.mod_revision, k.value),
  numbered AS (
    SELECT r + row_number() OVER (ORDER BY g.key) AS rev, g.* FROM gone g),
  markers AS (
    INSERT INTO ${n.log}
    SELECT m.rev, m.key, ${KIND_DELETE}, m.create_revision, m.mod_revision, NULL
    FROM numbered m)
  SELECT m.rev, m.key, m.mod_revision, m.value FROM numbered m ORDER BY m.rev;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    d_revision := r; d_key := NULL; d_prev_revision := NULL;
    d_prev_value := NULL;
    RETURN NEXT;
    RETURN;
  END IF;
  UPDATE ${n.meta} SET value = r + n WHERE name = 'revision'
    RETURNING array_remove(listeners, me) INTO others;
  IF cardinality(others) > 0 THEN
    PERFORM pg_notify('${n.channel}', (r + n)::text);
  END IF;
END
$fn$;

-- Drops, for every change in (compacted, target], the row it replaced, and
-- the delete markers in that window, in one batch of at most max_batch
-- revisions. Returns the new compacted revision and the rows deleted.
CREATE OR REPLACE FUNCTION ${n.compact}(target bigint, max_batch bigint,
  OUT compacted bigint, OUT deleted bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  from_rev bigint;
  to_rev bigint;
  n1 bigint;
  n2 bigint;
BEGIN
  -- Concurrent compactions (several replicas) serialise here.
  SELECT value INTO from_rev FROM ${n.meta} WHERE name = 'compacted' FOR UPDATE;
  IF target <= from_rev THEN
    compacted := from_rev; deleted := 0; RETURN;
  END IF;
  to_rev := LEAST(target, from_rev + max_batch);
  DELETE FROM ${n.log} WHERE revision IN (
    SELECT prev_revision FROM ${n.log}
    WHERE revision > from_rev AND revision <= to_rev AND prev_revision IS NOT NULL);
  GET DIAGNOSTICS n1 = ROW_COUNT;
  DELETE FROM ${n.log} WHERE revision > from_rev AND revision <= to_rev
    AND kind = ${KIND_DELETE};
  GET DIAGNOSTICS n2 = ROW_COUNT;
  UPDATE ${n.meta} SET value = to_rev WHERE name = 'compacted';
  compacted := to_rev; deleted := n1 + n2;
END
$fn$;
COMMENT ON SCHEMA "${n.schema}" IS '${SCHEMA_VERSION}';
`;
}

/**
 * Creates the schema, tables and functions when missing (and replaces the
 * functions, so a newer binary brings its own). Serialised across replicas
 * by a transaction-scoped advisory lock. Rejects when it does not finish
 * within `timeoutMs`.
 */
export async function ensureSchema(
  sql: Sql,
  names: Names,
  timeoutMs: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `could not prepare schema ${names.schema} within ${
              Math.round(timeoutMs / 1000)
            }s: the server is unreachable or not answering`,
          ),
        ),
      timeoutMs,
    );
  });
  const work = (async () => {
    const [row] = await sql.unsafe(
      `SELECT obj_description(to_regnamespace($1), 'pg_namespace') AS v`,
      [names.schema],
    );
    if (row?.v === SCHEMA_VERSION) return;
    await sql.begin(async (tx) => {
      await tx.unsafe(
        `SET LOCAL lock_timeout = '${Math.max(1, Math.floor(timeoutMs))}ms'`,
      );
      await tx.unsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
        `hyperplane-schema-${names.schema}`,
      ]);
      await tx.unsafe(schemaSql(names));
    });
  })();
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {}); // settled later when the race was lost
  }
}
