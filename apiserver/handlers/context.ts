/**
 * What every resource handler receives: the parsed request, the resource
 * definition, its store and the server's shared services.
 *
 * @module
 */

import type { TokenReviewer } from "../reviews/token_review.ts";
import type { KubeObject, Store } from "../../storage/mod.ts";
import {
  clusterPrefix,
  namespacePrefix,
  objectKey,
} from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { UserInfo, WatchEventSink } from "../request_context.ts";
import type {
  AuthorizationAttributes,
  AuthorizationDecision,
} from "../authz/authorizer.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import type { GroupResource } from "../status/mod.ts";
import type { WatchRegistry } from "../watch/registry.ts";
import type { NamespaceLifecycle } from "./namespace_lifecycle.ts";
import type { ServiceAccountTokenIssuer } from "../serviceaccount/mod.ts";
import type {
  DeleteAttributes,
  MutatingAdmission,
  ValidatingAdmission,
  WriteAttributes,
} from "../admission/admission.ts";

/** Services shared by all requests of one server. */
export interface ServerServices {
  logger: Logger;
  /** The store of a resource. */
  storeFor(def: ResourceDefinition): Store;
  /** The namespaces definition (namespace existence checks). */
  namespaces: ResourceDefinition;
  /** A built-in kind's definition (`"", "v1", "secrets"`), if served. */
  builtin(
    group: string,
    version: string,
    plural: string,
  ): ResourceDefinition | undefined;
  /** Signs and verifies service account tokens (TokenRequest). */
  tokenIssuer: ServiceAccountTokenIssuer;
  /** Checks the tokens of TokenReviews (the serving layer's authenticators). */
  tokenReviewer?: TokenReviewer;
  /** Mutating admission, run on every write before defaulting/validation. */
  mutatingAdmission: MutatingAdmission;
  /** Validating admission, run on every write before it is stored. */
  admission: ValidatingAdmission;
  /** Namespaces recently deleted through this server (admission reads). */
  namespaceLifecycle: NamespaceLifecycle;
  /** Told of every delete before it is carried out (not for dry runs). */
  deleting?(def: ResourceDefinition, cluster: string, name: string): void;
  /** Running watches, stopped on close. */
  watches: WatchRegistry;
  /** Current time (tests may pin it). */
  now(): Date;
  /** Upper bound for a watch's `timeoutSeconds`. */
  maxWatchTimeoutSeconds: number;
  /**
   * Calls `listener` with the cluster whose served kinds changed (custom
   * resources come and go); returns the unsubscribe function.
   */
  onKindsChanged?(listener: (cluster: string) => void): () => void;
  /** True while `cluster` serves `def`'s group, version and plural. */
  isServed?(cluster: string, def: ResourceDefinition): boolean;
  /**
   * The server's authorizer, for the checks a handler makes beyond the
   * request's own verb (the unsafe delete's extra verb).
   */
  authorize?(attrs: AuthorizationAttributes): Promise<AuthorizationDecision>;
}

/** One resource request, parsed and authorized. */
export interface ResourceContext {
  req: Request;
  query: URLSearchParams;
  user: UserInfo;
  signal?: AbortSignal;
  /** An in-process caller's taker of watch events as objects (`RequestContext`). */
  watchEvents?: WatchEventSink;
  cluster: string;
  def: ResourceDefinition;
  store: Store;
  /** `""` for cluster-scoped kinds and cross-namespace lists. */
  namespace: string;
  name: string;
  subresource: string;
  verb: string;
  services: ServerServices;
  /**
   * Across clusters (cluster `*`) for a dynamic kind: its definition in a
   * cluster, `undefined` where that cluster does not serve it (its objects
   * are left out).
   */
  acrossClusters?: (cluster: string) => ResourceDefinition | undefined;
  /**
   * Warnings for the client (e.g. unknown fields under
   * `fieldValidation=Warn`); the router sends each as a `Warning` header.
   */
  warnings?: string[];
}

/** Group and plural resource of the request, for error messages. */
export function groupResource(ctx: ResourceContext): GroupResource {
  return { group: ctx.def.group, resource: ctx.def.plural };
}

/** The storage key of the named object. */
export function keyOf(ctx: ResourceContext, name = ctx.name): string {
  return objectKey({
    group: ctx.def.group,
    resource: ctx.def.plural,
    cluster: ctx.cluster,
    namespace: ctx.def.namespaced ? ctx.namespace : undefined,
    name,
  });
}

/** The storage prefix for a list/watch (one namespace or all). */
export function prefixOf(ctx: ResourceContext): string {
  const ref = {
    group: ctx.def.group,
    resource: ctx.def.plural,
    cluster: ctx.cluster,
  };
  return ctx.def.namespaced && ctx.namespace
    ? namespacePrefix({ ...ref, namespace: ctx.namespace })
    : clusterPrefix(ref);
}

/**
 * The object with the definition's `apiVersion`/`kind` set, decoded as
 * served (see `ResourceDefinition.decode`).
 */
export function withTypeMeta(
  def: ResourceDefinition,
  obj: KubeObject,
): KubeObject {
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  return {
    ...(def.decode ? def.decode(obj) : obj),
    apiVersion,
    kind: def.kind,
  };
}

/**
 * Runs mutating admission for a write of `object` (`old`: the stored
 * object, on update) in `ctx`; returns the object to go on with.
 */
export async function mutate(
  ctx: ResourceContext,
  operation: WriteAttributes["operation"],
  object: KubeObject,
  old: KubeObject | undefined,
  dryRun: boolean,
): Promise<KubeObject> {
  return await ctx.services.mutatingAdmission.admit({
    ...requestAttributes(ctx, object.metadata.name ?? ctx.name, dryRun),
    operation,
    object,
    oldObject: old,
  });
}

/**
 * Runs validating admission for a write of `object` (`old`: the stored
 * object, on update) in `ctx`.
 */
export async function admit(
  ctx: ResourceContext,
  operation: WriteAttributes["operation"],
  object: KubeObject,
  old: KubeObject | undefined,
  dryRun: boolean,
): Promise<void> {
  await ctx.services.admission.validate({
    ...requestAttributes(ctx, object.metadata.name ?? ctx.name, dryRun),
    operation,
    object,
    oldObject: old,
  });
}

/**
 * Runs admission for the delete of the stored `old` in `ctx`: the mutating
 * plugins' delete check, then validating admission.
 */
export async function admitDelete(
  ctx: ResourceContext,
  old: KubeObject,
  dryRun: boolean,
): Promise<void> {
  const attrs: DeleteAttributes = {
    ...requestAttributes(ctx, old.metadata.name ?? ctx.name, dryRun),
    operation: "DELETE",
    oldObject: old,
  };
  // Upstream's AdmissionToValidateObjectDeleteFunc: mutating plugins (e.g.
  // webhooks registered for DELETE) first — they may refuse, not change —
  // then validating ones.
  await ctx.services.mutatingAdmission.admitDelete?.(attrs);
  await ctx.services.admission.validate(attrs);
}

function requestAttributes(
  ctx: ResourceContext,
  name: string,
  dryRun: boolean,
) {
  return {
    user: ctx.user,
    cluster: ctx.cluster,
    group: ctx.def.group,
    version: ctx.def.version,
    resource: ctx.def.plural,
    subresource: ctx.subresource,
    kind: ctx.def.kind,
    namespace: ctx.namespace,
    name,
    dryRun,
    warnings: ctx.warnings ??= [],
  };
}
