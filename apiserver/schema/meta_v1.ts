/**
 * `meta.k8s.io/v1` (`io.k8s.apimachinery.pkg.apis.meta.v1.*`): ObjectMeta,
 * ListMeta, Status, DeleteOptions and the pieces every kind shares, with
 * upstream descriptions and merge extensions, plus the builders that wrap a
 * kind's own fields into a full object or list schema.
 *
 * @module
 */

import {
  bool,
  int64,
  listOf,
  object,
  str,
  strList,
  strMap,
} from "./_builders.ts";
import { named, ref } from "./_named.ts";
import type { Schema } from "./types.ts";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** `Time`: an RFC 3339 timestamp (seconds). */
export const TIME: Schema = named(`${META}.Time`, {
  type: "string",
  format: "date-time",
  description:
    "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.",
});

/** `MicroTime`: an RFC 3339 timestamp with microseconds. */
export const MICRO_TIME: Schema = named(`${META}.MicroTime`, {
  type: "string",
  format: "date-time",
  description: "MicroTime is version of Time with microsecond level precision.",
});

/** `FieldsV1`: the field set of a managed fields entry (free-form). */
export const FIELDS_V1: Schema = named(`${META}.FieldsV1`, {
  type: "object",
  description:
    "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
  "x-kubernetes-preserve-unknown-fields": true,
});

/** `OwnerReference`. */
export const OWNER_REFERENCE: Schema = named(
  `${META}.OwnerReference`,
  object(
    "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
    {
      apiVersion: str("API version of the referent.", { default: "" }),
      blockOwnerDeletion: bool(
        'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed. See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion for how the garbage collector interacts with this field and enforces the foreground deletion. Defaults to false. To set this field, a user needs "delete" permission of the owner, otherwise 422 (Unprocessable Entity) will be returned.',
      ),
      controller: bool(
        "If true, this reference points to the managing controller.",
      ),
      kind: str(
        "Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
        { default: "" },
      ),
      name: str(
        "Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        { default: "" },
      ),
      uid: str(
        "UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids",
        { default: "" },
      ),
    },
    {
      required: ["apiVersion", "kind", "name", "uid"],
      "x-kubernetes-map-type": "atomic",
    },
  ),
);

/** `ManagedFieldsEntry`. */
export const MANAGED_FIELDS_ENTRY: Schema = named(
  `${META}.ManagedFieldsEntry`,
  object(
    "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    {
      apiVersion: str(
        'APIVersion defines the version of this resource that this field set applies to. The format is "group/version" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted.',
      ),
      fieldsType: str(
        'FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"',
      ),
      fieldsV1: ref(
        FIELDS_V1,
        'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.',
      ),
      manager: str(
        "Manager is an identifier of the workflow managing these fields.",
      ),
      operation: str(
        "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.",
      ),
      subresource: str(
        "Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name. For example, a status update will be distinct from a regular update using the same manager name. Note that the APIVersion field is not related to the Subresource field and it always corresponds to the version of the main resource.",
      ),
      time: ref(
        TIME,
        "Time is the timestamp of when the ManagedFields entry was added. The timestamp will also be updated if a field is added, the manager changes any of the owned fields value or removes a field. The timestamp does not update when a field is removed from the entry because another manager took it over.",
      ),
    },
  ),
);

/** `ObjectMeta`. */
export const OBJECT_META: Schema = named(
  `${META}.ObjectMeta`,
  object(
    "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    {
      annotations: strMap(
        "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations",
      ),
      creationTimestamp: ref(
        TIME,
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      ),
      deletionGracePeriodSeconds: int64(
        "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.",
      ),
      deletionTimestamp: ref(
        TIME,
        "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client. The resource is expected to be deleted (no longer visible from resource lists, and not reachable by name) after the time in this field, once the finalizers list is empty. As long as the finalizers list contains items, deletion is blocked. Once the deletionTimestamp is set, this value may not be unset or be set further into the future, although it may be shortened or the resource may be deleted prior to this time.\n\nPopulated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      ),
      finalizers: strList(
        "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.  Order is NOT enforced because it introduces significant risk of stuck finalizers. finalizers is a shared field, any actor with permission can reorder it. If the finalizer list is processed in order, then this can lead to a situation in which the component responsible for the first finalizer in the list is waiting for a signal (field value, external system, or other) produced by a component responsible for a finalizer later in the list, resulting in a deadlock. Without enforced ordering finalizers are free to order amongst themselves and are not vulnerable to ordering changes in the list.",
        {
          "x-kubernetes-list-type": "set",
          "x-kubernetes-patch-strategy": "merge",
        },
      ),
      generateName: str(
        "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. The provided value has the same validation rules as the Name field, and may be truncated by the length of the suffix required to make the value unique on the server.\n\nIf this field is specified and the generated name exists, the server will return a 409.\n\nApplied only if Name is not specified. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency",
      ),
      generation: int64(
        "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.",
      ),
      labels: strMap(
        "Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels",
      ),
      managedFields: listOf(
        "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name, or the name of a specific apply path like \"ci-cd\". The set of fields is always in the version that the workflow used when modifying the object.",
        ref(MANAGED_FIELDS_ENTRY),
        { "x-kubernetes-list-type": "atomic" },
      ),
      name: str(
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
      ),
      namespace: str(
        'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces',
      ),
      ownerReferences: listOf(
        "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.",
        ref(OWNER_REFERENCE),
        {
          "x-kubernetes-list-map-keys": ["uid"],
          "x-kubernetes-list-type": "map",
          "x-kubernetes-patch-merge-key": "uid",
          "x-kubernetes-patch-strategy": "merge",
        },
      ),
      resourceVersion: str(
        "An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. They may only be valid for a particular resource or set of resources.\n\nPopulated by the system. Read-only. Value must be treated as opaque by clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency",
      ),
      selfLink: str(
        "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.",
      ),
      uid: str(
        "UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.\n\nPopulated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids",
      ),
    },
  ),
);

/** `ListMeta`. */
export const LIST_META: Schema = named(
  `${META}.ListMeta`,
  object(
    "ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.",
    {
      continue: str(
        "continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects. Continuing a consistent list may not be possible if the server configuration has changed or more than a few minutes have passed. The resourceVersion field returned when using this continue value will be identical to the value in the first response, unless you have received this token from an error message.",
      ),
      remainingItemCount: int64(
        "remainingItemCount is the number of subsequent items in the list which are not included in this list response. If the list request contained label or field selectors, then the number of remaining items is unknown and the field will be left unset and omitted during serialization. If the list is complete (either because it is not chunking or because this is the last chunk), then there are no more remaining items and this field will be left unset and omitted during serialization.",
      ),
      resourceVersion: str(
        "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency",
      ),
      selfLink: str(
        "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.",
      ),
    },
  ),
);

/** The `apiVersion` field every object has. */
export const API_VERSION_FIELD: Schema = str(
  "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
);

/** The `kind` field every object has. */
export const KIND_FIELD: Schema = str(
  "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
);

/** `metadata` of a top-level object. */
export const METADATA_FIELD: Schema = ref(
  OBJECT_META,
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
);

/** `metadata` of a list. */
export const LIST_METADATA_FIELD: Schema = ref(
  LIST_META,
  "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
);

/**
 * A top-level kind: `apiVersion`, `kind`, `metadata` plus `fields`, named
 * `name` (e.g. `io.k8s.api.core.v1.ConfigMap`).
 */
export function kindSchema(
  name: string,
  description: string,
  fields: Record<string, Schema>,
  extra: Schema = {},
): Schema {
  return named(name, {
    type: "object",
    description,
    ...extra,
    properties: {
      apiVersion: API_VERSION_FIELD,
      kind: KIND_FIELD,
      metadata: METADATA_FIELD,
      ...fields,
    },
  });
}

/** The `<Kind>List` schema of a kind schema made by {@linkcode kindSchema}. */
export function listSchema(
  name: string,
  item: Schema,
  itemsDescription: string,
): Schema {
  const short = name.split(".").pop()!;
  return named(name, {
    type: "object",
    description: `${short} is a list of ${short.replace(/List$/, "")}s.`,
    required: ["items"],
    properties: {
      apiVersion: API_VERSION_FIELD,
      items: listOf(itemsDescription, ref(item)),
      kind: KIND_FIELD,
      metadata: LIST_METADATA_FIELD,
    },
  });
}

/** `Condition`: the standard condition type (`metav1.Condition`). */
export const CONDITION: Schema = named(
  `${META}.Condition`,
  object(
    "Condition contains details for one aspect of the current state of this API Resource.",
    {
      lastTransitionTime: ref(
        TIME,
        "lastTransitionTime is the last time the condition transitioned from one status to another. This should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.",
      ),
      message: str(
        "message is a human readable message indicating details about the transition. This may be an empty string.",
        { default: "" },
      ),
      observedGeneration: int64(
        "observedGeneration represents the .metadata.generation that the condition was set based upon. For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date with respect to the current state of the instance.",
      ),
      reason: str(
        "reason contains a programmatic identifier indicating the reason for the condition's last transition. Producers of specific condition types may define expected values and meanings for this field, and whether the values are considered a guaranteed API. The value should be a CamelCase string. This field may not be empty.",
        { default: "" },
      ),
      status: str("status of the condition, one of True, False, Unknown.", {
        default: "",
      }),
      type: str(
        "type of condition in CamelCase or in foo.example.com/CamelCase.",
        {
          default: "",
        },
      ),
    },
    { required: ["type", "status", "lastTransitionTime", "reason", "message"] },
  ),
);

/** `LabelSelectorRequirement`. */
export const LABEL_SELECTOR_REQUIREMENT: Schema = named(
  `${META}.LabelSelectorRequirement`,
  object(
    "A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.",
    {
      key: str("key is the label key that the selector applies to.", {
        default: "",
      }),
      operator: str(
        "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.",
        { default: "" },
      ),
      values: strList(
        "values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.",
        { "x-kubernetes-list-type": "atomic" },
      ),
    },
    { required: ["key", "operator"] },
  ),
);

/** `LabelSelector`. */
export const LABEL_SELECTOR: Schema = named(
  `${META}.LabelSelector`,
  object(
    "A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.",
    {
      matchExpressions: listOf(
        "matchExpressions is a list of label selector requirements. The requirements are ANDed.",
        ref(LABEL_SELECTOR_REQUIREMENT),
        { "x-kubernetes-list-type": "atomic" },
      ),
      matchLabels: strMap(
        'matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.',
      ),
    },
    { "x-kubernetes-map-type": "atomic" },
  ),
);
