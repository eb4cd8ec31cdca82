import assert from "node:assert/strict";
import {
  isPrettyPrint,
  negotiateOutput,
  type NegotiationOptions,
  parseGoBool,
} from "./negotiate.ts";

const POM = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
const POML = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const PB = "application/vnd.kubernetes.protobuf";
const BUILTIN: NegotiationOptions = { protobuf: true, conversions: true };
const CUSTOM: NegotiationOptions = { protobuf: false, conversions: true };
const WATCH: NegotiationOptions = { ...BUILTIN, stream: true };

const media = (h: string | null, o = BUILTIN) => negotiateOutput(h, o);
const conv = (h: string | null, o = BUILTIN) =>
  negotiateOutput(h, o)?.conversion;

Deno.test("negotiateOutput: plain JSON answers", () => {
  for (
    const h of [
      null,
      "",
      "application/json",
      "*/*",
      "application/*",
      "application/json, */*",
      `${PB}, */*`,
      // a plain range first wins over a conversion after it
      `application/json, ${POM}`,
      // an unknown conversion with a plain fallback
      "application/json;as=Table;v=v2;g=meta.k8s.io,application/json",
      `${PB};as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json`,
      // ranges nothing serves are passed over
      "text/html, application/json",
    ]
  ) {
    assert.deepEqual(
      media(h),
      { mediaType: "application/json", pretty: false },
      String(h),
    );
  }
});

Deno.test("negotiateOutput: YAML is served for objects, lists and conversions", () => {
  assert.equal(media("application/yaml")?.mediaType, "application/yaml");
  assert.equal(
    media("application/yaml, application/json")?.mediaType,
    "application/yaml",
  );
  // the first acceptable range wins, whatever its q
  assert.equal(
    media("application/json;q=0.1, application/yaml")?.mediaType,
    "application/json",
  );
  assert.equal(
    media("text/plain, application/yaml", CUSTOM)?.mediaType,
    "application/yaml",
  );
  assert.deepEqual(
    media("application/yaml;as=Table;g=meta.k8s.io;v=v1"),
    {
      mediaType: "application/yaml",
      conversion: { kind: "Table", version: "v1" },
      pretty: false,
    },
  );
});

Deno.test("negotiateOutput: protobuf is accepted for built-in kinds only", () => {
  assert.equal(media(PB)?.mediaType, PB); // answered in JSON
  assert.equal(media(PB, CUSTOM), undefined);
  // a custom resource skips protobuf and takes what follows
  assert.equal(
    media(`${PB}, application/json`, CUSTOM)?.mediaType,
    "application/json",
  );
  assert.equal(media(`${PB}, */*`, CUSTOM)?.mediaType, "application/json");
});

Deno.test("negotiateOutput: what nothing can serve is undefined (406)", () => {
  for (
    const h of [
      "text/plain",
      "text/html",
      "text/*",
      "application/xml, text/plain",
      "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v2",
      "application/json;as=PartialObjectMetadata;g=example.com;v=v1",
      "application/json;as=PartialObjectMetadata",
      "application/json;as=Unknown;g=meta.k8s.io;v=v1",
      "application/json;as=table;v=v1;g=meta.k8s.io", // kinds are case-sensitive
      `${PB};as=PartialObjectMetadata;g=meta.k8s.io;v=v1`, // no protobuf written
      "application/json;stream=other",
    ]
  ) {
    assert.equal(media(h), undefined, h);
  }
  // without conversions (discovery, errors) a conversion is not acceptable
  assert.equal(media(POM, { protobuf: true }), undefined);
});

Deno.test("negotiateOutput: a watch has no YAML form", () => {
  assert.equal(media("application/yaml", WATCH), undefined);
  assert.equal(
    media("application/yaml, application/json", WATCH)?.mediaType,
    "application/json",
  );
  assert.equal(
    media("application/json;stream=watch", WATCH)?.mediaType,
    "application/json",
  );
  assert.equal(media("application/yaml;stream=watch"), undefined);
});

Deno.test("negotiateOutput: Table (kubectl's Accept)", () => {
  assert.deepEqual(
    conv(
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
    ),
    { kind: "Table", version: "v1" },
  );
  assert.deepEqual(
    conv("application/json; AS=Table; V=v1beta1; G=meta.k8s.io"),
    { kind: "Table", version: "v1beta1" },
  );
});

Deno.test("negotiateOutput: tables: false passes Table ranges over", () => {
  const noTables = { ...BUILTIN, tables: false };
  const kubectl =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  assert.deepEqual(negotiateOutput(kubectl, noTables), {
    mediaType: "application/json",
    pretty: false,
  });
  assert.equal(
    negotiateOutput("application/json;as=Table;v=v1;g=meta.k8s.io", noTables),
    undefined,
  );
  assert.equal(
    negotiateOutput(POM, noTables)?.conversion?.kind,
    "PartialObjectMetadata",
  );
});

Deno.test("negotiateOutput: PartialObjectMetadata(List)", () => {
  assert.deepEqual(conv(POM), { kind: "PartialObjectMetadata", version: "v1" });
  assert.deepEqual(conv(POML), {
    kind: "PartialObjectMetadataList",
    version: "v1",
  });
  assert.deepEqual(conv(POM.replace("v=v1", "v=v1beta1")), {
    kind: "PartialObjectMetadata",
    version: "v1beta1",
  });
  // client-go's metadata client: protobuf first (not written here), then
  // the same conversion in JSON, then plain JSON
  assert.deepEqual(
    conv(
      `${PB};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,${POML},application/json`,
    ),
    { kind: "PartialObjectMetadataList", version: "v1" },
  );
  // the first acceptable range wins (upstream's order, not the best fit)
  assert.deepEqual(conv(`${POM}, ${POML}`), {
    kind: "PartialObjectMetadata",
    version: "v1",
  });
});

Deno.test("negotiateOutput: pretty=1 on the chosen range", () => {
  assert.equal(media("application/json;pretty=1")?.pretty, true);
  assert.equal(media("application/json;pretty=true")?.pretty, false);
  assert.equal(media(`${POM};pretty=1`)?.pretty, true);
  // only the range that wins counts
  assert.equal(
    media("application/json, application/json;pretty=1")?.pretty,
    false,
  );
});

Deno.test("isPrettyPrint: ?pretty= decides with Go's ParseBool", () => {
  const q = (v: string) => new URLSearchParams({ pretty: v });
  for (const v of ["1", "t", "T", "TRUE", "true", "True"]) {
    assert.equal(isPrettyPrint(q(v), null), true, v);
    assert.equal(parseGoBool(v), true, v);
  }
  for (const v of ["0", "f", "F", "FALSE", "false", "False"]) {
    assert.equal(isPrettyPrint(q(v), "curl/8.5.0"), false, v);
    assert.equal(parseGoBool(v), false, v);
  }
  // what ParseBool rejects is false, even for curl
  for (const v of ["yes", "tRUE", "on", "2", " true"]) {
    assert.equal(isPrettyPrint(q(v), "curl/8.5.0"), false, v);
    assert.equal(parseGoBool(v), undefined, v);
  }
  // an empty value does not decide: the User-Agent does
  assert.equal(isPrettyPrint(q(""), "curl/8.5.0"), true);
  assert.equal(isPrettyPrint(q(""), "kubectl/v1.35.2"), false);
});

Deno.test("isPrettyPrint: curl, Wget and browsers get pretty answers", () => {
  const none = new URLSearchParams();
  for (
    const ua of [
      "curl/8.5.0",
      "Wget/1.21.4",
      "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    ]
  ) {
    assert.equal(isPrettyPrint(none, ua), true, ua);
  }
  for (
    const ua of [
      null,
      "",
      "kubectl/v1.35.2 (linux/amd64) kubernetes/fa1b2c3",
      "Mozilla/4.0",
      "wget/1.0",
      "Deno/2.9.6",
      "Helm/4.0.0",
    ]
  ) {
    assert.equal(isPrettyPrint(none, ua), false, String(ua));
  }
});
