/**
 * core/v1 (`io.k8s.api.core.v1.*`): Namespace, ConfigMap, Secret,
 * ServiceAccount and the references they share. Event lives in
 * `core_v1_event.ts`.
 *
 * @module
 */

import { bool, listOf, object, str, strList, strMap } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import { kindSchema, listSchema, TIME } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const CORE = "io.k8s.api.core.v1";
const SPEC_STATUS =
  "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status";

/** `ObjectReference`. */
export const OBJECT_REFERENCE: Schema = named(
  `${CORE}.ObjectReference`,
  object(
    "ObjectReference contains enough information to let you inspect or modify the referred object.",
    {
      apiVersion: str("API version of the referent."),
      fieldPath: str(
        'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
      ),
      kind: str(
        "Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
      ),
      name: str(
        "Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names",
      ),
      namespace: str(
        "Namespace of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
      ),
      resourceVersion: str(
        "Specific resourceVersion to which this reference is made, if any. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency",
      ),
      uid: str(
        "UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids",
      ),
    },
    { "x-kubernetes-map-type": "atomic" },
  ),
);

/** `LocalObjectReference`. */
export const LOCAL_OBJECT_REFERENCE: Schema = named(
  `${CORE}.LocalObjectReference`,
  object(
    "LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.",
    {
      name: str(
        "Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names",
        { default: "" },
      ),
    },
    { "x-kubernetes-map-type": "atomic" },
  ),
);

const NAMESPACE_CONDITION: Schema = named(
  `${CORE}.NamespaceCondition`,
  object(
    "NamespaceCondition contains details about state of namespace.",
    {
      lastTransitionTime: ref(
        TIME,
        "Last time the condition transitioned from one status to another.",
      ),
      message: str(
        "Human-readable message indicating details about last transition.",
      ),
      reason: str(
        "Unique, one-word, CamelCase reason for the condition's last transition.",
      ),
      status: str("Status of the condition, one of True, False, Unknown.", {
        default: "",
      }),
      type: str("Type of namespace controller condition.", { default: "" }),
    },
    { required: ["type", "status"] },
  ),
);

const NAMESPACE_SPEC: Schema = named(
  `${CORE}.NamespaceSpec`,
  object("NamespaceSpec describes the attributes on a Namespace.", {
    finalizers: strList(
      "Finalizers is an opaque list of values that must be empty to permanently remove object from storage. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/",
      { "x-kubernetes-list-type": "atomic" },
    ),
  }),
);

const NAMESPACE_STATUS: Schema = named(
  `${CORE}.NamespaceStatus`,
  object(
    "NamespaceStatus is information about the current status of a Namespace.",
    {
      conditions: listOf(
        "Represents the latest available observations of a namespace's current state.",
        ref(NAMESPACE_CONDITION),
        {
          "x-kubernetes-list-map-keys": ["type"],
          "x-kubernetes-list-type": "map",
          "x-kubernetes-patch-merge-key": "type",
          "x-kubernetes-patch-strategy": "merge",
        },
      ),
      phase: str(
        'Phase is the current lifecycle phase of the namespace. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/\n\nPossible enum values:\n - `"Active"` means the namespace is available for use in the system\n - `"Terminating"` means the namespace is undergoing graceful termination',
        { enum: ["Active", "Terminating"] },
      ),
    },
  ),
);

/** core/v1 `Namespace`. */
export const NAMESPACE: Schema = kindSchema(
  `${CORE}.Namespace`,
  "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
  {
    spec: ref(
      NAMESPACE_SPEC,
      `Spec defines the behavior of the Namespace. More info: ${SPEC_STATUS}`,
    ),
    status: ref(
      NAMESPACE_STATUS,
      `Status describes the current status of a Namespace. More info: ${SPEC_STATUS}`,
    ),
  },
);

/** core/v1 `NamespaceList`. */
export const NAMESPACE_LIST: Schema = listSchema(
  `${CORE}.NamespaceList`,
  NAMESPACE,
  "Items is the list of Namespace objects in the list. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
);

/** core/v1 `ConfigMap`. */
export const CONFIG_MAP: Schema = kindSchema(
  `${CORE}.ConfigMap`,
  "ConfigMap holds configuration data for pods to consume.",
  {
    binaryData: {
      type: "object",
      description:
        "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet.",
      additionalProperties: { type: "string", format: "byte" },
    },
    data: strMap(
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    immutable: bool(
      "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.",
    ),
  },
);

/** core/v1 `ConfigMapList`. */
export const CONFIG_MAP_LIST: Schema = listSchema(
  `${CORE}.ConfigMapList`,
  CONFIG_MAP,
  "Items is the list of ConfigMaps.",
);

/** core/v1 `Secret`. */
export const SECRET: Schema = kindSchema(
  `${CORE}.Secret`,
  "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
  {
    data: {
      type: "object",
      description:
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
      additionalProperties: { type: "string", format: "byte" },
    },
    immutable: bool(
      "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.",
    ),
    stringData: strMap(
      "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.",
    ),
    type: str(
      "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
    ),
  },
);

/** core/v1 `SecretList`. */
export const SECRET_LIST: Schema = listSchema(
  `${CORE}.SecretList`,
  SECRET,
  "Items is a list of secret objects. More info: https://kubernetes.io/docs/concepts/configuration/secret",
);

/** core/v1 `ServiceAccount`. */
export const SERVICE_ACCOUNT: Schema = kindSchema(
  `${CORE}.ServiceAccount`,
  "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets",
  {
    automountServiceAccountToken: bool(
      "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.",
    ),
    imagePullSecrets: listOf(
      "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount. ImagePullSecrets are distinct from Secrets because Secrets can be mounted in the pod, but ImagePullSecrets are only accessed by the kubelet. More info: https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod",
      ref(LOCAL_OBJECT_REFERENCE),
      { "x-kubernetes-list-type": "atomic" },
    ),
    secrets: listOf(
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
      ref(OBJECT_REFERENCE),
      {
        "x-kubernetes-list-map-keys": ["name"],
        "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "name",
        "x-kubernetes-patch-strategy": "merge",
      },
    ),
  },
);

/** core/v1 `ServiceAccountList`. */
export const SERVICE_ACCOUNT_LIST: Schema = listSchema(
  `${CORE}.ServiceAccountList`,
  SERVICE_ACCOUNT,
  "List of ServiceAccounts. More info: https://kubernetes.io/docs/concepts/security/service-accounts/",
);
