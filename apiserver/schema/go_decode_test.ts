// What upstream's typed decoder refuses in a built-in kind's body, with Go's
// encoding/json messages; what it lets through (unknown fields, null, free-
// form nodes, int-or-string, quantities).
import assert from "node:assert/strict";
import { builtinSchema } from "../resources/kind_tables.ts";
import { goDecodeError } from "./go_decode.ts";
import { CRD_SCHEMA as CRD } from "../crd/crd_schema.ts";

const CONFIG_MAP = builtinSchema("", "v1", "ConfigMap")!;
const EVENT = builtinSchema("", "v1", "Event")!;
const LEASE = builtinSchema("coordination.k8s.io", "v1", "Lease")!;
const QUOTA = builtinSchema("", "v1", "ResourceQuota")!;

Deno.test("wrong JSON types get Go's UnmarshalTypeError text", () => {
  const cases: [unknown, string][] = [
    [
      { data: { a: 1 } },
      "json: cannot unmarshal number into Go struct field ConfigMap.data of type string",
    ],
    [
      { metadata: { name: 5 } },
      "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string",
    ],
    [
      { metadata: "x" },
      "json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta",
    ],
    [
      { metadata: { labels: [] } },
      "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string",
    ],
    [
      { metadata: { ownerReferences: [{ kind: true }] } },
      "json: cannot unmarshal bool into Go struct field OwnerReference.metadata.ownerReferences.kind of type string",
    ],
    [
      { immutable: "yes" },
      "json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool",
    ],
    [
      { binaryData: { a: 5 } },
      "json: cannot unmarshal number into Go struct field ConfigMap.binaryData of type []uint8",
    ],
  ];
  for (const [body, want] of cases) {
    assert.equal(goDecodeError(body, CONFIG_MAP), want, JSON.stringify(body));
  }
  assert.equal(
    goDecodeError({ spec: { leaseDurationSeconds: 1.5 } }, LEASE),
    "json: cannot unmarshal number 1.5 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32",
  );
  assert.equal(
    goDecodeError({ spec: { leaseDurationSeconds: 2 ** 31 } }, LEASE),
    "json: cannot unmarshal number 2147483648 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32",
  );
  assert.equal(
    goDecodeError({ count: "3" }, EVENT),
    "json: cannot unmarshal string into Go struct field Event.count of type int32",
  );
});

Deno.test("the first wrong type in document order is reported", () => {
  assert.equal(
    goDecodeError({ data: { a: 1 }, metadata: { name: 2 } }, CONFIG_MAP),
    "json: cannot unmarshal number into Go struct field ConfigMap.data of type string",
  );
});

Deno.test("timestamps Go cannot parse are refused; one stops the walk", () => {
  assert.equal(
    goDecodeError({ firstTimestamp: "bad" }, EVENT),
    'parsing time "bad" as "2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"',
  );
  assert.equal(
    goDecodeError({ count: "x", lastTimestamp: "bad" }, EVENT),
    'parsing time "bad" as "2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"',
  );
  assert.equal(
    goDecodeError({ firstTimestamp: 5 }, EVENT),
    "json: cannot unmarshal number into Go struct field Event.firstTimestamp of type string",
  );
  // MicroTime: exactly six fractional digits, as client-go writes them.
  assert.equal(
    goDecodeError({ spec: { renewTime: "2024-01-02T03:04:05Z" } }, LEASE),
    'parsing time "2024-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
  );
  assert.equal(
    goDecodeError(
      { spec: { renewTime: "2024-01-02T03:04:05.000000Z" } },
      LEASE,
    ),
    undefined,
  );
  assert.equal(
    goDecodeError(
      { metadata: { creationTimestamp: "2024-02-30T00:00:00Z" } },
      CONFIG_MAP,
    ),
    'parsing time "2024-02-30T00:00:00Z": day out of range',
  );
});

Deno.test("what Go's decoder lets through is not refused", () => {
  const ok: [unknown, typeof CONFIG_MAP][] = [
    [
      { metadata: { name: "a", labels: null }, data: null, spec: 5 },
      CONFIG_MAP,
    ],
    [
      { metadata: { managedFields: [{ fieldsV1: { "f:data": {} } }] } },
      CONFIG_MAP,
    ],
    [{ metadata: { creationTimestamp: null } }, CONFIG_MAP],
    [{ binaryData: { a: "aGk=" } }, CONFIG_MAP],
    [{ spec: { hard: { configmaps: 5, cpu: "500m" } } }, QUOTA],
    [{
      spec: {
        versions: [{
          name: "v1",
          schema: {
            openAPIV3Schema: {
              type: "object",
              default: [1, "x"],
              properties: { a: { type: "string", enum: ["x", 1, null] } },
            },
          },
        }],
      },
    }, CRD],
  ];
  for (const [body, schema] of ok) {
    assert.equal(goDecodeError(body, schema), undefined, JSON.stringify(body));
  }
});
