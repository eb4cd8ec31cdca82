/**
 * core/v1 ResourceQuota (`io.k8s.api.core.v1.ResourceQuota*`) and the
 * apimachinery `Quantity` its maps hold, with upstream's descriptions.
 *
 * @module
 */

import { listOf, object, strList } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import { kindSchema, listSchema } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const CORE = "io.k8s.api.core.v1";
const SPEC_STATUS =
  "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status";
const QUOTA_DOCS =
  "https://kubernetes.io/docs/concepts/policy/resource-quotas/";

/** The scopes upstream's API documents (`ResourceQuotaScope`). */
export const RESOURCE_QUOTA_SCOPES: readonly string[] = Object.freeze([
  "BestEffort",
  "CrossNamespacePodAffinity",
  "NotBestEffort",
  "NotTerminating",
  "PriorityClass",
  "Terminating",
  "VolumeAttributesClass",
]);

/** The operators of a scope selector requirement. */
export const SCOPE_SELECTOR_OPERATORS: readonly string[] = Object.freeze([
  "DoesNotExist",
  "Exists",
  "In",
  "NotIn",
]);

/** `resource.Quantity` (a string such as `2`, `500m`, `1Gi`). */
export const QUANTITY: Schema = named(
  "io.k8s.apimachinery.pkg.api.resource.Quantity",
  {
    type: "string",
    description:
      'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```\n\nNo matter which of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller quantities.\n\nWhen a Quantity is parsed from a string, it will remember the type of suffix it had, and will use the same type again when it is serialized.\n\nBefore serializing, Quantity will be put in "canonical form". This means that Exponent/suffix will be adjusted up or down (with a corresponding increase or decrease in Mantissa) such that:\n\n- No precision is lost - No fractional digits will be emitted - The exponent (or suffix) is as large as possible.\n\nThe sign will be omitted unless the number is negative.\n\nExamples:\n\n- 1.5 will be serialized as "1500m" - 1.5Gi will be serialized as "1536Mi"\n\nNote that the quantity will NEVER be internally represented by a floating point number. That is the whole point of this exercise.\n\nNon-canonical values will still parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use canonical form, or don\'t diff.)\n\nThis format is intended to make it difficult to use these numbers without writing some sort of special handling code in the hopes that that will cause implementors to also use a fixed point implementation.',
  },
);

function quantityMap(description: string): Schema {
  return { type: "object", description, additionalProperties: ref(QUANTITY) };
}

const SCOPED_RESOURCE_SELECTOR_REQUIREMENT: Schema = named(
  `${CORE}.ScopedResourceSelectorRequirement`,
  object(
    "A scoped-resource selector requirement is a selector that contains values, a scope name, and an operator that relates the scope name and values.",
    {
      operator: {
        type: "string",
        default: "",
        description:
          'Represents a scope\'s relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist.\n\nPossible enum values:\n - `"DoesNotExist"`\n - `"Exists"`\n - `"In"`\n - `"NotIn"`',
        enum: [...SCOPE_SELECTOR_OPERATORS],
      },
      scopeName: {
        type: "string",
        default: "",
        description:
          'The name of the scope that the selector applies to.\n\nPossible enum values:\n - `"BestEffort"` Match all pod objects that have best effort quality of service\n - `"CrossNamespacePodAffinity"` Match all pod objects that have cross-namespace pod (anti)affinity mentioned.\n - `"NotBestEffort"` Match all pod objects that do not have best effort quality of service\n - `"NotTerminating"` Match all pod objects where spec.activeDeadlineSeconds is nil\n - `"PriorityClass"` Match all pod objects that have priority class mentioned\n - `"Terminating"` Match all pod objects where spec.activeDeadlineSeconds >=0\n - `"VolumeAttributesClass"` Match all pvc objects that have volume attributes class mentioned.',
        enum: [...RESOURCE_QUOTA_SCOPES],
      },
      values: strList(
        "An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.",
        { "x-kubernetes-list-type": "atomic" },
      ),
    },
    { required: ["scopeName", "operator"] },
  ),
);

const SCOPE_SELECTOR: Schema = named(
  `${CORE}.ScopeSelector`,
  object(
    "A scope selector represents the AND of the selectors represented by the scoped-resource selector requirements.",
    {
      matchExpressions: listOf(
        "A list of scope selector requirements by scope of the resources.",
        ref(SCOPED_RESOURCE_SELECTOR_REQUIREMENT),
        { "x-kubernetes-list-type": "atomic" },
      ),
    },
    { "x-kubernetes-map-type": "atomic" },
  ),
);

const RESOURCE_QUOTA_SPEC: Schema = named(
  `${CORE}.ResourceQuotaSpec`,
  object(
    "ResourceQuotaSpec defines the desired hard limits to enforce for Quota.",
    {
      hard: quantityMap(
        `hard is the set of desired hard limits for each named resource. More info: ${QUOTA_DOCS}`,
      ),
      scopeSelector: ref(
        SCOPE_SELECTOR,
        "scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota but expressed using ScopeSelectorOperator in combination with possible values. For a resource to match, both scopes AND scopeSelector (if specified in spec), must be matched.",
      ),
      scopes: strList(
        "A collection of filters that must match each object tracked by a quota. If not specified, the quota matches all objects.",
        { "x-kubernetes-list-type": "atomic" },
      ),
    },
  ),
);

const RESOURCE_QUOTA_STATUS: Schema = named(
  `${CORE}.ResourceQuotaStatus`,
  object(
    "ResourceQuotaStatus defines the enforced hard limits and observed use.",
    {
      hard: quantityMap(
        `Hard is the set of enforced hard limits for each named resource. More info: ${QUOTA_DOCS}`,
      ),
      used: quantityMap(
        "Used is the current observed total usage of the resource in the namespace.",
      ),
    },
  ),
);

/** core/v1 `ResourceQuota`. */
export const RESOURCE_QUOTA: Schema = kindSchema(
  `${CORE}.ResourceQuota`,
  "ResourceQuota sets aggregate quota restrictions enforced per namespace",
  {
    spec: ref(
      RESOURCE_QUOTA_SPEC,
      `Spec defines the desired quota. ${SPEC_STATUS}`,
    ),
    status: ref(
      RESOURCE_QUOTA_STATUS,
      `Status defines the actual enforced quota and its current usage. ${SPEC_STATUS}`,
    ),
  },
);

/** core/v1 `ResourceQuotaList`. */
export const RESOURCE_QUOTA_LIST: Schema = listSchema(
  `${CORE}.ResourceQuotaList`,
  RESOURCE_QUOTA,
  `Items is a list of ResourceQuota objects. More info: ${QUOTA_DOCS}`,
);
