/**
 * The REST operations of served kinds, dialect-neutral: which paths exist,
 * which methods they answer, with which parameters, bodies and responses.
 * `v2.ts` and `v3.ts` render them.
 *
 * @module
 */

import { groupIdPart, groupVersionPath, gvkOf, tagOf } from "./_names.ts";
import type { ServedKind } from "./types.ts";

/** A parameter of a path or an operation. */
export interface Param {
  name: string;
  in: "path" | "query";
  type: "string" | "integer" | "boolean";
  description: string;
  required?: boolean;
}

/** One operation on a path. */
export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  operationId: string;
  description: string;
  /** `x-kubernetes-action`. */
  action: string;
  tag: string;
  params: Param[];
  /** Definition name of the request body, if any. */
  body?: string;
  /** Request content types (patch types for PATCH). */
  consumes: string[];
  /** Response code → definition name. */
  responses: Record<string, string>;
  gvk: { group: string; kind: string; version: string };
}

/** A path and what it serves. */
export interface PathItem {
  path: string;
  params: Param[];
  operations: Operation[];
}

/** Definition names an operation set refers to. */
export interface KindNames {
  kind: string;
  list: string;
}

/** The definition name of `Status`. */
export const STATUS_NAME = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
/** The definition name of `DeleteOptions`. */
export const DELETE_OPTIONS_NAME =
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
/** The definition name of the PATCH body. */
export const PATCH_NAME = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

/** Patch content types a PATCH accepts. */
export const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
];

const q = (
  name: string,
  type: Param["type"],
  description: string,
): Param => ({ name, in: "query", type, description });

const PRETTY = q(
  "pretty",
  "string",
  "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
);
const NAME: Param = {
  name: "name",
  in: "path",
  type: "string",
  required: true,
  description: "name of the object",
};
const NAMESPACE: Param = {
  name: "namespace",
  in: "path",
  type: "string",
  required: true,
  description: "object name and auth scope, such as for teams and projects",
};
const DRY_RUN = q(
  "dryRun",
  "string",
  "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
);
const FIELD_MANAGER = q(
  "fieldManager",
  "string",
  "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
);
const FIELD_VALIDATION = q(
  "fieldValidation",
  "string",
  "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
);
const FORCE = q(
  "force",
  "boolean",
  'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
);
const LIST_PARAMS: Param[] = [
  q(
    "allowWatchBookmarks",
    "boolean",
    'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion.',
  ),
  q(
    "continue",
    "string",
    "The continue option should be set when retrieving more results from the server. The value is opaque to clients.",
  ),
  q(
    "fieldSelector",
    "string",
    "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
  ),
  q(
    "labelSelector",
    "string",
    "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
  ),
  q(
    "limit",
    "integer",
    "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.",
  ),
  q(
    "resourceVersion",
    "string",
    "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
  ),
  q(
    "resourceVersionMatch",
    "string",
    "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
  ),
  q(
    "sendInitialEvents",
    "boolean",
    '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent.',
  ),
  q(
    "timeoutSeconds",
    "integer",
    "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.",
  ),
  q(
    "watch",
    "boolean",
    "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.",
  ),
];
const DELETE_PARAMS: Param[] = [
  DRY_RUN,
  q(
    "gracePeriodSeconds",
    "integer",
    "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.",
  ),
  q(
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "boolean",
    "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.",
  ),
  q(
    "orphanDependents",
    "boolean",
    "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned.",
  ),
  q(
    "propagationPolicy",
    "string",
    "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
  ),
];

/** The paths of one served kind, under `/api/v1` or `/apis/<g>/<v>`. */
export function kindPaths(k: ServedKind, names: KindNames): PathItem[] {
  const verbs = new Set(k.verbs);
  const prefix = `/${groupVersionPath(k.group, k.version)}`;
  const gv = `${groupIdPart(k.group)}${k.version.charAt(0).toUpperCase()}${
    k.version.slice(1)
  }`;
  const scope = k.namespaced ? "Namespaced" : "";
  const base = k.namespaced
    ? `${prefix}/namespaces/{namespace}/${k.plural}`
    : `${prefix}/${k.plural}`;
  const scopeParams = k.namespaced ? [NAMESPACE, PRETTY] : [PRETTY];
  const tag = tagOf(k.group, k.version);
  const gvk = gvkOf(k);
  const op = (
    method: Operation["method"],
    verb: string,
    action: string,
    id: string,
    description: string,
    params: Param[],
    responses: Record<string, string>,
    body?: string,
  ): Operation | undefined =>
    verbs.has(verb)
      ? {
        method,
        operationId: id,
        description,
        action,
        tag,
        params,
        responses,
        body,
        consumes: method === "patch"
          ? [...(k.patchTypes ?? PATCH_TYPES)]
          : ["*/*"],
        gvk,
      }
      : undefined;
  const keep = (ops: (Operation | undefined)[]) =>
    ops.filter((o): o is Operation => o !== undefined);
  const out: PathItem[] = [];
  const collection = keep([
    op(
      "get",
      "list",
      "list",
      `list${gv}${scope}${k.kind}`,
      `list or watch objects of kind ${k.kind}`,
      LIST_PARAMS,
      { "200": names.list },
    ),
    op(
      "post",
      "create",
      "post",
      `create${gv}${scope}${k.kind}`,
      `create a ${k.kind}`,
      [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      { "200": names.kind, "201": names.kind, "202": names.kind },
      names.kind,
    ),
    op(
      "delete",
      "deletecollection",
      "deletecollection",
      `delete${gv}Collection${scope}${k.kind}`,
      `delete collection of ${k.kind}`,
      [
        ...DELETE_PARAMS,
        ...LIST_PARAMS.filter((p) =>
          p.name !== "watch" && p.name !== "allowWatchBookmarks"
        ),
      ],
      { "200": STATUS_NAME },
      DELETE_OPTIONS_NAME,
    ),
  ]);
  if (collection.length) {
    out.push({ path: base, params: scopeParams, operations: collection });
  }
  const item = keep([
    op(
      "get",
      "get",
      "get",
      `read${gv}${scope}${k.kind}`,
      `read the specified ${k.kind}`,
      [],
      { "200": names.kind },
    ),
    op(
      "put",
      "update",
      "put",
      `replace${gv}${scope}${k.kind}`,
      `replace the specified ${k.kind}`,
      [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      { "200": names.kind, "201": names.kind },
      names.kind,
    ),
    op(
      "patch",
      "patch",
      "patch",
      `patch${gv}${scope}${k.kind}`,
      `partially update the specified ${k.kind}`,
      [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
      { "200": names.kind, "201": names.kind },
      PATCH_NAME,
    ),
    op(
      "delete",
      "delete",
      "delete",
      `delete${gv}${scope}${k.kind}`,
      `delete a ${k.kind}`,
      DELETE_PARAMS,
      { "200": STATUS_NAME, "202": STATUS_NAME },
      DELETE_OPTIONS_NAME,
    ),
  ]);
  if (item.length) {
    out.push({
      path: `${base}/{name}`,
      params: [NAME, ...scopeParams],
      operations: item,
    });
  }
  const allNamespaces = k.namespaced && keep([
    op(
      "get",
      "list",
      "list",
      `list${gv}${k.kind}ForAllNamespaces`,
      `list or watch objects of kind ${k.kind}`,
      LIST_PARAMS,
      { "200": names.list },
    ),
  ]);
  if (allNamespaces && allNamespaces.length) {
    out.push({
      path: `${prefix}/${k.plural}`,
      params: [PRETTY],
      operations: allNamespaces,
    });
  }
  return out;
}
