/**
 * What is derived from the definitions agrees with them: every built-in
 * kind carries its schema and its list's and the schema index serves
 * exactly those (plus meta's Status/DeleteOptions); every built-in kind
 * decodes protobuf unless explicitly JSON-only, and every embedded
 * protobuf object kind is a served kind or a review. Adding a kind without
 * its schemas, or with protobuf text but no definition, fails here.
 */

import assert from "node:assert/strict";
import { decodesProtobuf, embeddedKindMessages } from "../protobuf/decode.ts";
import { protobufMessageFor } from "../protobuf/mod.ts";
import { REVIEW_RESOURCES } from "../reviews/mod.ts";
import { builtinSchema, schemasOf } from "./kind_tables.ts";
import { BUILTIN_RESOURCES } from "./registry.ts";
import { apiVersionOf, listKindOf } from "./types.ts";

const APIEXTENSIONS = "apiextensions.k8s.io";

/** Built-in kinds served as JSON only (upstream has protobuf for them; we decode none). */
const JSON_ONLY = new Set([
  "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
  "apiextensions.k8s.io/v1/CustomResourceDefinition",
  "apiregistration.k8s.io/v1/APIService",
]);

const key = (apiVersion: string, kind: string) => `${apiVersion}/${kind}`;

Deno.test("every built-in kind has a schema for itself and its list", () => {
  for (const def of BUILTIN_RESOURCES) {
    if (def.group === APIEXTENSIONS) continue; // its schema is its own
    const name = key(apiVersionOf(def), def.kind);
    assert.ok(def.schema && def.listSchema, `${name} carries its schemas`);
    assert.equal(builtinSchema(def.group, def.version, def.kind), def.schema);
    assert.equal(
      builtinSchema(def.group, def.version, listKindOf(def)),
      def.listSchema,
      `${name}List`,
    );
  }
  const crd = BUILTIN_RESOURCES.find((d) => d.group === APIEXTENSIONS)!;
  assert.equal(builtinSchema(crd.group, crd.version, crd.kind), undefined);
});

Deno.test("every built-in schema belongs to a served kind, its list, or meta's Status and DeleteOptions", () => {
  const served = new Set(
    BUILTIN_RESOURCES.flatMap((d) => [
      key(apiVersionOf(d), d.kind),
      key(apiVersionOf(d), listKindOf(d)),
    ]),
  );
  for (const s of schemasOf(BUILTIN_RESOURCES)) {
    if (s.kind === "Status" || s.kind === "DeleteOptions") continue;
    const av = s.group ? `${s.group}/${s.version}` : s.version;
    assert.ok(served.has(key(av, s.kind)), `${key(av, s.kind)} is not served`);
  }
});

Deno.test("protobuf decodes exactly the built-in kinds not marked JSON-only, and the reviews", () => {
  const reviews = new Set(
    REVIEW_RESOURCES.map((r) => key(`${r.group}/${r.version}`, r.kind)),
  );
  reviews.add(key("authentication.k8s.io/v1", "TokenRequest"));
  const served = new Map<string, string>();
  for (const def of BUILTIN_RESOURCES) {
    const name = key(apiVersionOf(def), def.kind);
    served.set(protobufMessageFor(apiVersionOf(def), def.kind) ?? name, name);
    if (JSON_ONLY.has(name)) {
      assert.ok(!decodesProtobuf(apiVersionOf(def), def.kind), name);
    } else {
      assert.ok(decodesProtobuf(apiVersionOf(def), def.kind), name);
    }
  }
  for (const r of reviews) {
    const i = r.lastIndexOf("/");
    const [av, kind] = [r.slice(0, i), r.slice(i + 1)];
    assert.ok(decodesProtobuf(av, kind), r);
    served.set(protobufMessageFor(av, kind)!, r);
  }
  for (const message of embeddedKindMessages()) {
    assert.ok(served.has(message), `${message} decodes but is not served`);
  }
  // Meta's kinds decode under any group version; other groups never.
  assert.ok(decodesProtobuf("coordination.k8s.io/v1", "DeleteOptions"));
  assert.ok(!decodesProtobuf("example.com/v1", "Widget"));
  assert.ok(!decodesProtobuf("coordination.k8s.io/v1", "LeaseSpec"));
  assert.ok(!decodesProtobuf("v1", "ConfigMapList"));
});

Deno.test("a definition with its schemas is all the schema index needs", () => {
  const lease = BUILTIN_RESOURCES.find((d) => d.kind === "Lease")!;
  const extra = {
    ...lease,
    group: "example.k8s.io",
    kind: "Ticket",
    plural: "tickets",
    singular: "ticket",
  };
  const derived = schemasOf([extra]).map((s) =>
    `${s.group}/${s.version}/${s.kind}`
  );
  assert.deepEqual(derived, [
    "example.k8s.io/v1/Ticket",
    "example.k8s.io/v1/TicketList",
    "/v1/Status",
    "/v1/DeleteOptions",
  ]);
  // Without its list schema a definition is not a built-in typed kind.
  assert.deepEqual(
    schemasOf([{ ...extra, listSchema: undefined }]).map((s) => s.kind),
    ["Status", "DeleteOptions"],
  );
});
