import assert from "node:assert/strict";
import { isPatchError, type PatchError, strategicMergePatch } from "./mod.ts";
import { POD } from "../../tests/support/strategic_merge_schema.ts";

type Obj = Record<string, unknown>;

function smp(original: Obj, patch: unknown): Obj {
  return strategicMergePatch(original, patch, POD);
}

function pod(containers: unknown[]): Obj {
  return { spec: { containers } };
}

function rejects(original: Obj, patch: unknown, code: number, text: RegExp) {
  assert.throws(
    () => smp(original, patch),
    (e: unknown) => {
      assert.ok(isPatchError(e), `expected PatchError, got ${e}`);
      assert.equal((e as PatchError).code, code);
      assert.match((e as PatchError).message, text);
      return true;
    },
  );
}

Deno.test("maps merge recursively and null deletes a field", () => {
  const out = smp(
    { metadata: { name: "p", labels: { a: "1", b: "2" } } },
    { metadata: { labels: { b: null, c: "3" } } },
  );
  assert.deepEqual(out, {
    metadata: { name: "p", labels: { a: "1", c: "3" } },
  });
});

Deno.test("null for a field the object lacks stores nothing", () => {
  const out = smp({ metadata: { name: "p" } }, {
    metadata: { labels: null },
    spec: { containers: [{ name: "a", image: null }] },
  });
  assert.deepEqual(out, {
    metadata: { name: "p" },
    spec: { containers: [{ name: "a" }] },
  });
});

Deno.test("neither the original nor the patch is modified", () => {
  const original = pod([{ name: "a", image: "1" }]);
  const patch = pod([{ name: "a", image: "2" }]);
  const before = structuredClone([original, patch]);
  smp(original, patch);
  assert.deepEqual([original, patch], before);
});

Deno.test("list items merge by their merge key and new items are appended", () => {
  const out = smp(
    pod([{ name: "a", image: "1", args: ["x"] }, { name: "b", image: "1" }]),
    pod([{ name: "b", image: "2" }, { name: "c", image: "3" }]),
  );
  assert.deepEqual(
    out,
    pod([
      { name: "a", image: "1", args: ["x"] },
      { name: "b", image: "2" },
      { name: "c", image: "3" },
    ]),
  );
});

Deno.test("nested merge lists merge by their own key", () => {
  const out = smp(
    pod([{
      name: "a",
      ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }],
    }]),
    pod([{ name: "a", ports: [{ containerPort: 443, name: "https" }] }]),
  );
  assert.deepEqual(
    out,
    pod([{
      name: "a",
      ports: [
        { containerPort: 80, name: "http" },
        { containerPort: 443, name: "https" },
      ],
    }]),
  );
});

Deno.test("$patch: delete removes the list item with that key", () => {
  const out = smp(
    pod([{ name: "a" }, { name: "b" }, { name: "c" }]),
    pod([{ name: "b", $patch: "delete" }]),
  );
  assert.deepEqual(out, pod([{ name: "a" }, { name: "c" }]));
});

Deno.test("$patch: replace in a list replaces the whole list", () => {
  const out = smp(
    pod([{ name: "a", image: "1" }, { name: "b" }]),
    pod([{ name: "c", image: "3" }, { $patch: "replace" }]),
  );
  assert.deepEqual(out, pod([{ name: "c", image: "3" }]));
});

Deno.test("$patch: replace in a map replaces the map", () => {
  const out = smp(
    { metadata: { labels: { a: "1", b: "2" } } },
    { metadata: { labels: { $patch: "replace", c: "3" } } },
  );
  assert.deepEqual(out, { metadata: { labels: { c: "3" } } });
});

Deno.test("$patch: delete in a map empties it", () => {
  const out = smp(
    { metadata: { name: "p", labels: { a: "1" } } },
    { metadata: { labels: { $patch: "delete" } } },
  );
  assert.deepEqual(out, { metadata: { name: "p", labels: {} } });
});

Deno.test("$patch: merge inside a list is rejected as upstream does", () => {
  rejects(
    pod([{ name: "a" }]),
    pod([{ name: "a", $patch: "merge" }]),
    422,
    /merging lists cannot yet be specified in the patch/,
  );
});

Deno.test("an unknown $patch value is rejected naming it", () => {
  rejects(
    { metadata: { labels: {} } },
    { metadata: { labels: { $patch: "explode" } } },
    422,
    /unknown patch type: explode in map/,
  );
});

Deno.test("primitive lists with strategy merge union without duplicates", () => {
  const out = smp(
    { metadata: { finalizers: ["a", "b"] } },
    { metadata: { finalizers: ["b", "c"] } },
  );
  assert.deepEqual(out, { metadata: { finalizers: ["a", "b", "c"] } });
});

Deno.test("$deleteFromPrimitiveList removes values from a merging list", () => {
  const out = smp(
    { metadata: { finalizers: ["a", "b", "c"] } },
    { metadata: { "$deleteFromPrimitiveList/finalizers": ["b", "x"] } },
  );
  assert.deepEqual(out, { metadata: { finalizers: ["a", "c"] } });
});

Deno.test("$deleteFromPrimitiveList on an absent list is a no-op", () => {
  const out = smp({ metadata: { name: "p" } }, {
    metadata: { "$deleteFromPrimitiveList/finalizers": ["b"] },
  });
  assert.deepEqual(out, { metadata: { name: "p" } });
});

Deno.test("lists without a merge strategy are replaced", () => {
  const out = smp(
    pod([{ name: "a", args: ["1", "2"] }]),
    pod([{ name: "a", args: ["3"] }]),
  );
  assert.deepEqual(out, pod([{ name: "a", args: ["3"] }]));
  const tol = smp(
    { spec: { tolerations: [{ key: "a" }, { key: "b" }] } },
    { spec: { tolerations: [{ key: "c" }] } },
  );
  assert.deepEqual(tol, { spec: { tolerations: [{ key: "c" }] } });
});

Deno.test("a map with patch strategy replace is replaced whole", () => {
  const out = smp(
    { spec: { nodeSelector: { a: "1", b: "2" } } },
    { spec: { nodeSelector: { c: "3" } } },
  );
  assert.deepEqual(out, { spec: { nodeSelector: { c: "3" } } });
});

Deno.test("without schema metadata lists are replaced and maps merged", () => {
  const out = strategicMergePatch(
    { x: { a: 1, list: [{ name: "a" }] } },
    { x: { b: 2, list: [{ name: "b" }] } },
    undefined,
  );
  assert.deepEqual(out, { x: { a: 1, b: 2, list: [{ name: "b" }] } });
});

Deno.test("$setElementOrder reorders a merging list of maps", () => {
  const out = smp(
    pod([{ name: "a" }, { name: "b" }, { name: "c" }]),
    {
      spec: {
        "$setElementOrder/containers": [{ name: "c" }, { name: "b" }, {
          name: "a",
        }],
        containers: [{ name: "b", image: "2" }],
      },
    },
  );
  assert.deepEqual(
    out,
    pod([{ name: "c" }, { name: "b", image: "2" }, { name: "a" }]),
  );
});

Deno.test("$setElementOrder keeps server-only items near their live neighbours", () => {
  const out = smp(
    pod([{ name: "a" }, { name: "b" }, { name: "c" }]),
    {
      spec: {
        "$setElementOrder/containers": [{ name: "c" }, { name: "a" }],
        containers: [{ name: "c", image: "x" }],
      },
    },
  );
  assert.deepEqual(
    out,
    pod([{ name: "b" }, { name: "c", image: "x" }, { name: "a" }]),
  );
});

Deno.test("$setElementOrder reorders a primitive merging list", () => {
  const out = smp(
    { metadata: { finalizers: ["a", "b", "c"] } },
    { metadata: { "$setElementOrder/finalizers": ["c", "a", "b"] } },
  );
  assert.deepEqual(out, { metadata: { finalizers: ["c", "a", "b"] } });
});

Deno.test("$setElementOrder that disagrees with the patch list is a bad request", () => {
  rejects(
    pod([{ name: "a" }, { name: "b" }]),
    {
      spec: {
        "$setElementOrder/containers": [{ name: "a" }, { name: "b" }],
        containers: [{ name: "b" }, { name: "a" }],
      },
    },
    400,
    /doesn't match \$setElementOrder list/,
  );
});

Deno.test("$retainKeys drops the fields it does not list", () => {
  const out = smp(
    {
      spec: { strategy: { type: "Rolling", rollingUpdate: { maxSurge: "1" } } },
    },
    { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
  );
  assert.deepEqual(out, { spec: { strategy: { type: "Recreate" } } });
});

Deno.test("$retainKeys must list every field the patch sets", () => {
  rejects(
    { spec: { strategy: { type: "Rolling" } } },
    { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } },
    400,
    /invalid patch format of retainKeys/,
  );
  rejects(
    { spec: { strategy: {} } },
    { spec: { strategy: { $retainKeys: "type" } } },
    400,
    /invalid patch format of retainKeys/,
  );
});

Deno.test("a merging list item without its merge key names the key", () => {
  rejects(
    pod([{ name: "a" }]),
    pod([{ image: "x" }]),
    422,
    /map: map\[image:x\] does not contain declared merge key: name/,
  );
  rejects(
    pod([{ name: "a" }]),
    pod([{ image: "x", $patch: "delete" }]),
    422,
    /does not contain declared merge key: name/,
  );
});

Deno.test("lists of lists and mixed lists are rejected", () => {
  rejects(
    { metadata: { finalizers: [] } },
    { metadata: { finalizers: [["b"]] } },
    422,
    /lists of lists are not supported/,
  );
  rejects(
    { metadata: { finalizers: ["a"] } },
    { metadata: { finalizers: [1] } },
    422,
    /list element types are not identical/,
  );
});

Deno.test("a patch that is not a JSON object is a bad request", () => {
  rejects({}, [1, 2], 400, /invalid JSON document/);
  rejects({}, "x", 400, /invalid JSON document/);
});

Deno.test("a value of another type replaces the original value", () => {
  const out = smp({ spec: { containers: "oops" } }, pod([{ name: "a" }]));
  assert.deepEqual(out, pod([{ name: "a" }]));
});

Deno.test("directives inside a new field are not stored", () => {
  const out = smp({ spec: {} }, {
    spec: {
      containers: [{ name: "a" }, { name: "b", $patch: "delete" }],
      strategy: { $retainKeys: ["type"], type: "Recreate" },
    },
  });
  assert.deepEqual(out, {
    spec: { containers: [{ name: "a" }], strategy: { type: "Recreate" } },
  });
});

Deno.test("owner references merge by uid (new items first, as upstream) and conditions by type", () => {
  const out = smp(
    {
      metadata: { ownerReferences: [{ uid: "1", name: "x" }] },
      status: { conditions: [{ type: "Ready", status: "False" }] },
    },
    {
      metadata: { ownerReferences: [{ uid: "2", name: "y" }] },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    },
  );
  assert.deepEqual(out, {
    metadata: {
      ownerReferences: [{ uid: "2", name: "y" }, { uid: "1", name: "x" }],
    },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  });
});

Deno.test("kubectl's three-way patch for a removed container and label applies", () => {
  // What `kubectl apply` sends after a container and a label left the file.
  const live = {
    metadata: { name: "p", labels: { app: "x", old: "y" } },
    spec: {
      containers: [{ name: "a", image: "1" }, { name: "side", image: "s" }],
    },
  };
  const patch = {
    metadata: { labels: { old: null } },
    spec: {
      "$setElementOrder/containers": [{ name: "a" }],
      containers: [{ name: "a", image: "2" }, {
        name: "side",
        $patch: "delete",
      }],
    },
  };
  assert.deepEqual(smp(live, patch), {
    metadata: { name: "p", labels: { app: "x" } },
    spec: { containers: [{ name: "a", image: "2" }] },
  });
});
