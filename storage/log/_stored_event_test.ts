import assert from "node:assert/strict";
import { storedEvent, withResourceVersion } from "./_stored_event.ts";
import { decodeStored } from "./_decode.ts";
import { isStorageError } from "../errors.ts";

const texts = [
  '{"metadata":{"name":"a","namespace":"n"},"data":{"k":"v"},"apiVersion":"v1","kind":"ConfigMap"}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{}}',
  '{"metadata":{},"kind":"Namespace","apiVersion":"v1"}',
  '{"apiVersion":"x\\"y\\\\","kind":"K","metadata":{"name":"b"}}',
];

Deno.test("withResourceVersion splices the revision into the top-level metadata", () => {
  for (const text of texts) {
    const spliced = withResourceVersion(text, 42);
    assert.ok(spliced, text);
    assert.deepEqual(JSON.parse(spliced), decodeStored(text, 42, "/k"));
  }
});

Deno.test("withResourceVersion leaves to the decoder what it cannot splice safely", () => {
  for (
    const text of [
      // a stored resourceVersion would be duplicated
      '{"metadata":{"name":"a","resourceVersion":"7"}}',
      // one nested elsewhere (an Event's involvedObject) is not told apart
      '{"involvedObject":{"resourceVersion":"3"},"metadata":{"name":"e"}}',
      // a field before metadata that is not a string
      '{"spec":{"x":1},"metadata":{"name":"a"}}',
      '{"count":1,"metadata":{"name":"a"}}',
      // no metadata object at all
      '{"kind":"K"}',
      '{"metadata":null}',
      "[]",
      "",
    ]
  ) {
    assert.equal(withResourceVersion(text, 5), undefined, text);
  }
});

Deno.test("a stored event decodes its object once and carries a text that describes it", () => {
  const ev = storedEvent("ADDED", "/registry/x/a", texts[1], 9);
  assert.equal(ev.type, "ADDED");
  assert.equal(ev.object, ev.object);
  assert.equal(ev.object.metadata.resourceVersion, "9");
  assert.equal(ev.text?.revision, 9);
  assert.deepEqual(JSON.parse(ev.text!.json), ev.object);
  // Not own: a wrapper that swaps the object does not carry it over.
  const rebuilt = { ...ev, object: { metadata: { name: "other" } } };
  assert.equal("text" in rebuilt, false);
  assert.equal(rebuilt.type, "ADDED");
  assert.equal(rebuilt.key, "/registry/x/a");
});

Deno.test("a stored event whose text cannot be spliced serialises its object", () => {
  const value = '{"count":1,"metadata":{"name":"a"}}';
  const ev = storedEvent("MODIFIED", "/registry/x/a", value, 3);
  if (ev.type === "ERROR") throw new Error("unreachable");
  assert.deepEqual(JSON.parse(ev.text!.json), decodeStored(value, 3, "/k"));
});

Deno.test("a stored event whose value is corrupt fails with a CorruptObject error naming its key", () => {
  // "cut" splices (a resourceVersion can be put in its metadata) but is not
  // JSON: the text is checked, not handed on as it is.
  for (const value of ["not json", '{"kind":"X","metadata":{"name":"a"', "7"]) {
    for (const type of ["ADDED", "MODIFIED"] as const) {
      const ev = storedEvent(
        type,
        "/registry/x/clusters/root/ns/bad",
        value,
        4,
      );
      if (ev.type === "ERROR") throw new Error("unreachable");
      const named = (e: unknown) =>
        isStorageError(e, "CorruptObject") &&
        (e as Error).message.includes(
          "Key: /registry/x/clusters/root/ns/bad,",
        );
      assert.throws(() => ev.text, named, value);
      assert.throws(() => ev.object, named, value);
    }
  }
});

Deno.test("the DELETED event of a corrupt value names the object the key names", () => {
  const cases: [string, Record<string, string>][] = [
    ["/registry/x/clusters/root/ns/bad", { name: "bad", namespace: "ns" }],
    ["/registry/g.io/xs/clusters/c1/top", { name: "top" }],
  ];
  for (const [key, names] of cases) {
    const ev = storedEvent("DELETED", key, '{"kind":"X",', 9);
    if (ev.type === "ERROR") throw new Error("unreachable");
    const want = { metadata: { ...names, resourceVersion: "9" } };
    assert.deepEqual(ev.object, want);
    assert.deepEqual(JSON.parse(ev.text!.json), want);
    assert.equal(ev.text!.revision, 9);
  }
});
