import assert from "node:assert/strict";
import { type SharedText, TextTemplates } from "./text_templates.ts";

/** A bootstrap-like object: the same but for its per-object values. */
function role(uid: string, rv: number, created: string): string {
  return JSON.stringify({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: {
      name: "system:basic-user",
      uid,
      resourceVersion: String(rv),
      creationTimestamp: created,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      managedFields: [{ manager: "m", operation: "Update", time: created }],
      ownerReferences: [{ kind: "X", name: "o", uid: `owner-${uid}` }],
    },
    rules: [{ apiGroups: [""], resources: ["x"], verbs: ["get"] }],
  });
}

/** A short random string of JSON's and the cut points' awkward pieces. */
function randomValue(): string {
  const alphabet = ['"', "\\", "\0x", "a", "é", "\n", "uid", '":"', "{", "}"];
  return Array.from(
    { length: Math.floor(Math.random() * 6) },
    () => alphabet[Math.floor(Math.random() * alphabet.length)],
  ).join("");
}

/** Shares `text` twice (a template is made on the second sighting). */
function sharedTwice(pool: TextTemplates, text: string): SharedText {
  assert.equal(pool.share(text), undefined, "first sighting is kept whole");
  const shared = pool.share(text);
  assert.ok(shared, "second sighting is shared");
  return shared;
}

Deno.test("text templates: equal texts but for their own values share one template and fill back exactly", () => {
  const pool = new TextTemplates();
  const a = role("u-1", 10, "2026-12-07T04:03:45Z");
  const b = role("u-2", 11, "2026-12-07T04:03:46Z");
  assert.equal(pool.share(a), undefined);
  const sb = pool.share(b);
  assert.ok(sb);
  const sa = pool.share(a);
  assert.ok(sa);
  assert.equal(sa.template, sb.template);
  assert.equal(sa.template.fill(sa.values), a);
  assert.equal(sb.template.fill(sb.values), b);
  // The template holds none of the values.
  for (const v of ["u-1", "u-2", "2026-12-07T04:03:45Z", '"10"']) {
    assert.ok(!sa.template.key.includes(v), v);
  }
  assert.equal(pool.size, 1);
  assert.equal(sa.template.refs, 2);
});

Deno.test("text templates: the split is exact for any text, whatever its cut points look like", () => {
  const texts = [
    // A key-like sequence inside a string value is escaped, so not cut.
    JSON.stringify({ data: { x: '"uid":"not a key' }, metadata: { uid: "u" } }),
    // Escapes, quotes, unicode and a lone surrogate in and around values.
    JSON.stringify({ metadata: { uid: 'a\\"b\n\u00e9\ud800', time: "" } }),
    JSON.stringify({ uid: "", resourceVersion: "", items: [{ uid: "😀" }] }),
    // Not JSON, but split exactly all the same.
    '"uid":"x""uid":"y"',
    '{"uid":"x"}{"uid":"open',
  ];
  for (const text of texts) {
    const pool = new TextTemplates();
    const shared = sharedTwice(pool, text);
    assert.equal(shared.template.fill(shared.values), text, text);
  }
});

Deno.test("text templates: random objects fill back exactly", () => {
  for (let i = 0; i < 500; i++) {
    const text = JSON.stringify({
      metadata: {
        uid: randomValue(),
        resourceVersion: randomValue(),
        name: randomValue(),
      },
      data: {
        [randomValue()]: randomValue(),
        uid: randomValue(),
        time: randomValue(),
      },
    });
    const pool = new TextTemplates();
    pool.share(text);
    const shared = pool.share(text);
    assert.ok(shared);
    assert.equal(shared.template.fill(shared.values), text);
  }
});

Deno.test("text templates: texts with nothing to cut, a NUL, or too long are kept whole", () => {
  const pool = new TextTemplates();
  const cases = [
    JSON.stringify({ metadata: { name: "a" } }),
    '{"uid":"a\0"}',
    '{"a":1,"uid":"', // not JSON: a value that never ends
    JSON.stringify({ metadata: { uid: "u" }, data: "x".repeat(40_000) }),
  ];
  for (const text of cases) {
    assert.equal(pool.share(text), undefined);
    assert.equal(pool.share(text), undefined);
  }
  assert.equal(pool.size, 0);
});

Deno.test("text templates: a template is forgotten when its last text is given back", () => {
  const pool = new TextTemplates();
  const s1 = sharedTwice(pool, role("u-1", 1, "t"));
  const s2 = pool.share(role("u-2", 2, "t"))!;
  pool.release(s1.template);
  assert.equal(pool.size, 1);
  pool.release(s2.template);
  assert.equal(pool.size, 0);
  // Known no more: the next one is a first sighting again.
  assert.equal(pool.share(role("u-3", 3, "t")), undefined);
  // A template given back after clear() does not disturb the new pool.
  const s4 = pool.share(role("u-4", 4, "t"))!;
  pool.clear();
  const s5 = sharedTwice(pool, role("u-5", 5, "t"));
  pool.release(s4.template);
  assert.equal(pool.size, 1);
  assert.equal(s5.template.refs, 1);
});

Deno.test("text templates: first sightings are remembered up to a bound, oldest forgotten first", () => {
  const pool = new TextTemplates();
  const text = (i: number, uid: string) =>
    JSON.stringify({ metadata: { uid, name: `n-${i}` } });
  // More distinct texts than the 4,096 first sightings remembered.
  for (let i = 0; i < 5000; i++) {
    assert.equal(pool.share(text(i, "a")), undefined);
  }
  assert.equal(pool.share(text(0, "b")), undefined, "the oldest was forgotten");
  assert.ok(pool.share(text(4999, "b")), "the newest is remembered");
  assert.ok(pool.share(text(1000, "b")), "and those in between");
});

Deno.test("text templates: a hint finds the template of a text at once, with the split the scan makes", () => {
  const hinted = new TextTemplates();
  const scanned = new TextTemplates();
  const hint = "/registry/clusterroles/clusters//system:basic-user";
  const texts = [1, 2, 3].map((i) =>
    role(`u-${i}`, i, `2026-12-0${i}T00:00:00Z`)
  );
  assert.equal(hinted.share(texts[0], hint), undefined, "first sighting");
  scanned.share(texts[0]);
  for (const text of texts.slice(1)) {
    const a = hinted.share(text, hint);
    const b = scanned.share(text);
    assert.ok(a && b);
    assert.equal(a.values, b.values);
    assert.equal(a.template.key, b.template.key);
    assert.equal(a.template.fill(a.values), text);
  }
  assert.equal(hinted.hints, 1);
  assert.equal(hinted.size, 1);
  // A text that does not fit the hinted template is scanned as before.
  const other = JSON.stringify({ metadata: { uid: "x", name: "other" } });
  assert.equal(hinted.share(other, hint), undefined);
  const fits = hinted.share(other, hint);
  assert.ok(fits);
  assert.equal(fits.template.fill(fits.values), other);
  assert.equal(hinted.size, 2);
  // The hint follows the template last made or found for it.
  const back = hinted.share(role("u-9", 9, "t"), hint)!;
  assert.equal(back.template.fill(back.values), role("u-9", 9, "t"));
  assert.equal(back.template.refs, 3);
});

Deno.test("text templates: a hinted match is exact for any text and refuses a NUL", () => {
  const make = () =>
    JSON.stringify({
      metadata: {
        uid: randomValue(),
        resourceVersion: randomValue(),
        name: "n",
      },
      data: { uid: randomValue(), time: randomValue() },
    });
  const pool = new TextTemplates();
  for (let i = 0; i < 2000; i++) {
    const text = make();
    const shared = pool.share(text, "hint");
    if (shared) assert.equal(shared.template.fill(shared.values), text);
  }
  // A value with a NUL would be cut apart by the separator: never shared.
  const plain = new TextTemplates();
  sharedTwice(plain, '{"uid":"a","x":1}');
  plain.share('{"uid":"b","x":1}', "h");
  assert.equal(plain.share('{"uid":"a\0b","x":1}', "h"), undefined);
});

Deno.test("text templates: a template given back for good takes its hint with it", () => {
  const pool = new TextTemplates();
  const hint = "h";
  pool.share(role("u-1", 1, "t"), hint);
  const a = pool.share(role("u-2", 2, "t"), hint)!;
  const b = pool.share(role("u-3", 3, "t"), hint)!;
  assert.equal(pool.hints, 1);
  pool.release(a.template);
  assert.equal(pool.hints, 1);
  pool.release(b.template);
  assert.equal(pool.hints, 0);
  assert.equal(pool.size, 0);
  // clear() forgets hints too.
  pool.share(role("u-4", 4, "t"), hint);
  pool.share(role("u-5", 5, "t"), hint);
  assert.equal(pool.hints, 1);
  pool.clear();
  assert.equal(pool.hints, 0);
});
