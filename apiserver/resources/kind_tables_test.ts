/**
 * The tables keyed by kind agree with the served definitions: every
 * built-in kind has its schema and its list's schema, every schema and
 * protobuf entry belongs to a served kind (or a review, or meta's
 * Status/DeleteOptions), and which built-in kinds decode protobuf is an
 * explicit decision, so adding a kind without its tables fails here.
 */

import assert from "node:assert/strict";
import { BUILTIN_SCHEMAS, builtinSchema } from "../schema/mod.ts";
import { PROTOBUF_KINDS, protobufMessageFor } from "../protobuf/mod.ts";
import { REVIEW_RESOURCES } from "../reviews/mod.ts";
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
    assert.ok(builtinSchema(def.group, def.version, def.kind), name);
    assert.ok(
      builtinSchema(def.group, def.version, listKindOf(def)),
      `${name}List`,
    );
  }
});

Deno.test("every built-in schema belongs to a served kind, its list, or meta's Status and DeleteOptions", () => {
  const served = new Set(
    BUILTIN_RESOURCES.flatMap((d) => [
      key(apiVersionOf(d), d.kind),
      key(apiVersionOf(d), listKindOf(d)),
    ]),
  );
  for (const s of BUILTIN_SCHEMAS) {
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
  for (const def of BUILTIN_RESOURCES) {
    const name = key(apiVersionOf(def), def.kind);
    const message = protobufMessageFor(apiVersionOf(def), def.kind);
    if (JSON_ONLY.has(name)) {
      assert.equal(message, undefined, `${name} is marked JSON-only`);
    } else {
      assert.ok(message, `${name} has no protobuf message`);
    }
  }
  const served = new Set(
    BUILTIN_RESOURCES.map((d) => key(apiVersionOf(d), d.kind)),
  );
  for (const k of PROTOBUF_KINDS) {
    const name = key(k.apiVersion, k.kind);
    assert.ok(
      served.has(name) || reviews.has(name),
      `${name} decodes protobuf but is not served`,
    );
  }
});
