import assert from "node:assert/strict";
import { conversionOf } from "./media_type.ts";

const POM = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
const POML = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const PB = "application/vnd.kubernetes.protobuf";

Deno.test("conversionOf: plain answers", () => {
  for (
    const h of [
      null,
      "",
      "application/json",
      "*/*",
      "application/yaml",
      `${PB}, application/json`,
      // no `as`, nothing known: answered in JSON, as before
      PB,
      // a plain range first wins over a conversion after it
      `application/json, ${POM}`,
      // an unknown conversion with a plain fallback
      "application/json;as=Table;v=v2;g=meta.k8s.io,application/json",
      `${PB};as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json`,
    ]
  ) {
    assert.equal(conversionOf(h), undefined, String(h));
  }
});

Deno.test("conversionOf: Table (kubectl's Accept)", () => {
  assert.deepEqual(
    conversionOf(
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
    ),
    { kind: "Table", version: "v1" },
  );
  assert.deepEqual(
    conversionOf("application/json; AS=Table; V=v1beta1; G=meta.k8s.io"),
    { kind: "Table", version: "v1beta1" },
  );
  // kinds are case-sensitive
  assert.equal(
    conversionOf("application/json;as=table;v=v1;g=meta.k8s.io"),
    "unacceptable",
  );
});

Deno.test("conversionOf: PartialObjectMetadata(List)", () => {
  assert.deepEqual(conversionOf(POM), {
    kind: "PartialObjectMetadata",
    version: "v1",
  });
  assert.deepEqual(conversionOf(POML), {
    kind: "PartialObjectMetadataList",
    version: "v1",
  });
  assert.deepEqual(
    conversionOf(POM.replace("v=v1", "v=v1beta1")),
    { kind: "PartialObjectMetadata", version: "v1beta1" },
  );
  // client-go's metadata client: protobuf first (not served here), then
  // the same conversion in JSON, then plain JSON
  assert.deepEqual(
    conversionOf(
      `${PB};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,${POML},application/json`,
    ),
    { kind: "PartialObjectMetadataList", version: "v1" },
  );
  // the first acceptable range wins (upstream's order, not the best fit)
  assert.deepEqual(conversionOf(`${POM}, ${POML}`), {
    kind: "PartialObjectMetadata",
    version: "v1",
  });
});

Deno.test("conversionOf: only unsupported conversions are not acceptable", () => {
  for (
    const h of [
      "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v2",
      "application/json;as=PartialObjectMetadata;g=example.com;v=v1",
      "application/json;as=PartialObjectMetadata",
      "application/json;as=Unknown;g=meta.k8s.io;v=v1",
      `${PB};as=PartialObjectMetadata;g=meta.k8s.io;v=v1`,
      // a conversion to YAML is not served (responses are JSON)
      "application/yaml;as=Table;g=meta.k8s.io;v=v1",
    ]
  ) {
    assert.equal(conversionOf(h), "unacceptable", h);
  }
});
