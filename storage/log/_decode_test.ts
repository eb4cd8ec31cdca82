import assert from "node:assert/strict";
import { decodeObject, encodeObject, type KubeObject } from "../object.ts";
import { decodeStored, encodeHandedOver, encodeStored } from "./_decode.ts";
import { deepFreeze } from "../../internal/json.ts";
import { isStorageError } from "../errors.ts";

const K = "/registry/configmaps/clusters/root/default/a";

Deno.test("decodeStored gives the same object as decodeObject", () => {
  const cases = [
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","uid":"u"},"data":{"k":"v"}}',
    '{"metadata":{"resourceVersion":"7","name":"b"}}',
    '{"metadata":{}}',
    '{"kind":"X"}',
    '{"metadata":null}',
  ];
  for (const data of cases) {
    const got = decodeStored(data, 42, K);
    const want = decodeObject(data, 42);
    assert.deepEqual(got, want);
    assert.deepEqual(JSON.stringify(got), JSON.stringify(want), data);
  }
});

Deno.test("decodeStored returns a new object on every call", () => {
  const data = '{"metadata":{"name":"a","labels":{"x":"y"}}}';
  const a = decodeStored(data, 1, K);
  const b = decodeStored(data, 2, K);
  assert(a !== b && a.metadata !== b.metadata);
  assert.deepEqual(a.metadata.resourceVersion, "1");
  assert.deepEqual(b.metadata.resourceVersion, "2");
});

Deno.test("encodeStored gives the same JSON as encodeObject", () => {
  class Meta {
    name = "m";
  }
  const withToJSON = { name: "t", toJSON: () => ({ name: "replaced" }) };
  const hiddenMeta = { kind: "H" } as unknown as KubeObject;
  Object.defineProperty(hiddenMeta, "metadata", {
    value: { name: "h" },
    enumerable: false,
  });
  const cases: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "a", uid: "u", labels: { x: "y" } },
      data: { k: "v", n: undefined },
    },
    { metadata: { name: "b", resourceVersion: "7" } },
    { metadata: { resourceVersion: "" } },
    { metadata: { resourceVersion: undefined, name: "c" } },
    { metadata: {} },
    { kind: "X" } as unknown as KubeObject,
    { metadata: null } as unknown as KubeObject,
    { metadata: new Meta() } as unknown as KubeObject,
    { metadata: withToJSON },
    { metadata: { name: "d" }, toJSON: () => ({ replaced: true }) },
    Object.assign(Object.create({ inherited: 1 }), { metadata: { name: "e" } }),
    hiddenMeta,
  ];
  for (const obj of cases) {
    assert.equal(encodeStored(obj), encodeObject(obj));
  }
});

Deno.test("encodeHandedOver gives JSON.stringify's text, reusing that of shared frozen parts", () => {
  const rules = deepFreeze([{ verbs: ["get"], resources: ["pods", "*"] }]);
  const roleRef = deepFreeze({ kind: "ClusterRole", name: 'é"\n' });
  const copy = (uid: string) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "r", uid },
    rules,
    roleRef,
    skipped: undefined,
    empty: deepFreeze({}),
    none: null,
    n: 1,
  } as unknown as KubeObject);
  const a = copy("a");
  const b = copy("b");
  assert.equal(encodeHandedOver(a), JSON.stringify(a));
  assert.equal(encodeHandedOver(b), JSON.stringify(b));
  // Without frozen parts, and with nothing to write: as JSON.stringify.
  const plain = { metadata: { name: "p" }, data: { k: "v" } };
  assert.equal(encodeHandedOver(plain), JSON.stringify(plain));
  const onlyFrozen = { metadata: deepFreeze({ name: "f" }), x: undefined };
  assert.equal(
    encodeHandedOver(onlyFrozen as unknown as KubeObject),
    JSON.stringify(onlyFrozen),
  );
  const nothing = {
    metadata: undefined,
    x: Object.freeze({ toJSON: () => undefined }),
  } as unknown as KubeObject;
  assert.equal(encodeHandedOver(nothing), JSON.stringify(nothing));
  assert.equal(encodeHandedOver(nothing), "{}");
  // Integer-like keys come first, as JSON.stringify orders them.
  const numbered = { metadata: { name: "i" }, "2": rules, "1": "x" };
  assert.equal(
    encodeHandedOver(numbered as unknown as KubeObject),
    JSON.stringify(numbered),
  );
});

Deno.test("decodeStored calls a value that is not a JSON object corrupt, naming the key", () => {
  const cases: [string, RegExp][] = [
    ['{"kind":"ConfigMap",garbage', /object not decodable revision=9: /],
    ['{"metadata":{"name":"a"}', /object not decodable revision=9: /],
    ["", /object not decodable/],
    ["null", /stored value is null, not an object/],
    ["[1,2]", /stored value is an array, not an object/],
    ["42", /stored value is a number, not an object/],
    ['"text"', /stored value is a string, not an object/],
  ];
  for (const [data, why] of cases) {
    assert.throws(() => decodeStored(data, 9, K), (err) => {
      assert.ok(isStorageError(err, "CorruptObject"), String(err));
      assert.equal(err.key, K);
      assert.match(
        err.message,
        new RegExp(`^StorageError: corrupt object, Code: 7, Key: ${K}, `),
      );
      assert.match(err.message, why, data);
      return true;
    });
  }
});
