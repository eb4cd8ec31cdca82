import assert from "node:assert/strict";
import { formatFieldError } from "../validation/field_error.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import type { CustomResourceDefinition } from "./types.ts";
import {
  defaultCrd,
  validateCrd,
  validateCrdUpdate,
  validateStoredVersions,
  WEBHOOK_UNSUPPORTED,
} from "./validate_crd.ts";

function errorsOf(
  edit: (crd: CustomResourceDefinition) => void,
): string[] {
  const crd = cronTabCrd();
  edit(crd);
  defaultCrd(crd);
  return validateCrd(crd).map(formatFieldError);
}

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("the CronTab example is valid", () => {
  assert.deepEqual(errorsOf(() => {}), []);
});

Deno.test("defaulting fills singular, listKind and conversion", () => {
  const crd = cronTabCrd();
  delete crd.spec.names!.singular;
  delete crd.spec.names!.listKind;
  delete crd.spec.conversion;
  defaultCrd(crd);
  assert.equal(crd.spec.names!.singular, "crontab");
  assert.equal(crd.spec.names!.listKind, "CronTabList");
  assert.deepEqual(crd.spec.conversion, { strategy: "None" });
});

Deno.test("metadata.name must be plural.group", () => {
  assert.deepEqual(
    errorsOf((c) => c.metadata.name = "crontab.stable.example.com"),
    [
      'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group',
    ],
  );
});

Deno.test("the group is a DNS subdomain with a dot", () => {
  const errs = errorsOf((c) => {
    c.spec.group = "stable";
    c.metadata.name = "crontabs.stable";
  });
  assert.deepEqual(errs, [
    'spec.group: Invalid value: "stable": should be a domain with at least one dot',
  ]);
  assert.deepEqual(
    errorsOf((c) => {
      c.spec.group = "";
      c.metadata.name = "crontabs.";
    }),
    ["spec.group: Required value"],
  );
});

Deno.test("protected groups need the approval annotation", () => {
  const errs = errorsOf((c) => {
    c.spec.group = "x.k8s.io";
    c.metadata.name = "crontabs.x.k8s.io";
  });
  assert.equal(errs.length, 1);
  assert.match(
    errs[0],
    /^metadata\.annotations\[api-approved\.kubernetes\.io\]: Required value: protected groups/,
  );
});

Deno.test("names follow the DNS-1035 label rules", () => {
  const errs = errorsOf((c) => {
    c.spec.names!.kind = "Cron_Tab";
    c.spec.names!.shortNames = ["CT"];
    c.spec.names!.categories = ["ok", "1bad"];
    c.spec.names!.listKind = "Cron_Tab";
  });
  assert.deepEqual(errs.map((e) => e.split(":")[0]), [
    "spec.names.kind",
    "spec.names.listKind",
    "spec.names.shortNames[0]",
    "spec.names.listKind",
    "spec.names.categories[1]",
  ]);
  assert.match(
    errs[0],
    /may have mixed case, but should otherwise match: a DNS-1035 label/,
  );
  assert.match(errs[3], /kind and listKind may not be the same/);
});

Deno.test("names and scope are required", () => {
  const errs = errorsOf((c) => {
    c.spec.names = { plural: "crontabs" };
    delete (c.spec as Any).scope;
  });
  assert.deepEqual(errs, [
    "spec.scope: Required value",
    "spec.names.singular: Required value",
    "spec.names.kind: Required value",
    "spec.names.listKind: Required value",
  ]);
  assert.deepEqual(errorsOf((c) => c.spec.scope = "Global"), [
    'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
  ]);
});

Deno.test("versions need unique DNS-1035 names, one storage and one served", () => {
  assert.deepEqual(
    errorsOf((c) => c.spec.versions![0].name = "V1"),
    [
      "spec.versions[0].name: Invalid value: \"V1\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  );
  assert.deepEqual(
    errorsOf((c) => c.spec.versions![0].name = "v1").map((e) =>
      e.split(": ").at(-1)
    ),
    ["must contain unique version names"],
  );
  assert.deepEqual(
    errorsOf((c) => c.spec.versions![0].storage = true).map((e) =>
      e.split(": ").at(-1)
    ),
    ["must have exactly one version marked as storage version"],
  );
  assert.deepEqual(
    errorsOf((c) => c.spec.versions!.forEach((v) => v.served = false)).map(
      (e) => e.split(": ").at(-1),
    ),
    ["must have at least one version marked as served"],
  );
  assert.deepEqual(errorsOf((c) => c.spec.versions = []).length, 1);
});

Deno.test("every version needs a schema", () => {
  assert.deepEqual(errorsOf((c) => delete c.spec.versions![1].schema), [
    "spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required",
  ]);
});

Deno.test("structural schema rules are enforced", () => {
  const at = "spec.versions[1].schema.openAPIV3Schema";
  const cases: Array<[(s: Any) => void, string]> = [
    [
      (s) => delete s.type,
      `${at}.type: Required value: must not be empty at the root`,
    ],
    [
      (s) => s.type = "string",
      `${at}.type: Invalid value: "string": must be object at the root`,
    ],
    [
      (s) => delete s.properties.spec.properties.image.type,
      `${at}.properties[spec].properties[image].type: Required value: must not be empty for specified object fields`,
    ],
    [
      (s) => delete s.properties.spec.properties.tags.items,
      `${at}.properties[spec].properties[tags].items: Required value: must be specified`,
    ],
    [
      (s) => s.properties.spec.properties.tags.uniqueItems = true,
      `${at}.properties[spec].properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    ],
    [
      (s) => s.properties.spec.$ref = "#/x",
      `${at}.properties[spec].$ref: Forbidden: $ref is not supported`,
    ],
    [
      (s) => s.properties.spec.additionalProperties = { type: "string" },
      `${at}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ],
    [
      (s) => {
        s.properties.status.properties = { phase: { type: "string" } };
        s.properties.status.additionalProperties = false;
      },
      `${at}.properties[status].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ],
    [
      (s) => s.additionalProperties = true,
      `${at}.additionalProperties: Forbidden: must not be used at the root`,
    ],
    [
      (s) => s.properties.spec.definitions = { a: { type: "string" } },
      `${at}.properties[spec].definitions: Forbidden: definitions is not supported`,
    ],
    [
      (s) => s.properties.spec.properties.image.type = "text",
      `${at}.properties[spec].properties[image].type: Unsupported value: "text": supported values: "array", "boolean", "integer", "number", "object", "string"`,
    ],
    [
      (s) =>
        s.properties.metadata = {
          type: "object",
          properties: { labels: { type: "object" } },
        },
      `${at}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ],
    [
      (s) =>
        s.properties.spec.properties
          .image["x-kubernetes-preserve-unknown-fields"] = false,
      `${at}.properties[spec].properties[image].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    ],
    [
      (s) =>
        s.properties.spec.anyOf = [{ type: "object", required: ["image"] }],
      `${at}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`,
    ],
    [
      (s) => s.properties.spec.properties.image.pattern = "(",
      `${at}.properties[spec].properties[image].pattern: Invalid value: "(": must be a valid regular expression`,
    ],
  ];
  for (const [edit, want] of cases) {
    const errs = errorsOf((c) =>
      edit(c.spec.versions![1].schema!.openAPIV3Schema)
    );
    assert.equal(errs.length, 1, `${want}\n got ${errs.join("\n")}`);
    assert.ok(errs[0].startsWith(want), `${want}\n got ${errs[0]}`);
  }
});

Deno.test("additionalProperties: true may stand beside properties, false or a schema alone", () => {
  assert.deepEqual(
    errorsOf((c) => {
      const p = c.spec.versions![1].schema!.openAPIV3Schema!.properties!;
      p.status = {
        type: "object",
        properties: { phase: { type: "string" } },
        additionalProperties: true,
      };
      p.spec.properties!.closed = {
        type: "object",
        additionalProperties: false,
      };
      p.spec.properties!.open = { type: "object", additionalProperties: true };
      p.spec.properties!.map = {
        type: "object",
        additionalProperties: { type: "string" },
        properties: {},
      };
    }),
    [],
  );
});

Deno.test("metadata may name name and generateName", () => {
  assert.deepEqual(
    errorsOf((c) =>
      c.spec.versions![1].schema!.openAPIV3Schema!.properties!.metadata = {
        type: "object",
        properties: { name: { type: "string", maxLength: 20 } },
      }
    ),
    [],
  );
});

Deno.test("int-or-string and preserve-unknown-fields nodes need no type", () => {
  assert.deepEqual(
    errorsOf((c) => {
      const p = c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec
        .properties!;
      p.port = { "x-kubernetes-int-or-string": true };
      p.anything = { "x-kubernetes-preserve-unknown-fields": true };
      p.both = {
        "x-kubernetes-int-or-string": true,
        anyOf: [{ type: "integer" }, { type: "string" }],
      };
    }),
    [],
  );
});

Deno.test("embedded resources must be objects with properties or preserve", () => {
  const errs = errorsOf((c) => {
    c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec.properties!
      .template = { "x-kubernetes-embedded-resource": true, type: "object" };
  });
  assert.deepEqual(errs, [
    "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[template].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
  ]);
});

Deno.test("map list keys must be required or defaulted scalars", () => {
  const errs = errorsOf((c) => {
    const ports = c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec
      .properties!.ports;
    ports.items!.required = [];
  });
  assert.deepEqual(errs, [
    "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
  ]);
  const missing = errorsOf((c) => {
    c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec.properties!
      .ports["x-kubernetes-list-map-keys"] = ["nope"];
  });
  assert.match(missing[0], /entries must all be names of item properties/);
  const noType = errorsOf((c) => {
    c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec.properties!
      .image["x-kubernetes-list-type"] = "set";
  });
  assert.match(noType[0], /must only be used on type=array/);
});

Deno.test("defaults must validate and be pruned", () => {
  const at =
    "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[replicas].default";
  assert.deepEqual(
    errorsOf((c) =>
      c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec
        .properties!.replicas.default = 0
    ),
    [`${at}: Invalid value: 0: ${at} in body should be greater than or equal to 1`],
  );
  const pruned = errorsOf((c) => {
    c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec.default = {
      image: "x",
      unknown: 1,
    };
  });
  assert.equal(pruned.length, 1);
  assert.match(pruned[0], /must not have unknown fields, got: unknown/);
});

Deno.test("malformed schema keywords are rejected without crashing", () => {
  const errs = errorsOf((c) => {
    const s: Any = c.spec.versions![1].schema!.openAPIV3Schema!.properties!
      .spec.properties!.image;
    s.enum = "a";
    s.maxLength = -1;
    s.default = "x";
  });
  assert.equal(errs.length, 2);
});

Deno.test("CEL rules must compile", () => {
  const errs = errorsOf((c) => {
    c.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec[
      "x-kubernetes-validations"
    ] = [{ rule: "self.replicas <=" }, { rule: "self.replicas <= 5" }];
  });
  assert.equal(errs.length, 1);
  assert.match(
    errs[0],
    /^spec\.versions\[1\]\.schema\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self\.replicas <=": compilation failed: /,
  );
});

Deno.test("scale paths must be JSON paths under spec and status", () => {
  const errs = errorsOf((c) => {
    c.spec.versions![1].subresources!.scale = {
      specReplicasPath: ".status.replicas",
      statusReplicasPath: "status.replicas",
      labelSelectorPath: ".metadata.labels",
    };
  });
  assert.deepEqual(errs, [
    'spec.versions[1].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.versions[1].subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .',
    'spec.versions[1].subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status',
  ]);
});

Deno.test("printer columns need a name, a known type and a JSON path", () => {
  const errs = errorsOf((c) => {
    c.spec.versions![1].additionalPrinterColumns = [
      { name: "", type: "text", jsonPath: "spec.x", format: "weird" },
      { name: "P", type: "integer", jsonPath: ".spec[", priority: -1 },
    ];
  });
  assert.deepEqual(errs.map((e) => e.split(": ").slice(0, 2).join(": ")), [
    "spec.versions[1].additionalPrinterColumns[0].name: Required value",
    "spec.versions[1].additionalPrinterColumns[0].type: Unsupported value",
    "spec.versions[1].additionalPrinterColumns[0].format: Unsupported value",
    "spec.versions[1].additionalPrinterColumns[0].jsonPath: Invalid value",
    "spec.versions[1].additionalPrinterColumns[1].priority: Invalid value",
    "spec.versions[1].additionalPrinterColumns[1].jsonPath: Invalid value",
  ]);
});

Deno.test("webhook conversion is rejected clearly", () => {
  assert.deepEqual(
    errorsOf((c) => c.spec.conversion = { strategy: "Webhook", webhook: {} }),
    [`spec.conversion.strategy: Invalid value: "Webhook": ${WEBHOOK_UNSUPPORTED}`],
  );
  assert.deepEqual(
    errorsOf((c) => c.spec.conversion = { strategy: "Magic" }),
    ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"'],
  );
  assert.deepEqual(
    errorsOf((c) => c.spec.preserveUnknownFields = true).length,
    1,
  );
});

Deno.test("scope cannot change once established and storedVersions are checked", () => {
  const old = cronTabCrd();
  defaultCrd(old);
  old.status = {
    conditions: [{ type: "Established", status: "True" }],
    storedVersions: ["v1"],
  };
  const next = structuredClone(old);
  next.spec.scope = "Cluster";
  assert.deepEqual(validateCrdUpdate(next, old).map(formatFieldError), [
    'spec.scope: Invalid value: "Cluster": field is immutable',
  ]);
  const gone = structuredClone(old);
  gone.status!.storedVersions = ["v0"];
  assert.deepEqual(validateStoredVersions(gone).map(formatFieldError), [
    'status.storedVersions[0]: Invalid value: "v0": must appear in spec.versions',
    "status.storedVersions: Invalid value: array: must have the storage version v1",
  ]);
});

Deno.test("garbage input gets typed errors, not exceptions", () => {
  const inputs: Any[] = [
    { metadata: {} },
    { metadata: { name: "a.b.c" }, spec: { versions: "v1" } },
    { metadata: { name: "a.b.c" }, spec: { names: 3, versions: [null, 7] } },
    {
      metadata: { name: "a.b.c" },
      spec: { versions: [{ name: "v1", schema: { openAPIV3Schema: [] } }] },
    },
    {
      metadata: { name: "a.b.c" },
      spec: {
        versions: [{
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: { a: null, b: { items: [1] } },
              "x-kubernetes-validations": [null],
            },
          },
          subresources: { scale: 1 },
          additionalPrinterColumns: [null],
        }],
      },
    },
  ];
  for (const input of inputs) {
    defaultCrd(input);
    const errs = validateCrd(input);
    assert.ok(errs.length > 0);
    for (const e of errs) assert.equal(typeof formatFieldError(e), "string");
  }
});
