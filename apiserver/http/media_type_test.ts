import assert from "node:assert/strict";
import { parseAccept, tableVersionOf, wantsTable } from "./media_type.ts";

Deno.test("tableVersionOf agrees with wantsTable(parseAccept(…))", () => {
  for (
    const h of [
      null,
      "",
      "application/json",
      "*/*",
      "application/json;as=Table;v=v1;g=meta.k8s.io",
      "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
      "application/json; AS=Table; V=v1; G=meta.k8s.io",
      "application/json;as=table;v=v1;g=meta.k8s.io",
      "application/json;as=Table;v=v2;g=meta.k8s.io",
      "application/vnd.kubernetes.protobuf, application/json;as=Table;v=v1;g=meta.k8s.io",
    ]
  ) {
    assert.equal(tableVersionOf(h), wantsTable(parseAccept(h)), String(h));
  }
  assert.equal(
    tableVersionOf("application/json;as=Table;v=v1;g=meta.k8s.io"),
    "v1",
  );
});
