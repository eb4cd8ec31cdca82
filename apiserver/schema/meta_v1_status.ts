/**
 * `meta.k8s.io/v1` results and options: `Status` (every error and
 * object-less result) and `DeleteOptions` (the optional body of a DELETE).
 *
 * @module
 */

import {
  bool,
  int32,
  int64,
  listOf,
  object,
  str,
  strList,
} from "./_builders.ts";
import { named, ref } from "./_named.ts";
import {
  API_VERSION_FIELD,
  KIND_FIELD,
  LIST_METADATA_FIELD,
} from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** `StatusCause`. */
export const STATUS_CAUSE: Schema = named(
  `${META}.StatusCause`,
  object(
    "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
    {
      field: str(
        'The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional.\n\nExamples:\n  "name" - the field "name" on the current resource\n  "items[0].name" - the field "name" on the first array entry in "items"',
      ),
      message: str(
        "A human-readable description of the cause of the error.  This field may be presented as-is to a reader.",
      ),
      reason: str(
        "A machine-readable description of the cause of the error. If this value is empty there is no information available.",
      ),
    },
  ),
);

/** `StatusDetails`. */
export const STATUS_DETAILS: Schema = named(
  `${META}.StatusDetails`,
  object(
    "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set. Clients must ignore fields that do not match the defined type of each attribute, and should assume that any attribute may be empty, invalid, or under defined.",
    {
      causes: listOf(
        "The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.",
        ref(STATUS_CAUSE),
        { "x-kubernetes-list-type": "atomic" },
      ),
      group: str(
        "The group attribute of the resource associated with the status StatusReason.",
      ),
      kind: str(
        "The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
      ),
      name: str(
        "The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).",
      ),
      retryAfterSeconds: int32(
        "If specified, the time in seconds before the operation should be retried. Some errors may indicate the client must take an alternate action - for those errors this field may indicate how long to wait before taking the alternate action.",
      ),
      uid: str(
        "UID of the resource. (when there is a single resource which can be described). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids",
      ),
    },
  ),
);

/** `Status`: the result of a call that returns no object, and every error. */
export const STATUS: Schema = named(`${META}.Status`, {
  type: "object",
  description:
    "Status is a return value for calls that don't return other objects.",
  properties: {
    apiVersion: API_VERSION_FIELD,
    code: int32("Suggested HTTP return code for this status, 0 if not set."),
    details: ref(
      STATUS_DETAILS,
      "Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.",
    ),
    kind: KIND_FIELD,
    message: str(
      "A human-readable description of the status of this operation.",
    ),
    metadata: LIST_METADATA_FIELD,
    reason: str(
      'A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it.',
    ),
    status: str(
      'Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
    ),
  },
});

/** `Preconditions` of a delete. */
export const PRECONDITIONS: Schema = named(
  `${META}.Preconditions`,
  object(
    "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
    {
      resourceVersion: str("Specifies the target ResourceVersion"),
      uid: str("Specifies the target UID."),
    },
  ),
);

/** `DeleteOptions`: the optional body of a DELETE. */
export const DELETE_OPTIONS: Schema = named(`${META}.DeleteOptions`, {
  type: "object",
  description: "DeleteOptions may be provided when deleting an API object.",
  properties: {
    apiVersion: API_VERSION_FIELD,
    dryRun: strList(
      "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
      { "x-kubernetes-list-type": "atomic" },
    ),
    gracePeriodSeconds: int64(
      "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.",
    ),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool(
      "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it",
    ),
    kind: KIND_FIELD,
    orphanDependents: bool(
      'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
    ),
    preconditions: ref(
      PRECONDITIONS,
      "Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.",
    ),
    propagationPolicy: str(
      "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
    ),
  },
});
