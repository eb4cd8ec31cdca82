/**
 * The structural schema of the `CustomResourceDefinition` kind itself, for
 * OpenAPI (`kubectl explain crd.spec`), strict client validation and
 * unknown-field detection. `JSONSchemaProps` nodes (`openAPIV3Schema`) keep
 * every field: they are recursive and checked by CRD validation instead.
 *
 * @module
 */

import { kindSchema, type Schema } from "../schema/mod.ts";

const NS = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";

function str(description: string): Schema {
  return { type: "string", description };
}

function bool(description: string): Schema {
  return { type: "boolean", description };
}

function strings(description: string): Schema {
  return {
    type: "array",
    description,
    items: { type: "string", default: "" },
    "x-kubernetes-list-type": "atomic",
  };
}

function obj(
  description: string,
  properties: Record<string, Schema>,
  required?: string[],
): Schema {
  const s: Schema = { type: "object", description, properties };
  if (required) s.required = required;
  return s;
}

const ANY: Schema = {
  type: "object",
  description:
    "JSONSchemaProps is a JSON-Schema following Specification Draft 4 (http://json-schema.org/).",
  "x-kubernetes-preserve-unknown-fields": true,
};

const NAMES = obj(
  "CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition",
  {
    categories: strings(
      "categories is a list of grouped resources this custom resource belongs to (e.g. 'all').",
    ),
    kind: str("kind is the serialized kind of the resource."),
    listKind: str(
      "listKind is the serialized kind of the list for this resource.",
    ),
    plural: str("plural is the plural name of the resource to serve."),
    shortNames: strings("shortNames are short names for the resource."),
    singular: str("singular is the singular name of the resource."),
  },
  ["plural", "kind"],
);

const PRINTER_COLUMN = obj(
  "CustomResourceColumnDefinition specifies a column for server side printing.",
  {
    description: str(
      "description is a human readable description of this column.",
    ),
    format: str(
      "format is an optional OpenAPI type definition for this column.",
    ),
    jsonPath: str(
      "jsonPath is a simple JSON path evaluated against each custom resource.",
    ),
    name: str("name is a human readable name for the column."),
    priority: { type: "integer", format: "int32", description: "priority" },
    type: str("type is an OpenAPI type definition for this column."),
  },
  ["name", "type", "jsonPath"],
);

const VERSION = obj(
  "CustomResourceDefinitionVersion describes a version for CRD.",
  {
    additionalPrinterColumns: {
      type: "array",
      description:
        "additionalPrinterColumns specifies additional columns returned in Table output.",
      items: PRINTER_COLUMN,
      "x-kubernetes-list-type": "atomic",
    },
    deprecated: bool(
      "deprecated indicates this version of the custom resource API is deprecated.",
    ),
    deprecationWarning: str(
      "deprecationWarning overrides the default warning returned to API clients.",
    ),
    name: str("name is the version name, e.g. “v1”, “v2beta1”, etc."),
    schema: obj(
      "schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.",
      {
        openAPIV3Schema: ANY,
      },
    ),
    selectableFields: {
      type: "array",
      description:
        "selectableFields specifies paths to fields that may be used as field selectors.",
      items: obj(
        "SelectableField specifies the JSON path of a field that may be used with field selectors.",
        {
          jsonPath: str(
            "jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value.",
          ),
        },
        ["jsonPath"],
      ),
      "x-kubernetes-list-type": "atomic",
    },
    served: bool(
      "served is a flag enabling/disabling this version from being served via REST APIs",
    ),
    storage: bool(
      "storage indicates this version should be used when persisting custom resources to storage.",
    ),
    subresources: {
      type: "object",
      description:
        "subresources specify what subresources this version of the defined custom resource have.",
      properties: {
        scale: obj(
          "scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.",
          {
            labelSelectorPath: str(
              "labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`.",
            ),
            specReplicasPath: str(
              "specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`.",
            ),
            statusReplicasPath: str(
              "statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`.",
            ),
          },
          ["specReplicasPath", "statusReplicasPath"],
        ),
        status: {
          type: "object",
          description:
            "status indicates the custom resource should serve a `/status` subresource.",
          "x-kubernetes-preserve-unknown-fields": true,
        },
      },
    },
  },
  ["name", "served", "storage"],
);

const SPEC = obj(
  "CustomResourceDefinitionSpec describes how a user wants their resource to appear",
  {
    conversion: {
      type: "object",
      description: "conversion defines conversion settings for the CRD.",
      "x-kubernetes-preserve-unknown-fields": true,
      properties: {
        strategy: str(
          'strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `"Webhook"`: API Server will call to an external webhook to do the conversion (not supported by hyperplane).',
        ),
      },
    },
    group: str("group is the API group of the defined custom resource."),
    names: NAMES,
    preserveUnknownFields: bool(
      "preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage.",
    ),
    scope: str(
      "scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.",
    ),
    versions: {
      type: "array",
      description:
        "versions is the list of all API versions of the defined custom resource.",
      items: VERSION,
      "x-kubernetes-list-type": "atomic",
    },
  },
  ["group", "names", "scope", "versions"],
);

const STATUS: Schema = {
  type: "object",
  description:
    "CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition",
  properties: {
    acceptedNames: NAMES,
    conditions: {
      type: "array",
      description:
        "conditions indicate state for particular aspects of a CustomResourceDefinition",
      items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["type"],
    },
    storedVersions: strings(
      "storedVersions lists all versions of CustomResources that were ever persisted.",
    ),
  },
};

/** The `apiextensions.k8s.io/v1` `CustomResourceDefinition` schema. */
export const CRD_SCHEMA: Schema = kindSchema(
  `${NS}.CustomResourceDefinition`,
  "CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.",
  { spec: SPEC, status: STATUS },
  { required: ["spec"] },
);
