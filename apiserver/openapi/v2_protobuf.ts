/**
 * The OpenAPI v2 document in gnostic protobuf (`openapi_v2.Document`), as
 * kube-openapi serves it for `Accept:
 * application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (what kubectl
 * and client-go's `OpenAPISchema()` ask for). The JSON document is converted
 * the way gnostic's compiler reads it: `$ref` → `_ref`, `type` → `TypeItem`,
 * `items` → `ItemsItem`, maps → ordered `Named*` pairs, parameters split by
 * `in`, and every free-form value (`default`, `enum`, `example`, `x-*`
 * vendor extensions) as YAML text in an `Any`.
 *
 * @module
 */

import protobuf from "protobufjs";
import { stringify as toYaml } from "yaml";
import { OPENAPI_V2_PROTO } from "./_gnostic_v2_proto.ts";
import { isObject } from "../../internal/json.ts";

type Json = Record<string, unknown>;
type Msg = Record<string, unknown>;

function buildDocumentType(): protobuf.Type {
  const root = new protobuf.Root();
  protobuf.parse(OPENAPI_V2_PROTO, root, { keepCase: true });
  root.resolveAll();
  return root.lookupType("openapi.v2.Document");
}

/** `openapi.v2.Document`, parsed once (read-only). */
const DOCUMENT: protobuf.Type = buildDocumentType();

/** A free-form value as gnostic's `Any` (YAML text). */
function any(v: unknown): Msg {
  return { yaml: toYaml(v) };
}

/** The `x-*` keys of `obj` as `NamedAny`s, in order. */
function vendorExtensions(obj: Json): Msg[] {
  return Object.entries(obj)
    .filter(([k]) => k.startsWith("x-"))
    .map(([name, value]) => ({ name, value: any(value) }));
}

/** Copies the keys of `obj` present in `names` (JSON name → proto name). */
function pick(obj: Json, names: Record<string, string>, out: Msg): Msg {
  for (const [json, proto] of Object.entries(names)) {
    const v = obj[json];
    if (v !== undefined && v !== null) out[proto] = v;
  }
  return out;
}

const SCHEMA_SCALARS: Record<string, string> = {
  $ref: "_ref",
  format: "format",
  title: "title",
  description: "description",
  multipleOf: "multiple_of",
  maximum: "maximum",
  exclusiveMaximum: "exclusive_maximum",
  minimum: "minimum",
  exclusiveMinimum: "exclusive_minimum",
  maxLength: "max_length",
  minLength: "min_length",
  pattern: "pattern",
  maxItems: "max_items",
  minItems: "min_items",
  uniqueItems: "unique_items",
  maxProperties: "max_properties",
  minProperties: "min_properties",
  required: "required",
  discriminator: "discriminator",
  readOnly: "read_only",
};

function externalDocs(v: unknown): Msg | undefined {
  if (!isObject(v)) return undefined;
  return pick(v, { description: "description", url: "url" }, {
    vendor_extension: vendorExtensions(v),
  });
}

/** A JSON schema node as `openapi.v2.Schema`. */
function schema(s: Json): Msg {
  const out = pick(s, SCHEMA_SCALARS, {});
  if (s.default !== undefined) out.default = any(s.default);
  if (s.example !== undefined) out.example = any(s.example);
  if (Array.isArray(s.enum)) out.enum = s.enum.map(any);
  const ap = s.additionalProperties;
  if (typeof ap === "boolean") out.additional_properties = { boolean: ap };
  else if (isObject(ap)) out.additional_properties = { schema: schema(ap) };
  if (typeof s.type === "string") out.type = { value: [s.type] };
  else if (Array.isArray(s.type)) out.type = { value: s.type };
  if (isObject(s.items)) out.items = { schema: [schema(s.items)] };
  else if (Array.isArray(s.items)) {
    out.items = { schema: s.items.filter(isObject).map(schema) };
  }
  if (Array.isArray(s.allOf)) {
    out.all_of = s.allOf.filter(isObject).map(schema);
  }
  if (isObject(s.properties)) {
    out.properties = {
      additional_properties: Object.entries(s.properties)
        .filter(([, v]) => isObject(v))
        .map(([name, v]) => ({ name, value: schema(v as Json) })),
    };
  }
  if (isObject(s.xml)) {
    out.xml = pick(s.xml, {
      name: "name",
      namespace: "namespace",
      prefix: "prefix",
      attribute: "attribute",
      wrapped: "wrapped",
    }, {});
  }
  const docs = externalDocs(s.externalDocs);
  if (docs) out.external_docs = docs;
  out.vendor_extension = vendorExtensions(s);
  return out;
}

const PRIMITIVE_FIELDS: Record<string, string> = {
  type: "type",
  format: "format",
  collectionFormat: "collection_format",
  maximum: "maximum",
  exclusiveMaximum: "exclusive_maximum",
  minimum: "minimum",
  exclusiveMinimum: "exclusive_minimum",
  maxLength: "max_length",
  minLength: "min_length",
  pattern: "pattern",
  maxItems: "max_items",
  minItems: "min_items",
  uniqueItems: "unique_items",
  multipleOf: "multiple_of",
};

/** `PrimitivesItems` (the `items` of a non-body parameter or header). */
function primitives(p: Json): Msg {
  const out = pick(p, PRIMITIVE_FIELDS, {});
  if (isObject(p.items)) out.items = primitives(p.items);
  if (p.default !== undefined) out.default = any(p.default);
  if (Array.isArray(p.enum)) out.enum = p.enum.map(any);
  out.vendor_extension = vendorExtensions(p);
  return out;
}

const NON_BODY_KINDS: Record<string, string> = {
  header: "header_parameter_sub_schema",
  formData: "form_data_parameter_sub_schema",
  query: "query_parameter_sub_schema",
  path: "path_parameter_sub_schema",
};

/** A parameter (or a `$ref` to one) as `ParametersItem`. */
function parametersItem(p: Json): Msg {
  if (typeof p.$ref === "string") {
    return { json_reference: pick(p, { $ref: "_ref" }, {}) };
  }
  const common = pick(p, {
    description: "description",
    name: "name",
    in: "in",
    required: "required",
  }, { vendor_extension: vendorExtensions(p) });
  if (p.in === "body") {
    if (isObject(p.schema)) common.schema = schema(p.schema);
    return { parameter: { body_parameter: common } };
  }
  const sub = { ...primitives(p), ...common };
  if (p.in === "query" || p.in === "formData") {
    pick(p, { allowEmptyValue: "allow_empty_value" }, sub);
  }
  const kind = NON_BODY_KINDS[String(p.in)] ?? "query_parameter_sub_schema";
  return { parameter: { non_body_parameter: { [kind]: sub } } };
}

function parameters(v: unknown): Msg[] {
  return Array.isArray(v) ? v.filter(isObject).map(parametersItem) : [];
}

/** A response (or a `$ref` to one) as `ResponseValue`. */
function responseValue(r: Json): Msg {
  if (typeof r.$ref === "string") {
    return { json_reference: pick(r, { $ref: "_ref" }, {}) };
  }
  const out = pick(r, { description: "description" }, {
    vendor_extension: vendorExtensions(r),
  });
  if (isObject(r.schema)) out.schema = { schema: schema(r.schema) };
  return { response: out };
}

function securityRequirements(v: unknown): Msg[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((req) => ({
    additional_properties: Object.entries(req).map(([name, scopes]) => ({
      name,
      value: { value: Array.isArray(scopes) ? scopes.map(String) : [] },
    })),
  }));
}

function operation(op: Json): Msg {
  const out = pick(op, {
    tags: "tags",
    summary: "summary",
    description: "description",
    operationId: "operation_id",
    produces: "produces",
    consumes: "consumes",
    schemes: "schemes",
    deprecated: "deprecated",
  }, {
    parameters: parameters(op.parameters),
    security: securityRequirements(op.security),
    vendor_extension: vendorExtensions(op),
  });
  if (isObject(op.responses)) {
    const responses = op.responses;
    out.responses = {
      response_code: Object.entries(responses)
        .filter(([code, r]) => !code.startsWith("x-") && isObject(r))
        .map(([name, r]) => ({ name, value: responseValue(r as Json) })),
      vendor_extension: vendorExtensions(responses),
    };
  }
  const docs = externalDocs(op.externalDocs);
  if (docs) out.external_docs = docs;
  return out;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch"];

function pathItem(item: Json): Msg {
  const out = pick(item, { $ref: "_ref" }, {
    parameters: parameters(item.parameters),
    vendor_extension: vendorExtensions(item),
  });
  for (const m of METHODS) {
    if (isObject(item[m])) out[m] = operation(item[m] as Json);
  }
  return out;
}

function securityDefinition(d: Json): Msg {
  const ext = vendorExtensions(d);
  switch (d.type) {
    case "basic":
      return {
        basic_authentication_security: pick(d, {
          type: "type",
          description: "description",
        }, { vendor_extension: ext }),
      };
    case "oauth2": {
      const flow = String(d.flow ?? "");
      const kind = {
        implicit: "oauth2_implicit_security",
        password: "oauth2_password_security",
        application: "oauth2_application_security",
        accessCode: "oauth2_access_code_security",
      }[flow] ?? "oauth2_implicit_security";
      const out = pick(d, {
        type: "type",
        flow: "flow",
        authorizationUrl: "authorization_url",
        tokenUrl: "token_url",
        description: "description",
      }, { vendor_extension: ext });
      if (isObject(d.scopes)) {
        out.scopes = {
          additional_properties: Object.entries(d.scopes).map((
            [name, value],
          ) => ({ name, value: String(value) })),
        };
      }
      return { [kind]: out };
    }
    default:
      return {
        api_key_security: pick(d, {
          type: "type",
          name: "name",
          in: "in",
          description: "description",
        }, { vendor_extension: ext }),
      };
  }
}

function named<T>(
  v: unknown,
  convert: (x: Json) => T,
): Array<{ name: string; value: T }> {
  if (!isObject(v)) return [];
  return Object.entries(v)
    .filter(([k, x]) => !k.startsWith("x-") && isObject(x))
    .map(([name, x]) => ({ name, value: convert(x as Json) }));
}

/** The JSON v2 document as a plain `openapi.v2.Document` message object. */
export function toGnosticDocument(doc: Json): Msg {
  const out = pick(doc, {
    swagger: "swagger",
    host: "host",
    basePath: "base_path",
    schemes: "schemes",
    consumes: "consumes",
    produces: "produces",
  }, {
    security: securityRequirements(doc.security),
    vendor_extension: vendorExtensions(doc),
  });
  if (isObject(doc.info)) {
    out.info = pick(doc.info, {
      title: "title",
      version: "version",
      description: "description",
      termsOfService: "terms_of_service",
    }, { vendor_extension: vendorExtensions(doc.info) });
  }
  if (isObject(doc.paths)) {
    out.paths = {
      path: named(doc.paths, pathItem),
      vendor_extension: vendorExtensions(doc.paths),
    };
  }
  if (isObject(doc.definitions)) {
    out.definitions = { additional_properties: named(doc.definitions, schema) };
  }
  if (isObject(doc.parameters)) {
    out.parameters = {
      additional_properties: named(
        doc.parameters,
        (p) => parametersItem(p).parameter as Msg,
      ),
    };
  }
  if (isObject(doc.responses)) {
    out.responses = {
      additional_properties: named(
        doc.responses,
        (r) => responseValue(r).response as Msg,
      ),
    };
  }
  if (isObject(doc.securityDefinitions)) {
    out.security_definitions = {
      additional_properties: named(doc.securityDefinitions, securityDefinition),
    };
  }
  if (Array.isArray(doc.tags)) {
    out.tags = doc.tags.filter(isObject).map((t) =>
      pick(t, { name: "name", description: "description" }, {
        vendor_extension: vendorExtensions(t),
      })
    );
  }
  return out;
}

/**
 * Encodes an OpenAPI v2 JSON document as gnostic `openapi_v2.Document`
 * protobuf bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeOpenApiV2Protobuf(openApiV2(kinds));
 * ```
 */
export function encodeOpenApiV2Protobuf(doc: Json): Uint8Array<ArrayBuffer> {
  const msg = DOCUMENT.fromObject(toGnosticDocument(doc));
  const bytes = DOCUMENT.encode(msg).finish();
  return new Uint8Array(bytes);
}

/** Decodes gnostic `openapi_v2.Document` bytes (tests, debugging). */
export function decodeOpenApiV2Protobuf(bytes: Uint8Array): Msg {
  return DOCUMENT.toObject(DOCUMENT.decode(bytes), {
    oneofs: true,
    longs: Number,
    defaults: false,
  }) as Msg;
}
