/**
 * List and watch query parameters: selectors into a storage `Predicate`, and
 * upstream's `ListOptions` validation.
 *
 * @module
 */

import { queryBool } from "../http/query_bool.ts";
import type {
  KubeObject,
  Predicate,
  ResourceVersionMatch,
} from "../../storage/mod.ts";
import {
  type FieldRequirement,
  parseFieldSelector,
  parseLabelSelector,
  SelectorParseError,
} from "../selectors/mod.ts";
import { badRequestError, invalidError } from "../status/mod.ts";
import {
  type FieldError,
  forbidden,
  notSupported,
} from "../validation/field_error.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { type KeyHint, withKeyHint } from "../../storage/cacher/mod.ts";
import type { ResourceContext } from "./context.ts";

/** Parsed list/watch options. */
export interface ListOpts {
  predicate: Predicate;
  resourceVersion: string;
  resourceVersionMatch: ResourceVersionMatch;
  limit: number;
  continue: string;
  allowWatchBookmarks: boolean;
  /** Undefined when not given. */
  sendInitialEvents?: boolean;
  /** Undefined when not given. */
  timeoutSeconds?: number;
}

/** The field-selector values of `obj` for kind `def`. */
export function selectableFieldsOf(
  def: ResourceDefinition,
  obj: KubeObject,
): Record<string, string> {
  const f: Record<string, string> = {
    "metadata.name": obj.metadata.name ?? "",
  };
  if (def.namespaced) f["metadata.namespace"] = obj.metadata.namespace ?? "";
  return { ...f, ...(def.selectableFields?.(obj) ?? {}) };
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?[0-9]+$/.test(v)) {
    throw badRequestError(
      `${name}: invalid integer value ${JSON.stringify(v)}`,
    );
  }
  return Number(v);
}

/**
 * The name and namespace every object matching `requirements` has (`=`
 * terms on `metadata.name`/`metadata.namespace`), which the watch cache
 * reads from keys instead of decoding; other terms still decide.
 */
function keyHintFrom(
  def: ResourceDefinition,
  requirements: FieldRequirement[],
): KeyHint {
  const own = def.selectableFields?.({ metadata: {} }) ?? {};
  const hint: KeyHint = {};
  for (const r of requirements) {
    if (r.operator !== "=" || Object.hasOwn(own, r.field)) continue;
    if (r.field === "metadata.name") hint.name = r.value;
    if (r.field === "metadata.namespace" && def.namespaced) {
      hint.namespace = r.value;
    }
  }
  return hint;
}

/** Builds the predicate from `labelSelector`/`fieldSelector` (400 on errors). */
export function buildPredicate(
  def: ResourceDefinition,
  labelSelector: string,
  fieldSelector: string,
): Predicate {
  try {
    const labels = parseLabelSelector(labelSelector);
    const fields = parseFieldSelector(fieldSelector);
    const supported = selectableFieldsOf(def, { metadata: {} });
    for (const r of fields.requirements) {
      if (!Object.hasOwn(supported, r.field)) {
        throw badRequestError(`field label not supported: ${r.field}`);
      }
    }
    const predicate: Predicate = {
      everything: labels.empty && fields.empty,
      matches: (obj) =>
        labels.matches(obj.metadata.labels) &&
        fields.matches(selectableFieldsOf(def, obj)),
    };
    return withKeyHint(predicate, keyHintFrom(def, fields.requirements));
  } catch (e) {
    if (e instanceof SelectorParseError) throw badRequestError(e.message);
    throw e;
  }
}

/** Parses and validates list or watch options (422 like upstream). */
export function parseListOptions(
  ctx: ResourceContext,
  isWatch: boolean,
): ListOpts {
  const q = ctx.query;
  let fieldSelector = q.get("fieldSelector") ?? "";
  if (ctx.name) {
    const byName = `metadata.name=${
      ctx.name.replaceAll("\\", "\\\\").replaceAll(",", "\\,").replaceAll(
        "=",
        "\\=",
      )
    }`;
    fieldSelector = fieldSelector ? `${fieldSelector},${byName}` : byName;
  }
  const predicate = buildPredicate(
    ctx.def,
    q.get("labelSelector") ?? "",
    fieldSelector,
  );
  const resourceVersion = q.get("resourceVersion") ?? "";
  const match = q.get("resourceVersionMatch") ?? "";
  const cont = q.get("continue") ?? "";
  const sendInitialEvents = queryBool(q, "sendInitialEvents");
  const allowWatchBookmarks = queryBool(q, "allowWatchBookmarks") ?? false;
  const limit = Math.max(0, intParam(q, "limit") ?? 0);
  const timeoutSeconds = intParam(q, "timeoutSeconds");

  const errs: FieldError[] = [];
  if (match !== "" && match !== "NotOlderThan" && match !== "Exact") {
    errs.push(
      notSupported("resourceVersionMatch", match, [
        "Exact",
        "NotOlderThan",
        "",
      ]),
    );
  }
  if (isWatch) {
    if (sendInitialEvents !== undefined) {
      if (sendInitialEvents && !allowWatchBookmarks) {
        errs.push(
          forbidden(
            "allowWatchBookmarks",
            "allowWatchBookmarks must be set to true when sendInitialEvents is true",
          ),
        );
      }
      if (match !== "NotOlderThan") {
        errs.push(
          forbidden(
            "resourceVersionMatch",
            "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
          ),
        );
      }
    } else if (match !== "") {
      errs.push(
        forbidden(
          "resourceVersionMatch",
          "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
        ),
      );
    }
  } else {
    if (sendInitialEvents !== undefined) {
      errs.push(
        forbidden(
          "sendInitialEvents",
          "sendInitialEvents is forbidden for list",
        ),
      );
    }
    if (match !== "") {
      if (resourceVersion === "") {
        errs.push(
          forbidden(
            "resourceVersionMatch",
            "resourceVersionMatch is forbidden unless resourceVersion is provided",
          ),
        );
      }
      if (cont !== "") {
        errs.push(
          forbidden(
            "resourceVersionMatch",
            "resourceVersionMatch is forbidden when continue is provided",
          ),
        );
      }
      if (match === "Exact" && resourceVersion === "0") {
        errs.push(
          forbidden(
            "resourceVersionMatch",
            'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
          ),
        );
      }
    }
  }
  if (errs.length) throw invalidError("meta.k8s.io", "ListOptions", "", errs);
  if (
    !isWatch && cont !== "" && resourceVersion !== "" && resourceVersion !== "0"
  ) {
    throw badRequestError(
      "specifying resource version is not allowed when using continue",
    );
  }
  return {
    predicate,
    resourceVersion,
    resourceVersionMatch: match as ResourceVersionMatch,
    limit,
    continue: cont,
    allowWatchBookmarks,
    sendInitialEvents,
    timeoutSeconds,
  };
}
