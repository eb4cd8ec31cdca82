/**
 * What the policy plugin reads for one request: the namespace object, the
 * equivalent resources (`matchPolicy: Equivalent`), the CEL activation
 * (`object`, `oldObject`, `request`, `namespaceObject`, `authorizer`) and a
 * binding's params (by name or selector, in the param's namespace or the
 * request's).
 *
 * @module
 */

import {
  clusterPrefix,
  isStorageError,
  type KubeObject,
  namespacePrefix,
  objectKey,
} from "../../../storage/mod.ts";
import { structuredSelectorMatches } from "../../authz/rbac/aggregation.ts";
import {
  apiVersionOf,
  type ResourceDefinition,
} from "../../resources/types.ts";
import type { AdmissionAttributes } from "../admission.ts";
import type { AdmissionContext } from "../builtin.ts";
import { AuthorizerValue, ResourceCheck, toCel } from "./cel.ts";
import type { Equivalent, MatchRequest, RequestResource } from "./matching.ts";
import type { BindingSpec, PolicySpec } from "./types.ts";

function storageOf(d: ResourceDefinition): string {
  return d.storedAs
    ? `${d.storedAs.group}/${d.storedAs.resource}`
    : `${d.group}/${d.plural}`;
}

function sameResource(a: ResourceDefinition, b: RequestResource): boolean {
  return a.group === b.group && a.version === b.version &&
    a.plural === b.resource;
}

/** The namespace object (`undefined` when missing). */
export async function namespaceObject(
  ctx: AdmissionContext,
  cluster: string,
  name: string,
): Promise<KubeObject | undefined> {
  const nsDef = ctx.builtin("", "v1", "namespaces");
  if (!nsDef) return undefined;
  try {
    return await ctx.storeFor(nsDef).get(
      objectKey({ group: "", resource: "namespaces", cluster, name }),
      { resourceVersion: "0" },
    );
  } catch (e) {
    if (isStorageError(e, "NotFound")) return undefined;
    throw e;
  }
}

/** The other resources serving the same objects (matchPolicy `Equivalent`). */
export function equivalentsOf(
  ctx: AdmissionContext,
  cluster: string,
  def: ResourceDefinition | undefined,
  req: MatchRequest,
): Equivalent[] {
  if (!def) return [];
  const storage = storageOf(def);
  const out: Equivalent[] = [];
  for (const d of ctx.served(cluster)) {
    if (sameResource(d, req) || storageOf(d) !== storage) continue;
    out.push({
      group: d.group,
      version: d.version,
      resource: d.plural,
      kind: d.kind,
      namespaced: d.namespaced,
      convert: (obj) => {
        const stored = def.storedAs ? def.storedAs.toStorage(obj) : obj;
        const view = d.storedAs ? d.storedAs.fromStorage(stored) : stored;
        return { ...view, apiVersion: apiVersionOf(d), kind: d.kind };
      },
    });
  }
  return out;
}

/** The CEL variables of a request seen as `res` (object, oldObject, request, …). */
export function activationOf(
  ctx: AdmissionContext,
  attrs: AdmissionAttributes,
  req: MatchRequest,
  res: RequestResource,
  convert: ((o: KubeObject) => KubeObject) | undefined,
  namespaceObject: KubeObject | undefined,
  uid: string,
): Record<string, unknown> {
  const view = (o: KubeObject | undefined) =>
    o === undefined ? null : toCel(convert ? convert(o) : o);
  const user = attrs.user;
  const request = {
    uid,
    kind: { group: res.group, version: res.version, kind: res.kind },
    resource: {
      group: res.group,
      version: res.version,
      resource: res.resource,
    },
    subResource: attrs.subresource,
    requestKind: {
      group: req.group,
      version: req.version,
      kind: req.kind,
    },
    requestResource: {
      group: req.group,
      version: req.version,
      resource: req.resource,
    },
    requestSubResource: attrs.subresource,
    name: attrs.name,
    namespace: attrs.namespace,
    operation: attrs.operation,
    userInfo: {
      username: user.username,
      uid: user.uid ?? "",
      groups: [...user.groups],
      extra: { ...(user.extra ?? {}) },
    },
    dryRun: attrs.dryRun,
    options: null,
  };
  // `authorizer.requestResource` checks with the same user and cluster.
  const checker = new AuthorizerValue(
    ctx.authorizer,
    user,
    attrs.cluster,
    new ResourceCheck(undefined, "", ""),
  );
  const requestResource = new ResourceCheck(
    checker,
    attrs.group,
    attrs.resource,
    attrs.subresource,
    attrs.namespace,
    attrs.name,
  );
  return {
    object: view(attrs.object),
    oldObject: view(attrs.oldObject),
    request,
    namespaceObject: namespaceObject ? toCel(namespaceObject) : null,
    authorizer: new AuthorizerValue(
      ctx.authorizer,
      user,
      attrs.cluster,
      requestResource,
    ),
  };
}

/**
 * The params of a binding (`[null]` when the policy takes none or the
 * binding names none); throws what upstream reports as a configuration error.
 */
export async function paramsOf(
  ctx: AdmissionContext,
  policy: PolicySpec,
  binding: BindingSpec | undefined,
  attrs: AdmissionAttributes,
): Promise<unknown[]> {
  const pk = policy.paramKind;
  const ref = binding?.paramRef;
  if (!pk || !ref) return [null];
  const def = ctx.served(attrs.cluster).find((d) =>
    apiVersionOf(d) === pk.apiVersion && d.kind === pk.kind
  );
  if (!def) {
    throw new Error(
      `failed to find resource referenced by paramKind: '${pk.apiVersion}, Kind=${pk.kind}'`,
    );
  }
  let namespace = ref.namespace ?? "";
  if (def.namespaced && namespace === "") {
    if (attrs.namespace === "") {
      throw new Error(
        "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources",
      );
    }
    namespace = attrs.namespace;
  }
  const store = ctx.storeFor(def);
  const decode = (o: KubeObject) => def.decode ? def.decode(o) : o;
  let found: KubeObject[];
  if (ref.name) {
    try {
      found = [
        decode(
          await store.get(
            objectKey({
              group: def.group,
              resource: def.plural,
              cluster: attrs.cluster,
              namespace: def.namespaced ? namespace : undefined,
              name: ref.name,
            }),
            { resourceVersion: "0" },
          ),
        ),
      ];
    } catch (e) {
      if (!isStorageError(e, "NotFound")) throw e;
      found = [];
    }
  } else {
    const base = {
      group: def.group,
      resource: def.plural,
      cluster: attrs.cluster,
    };
    const prefix = def.namespaced && namespace
      ? namespacePrefix({ ...base, namespace })
      : clusterPrefix(base);
    const list = await store.list(prefix, {
      recursive: true,
      resourceVersion: "0",
    });
    found = list.items.filter((o) =>
      structuredSelectorMatches(
        (ref.selector ?? {}) as Parameters<
          typeof structuredSelectorMatches
        >[0],
        o.metadata.labels,
      )
    ).map(decode);
  }
  if (found.length === 0) {
    if (ref.parameterNotFoundAction === "Deny") {
      throw new Error(
        "no params found for policy binding with `Deny` parameterNotFoundAction",
      );
    }
    return [];
  }
  return found;
}
