/**
 * Writes the bootstrap policy into one cluster the way upstream's
 * `rbac/bootstrap-roles` post-start hook does: missing objects are created;
 * existing ones whose `rbac.authorization.kubernetes.io/autoupdate`
 * annotation is not `"false"` get what they lack — rules, aggregation
 * selectors, subjects, labels and annotations — added (a union: nothing is
 * ever removed, so local additions survive). A binding whose roleRef
 * differs is recreated, as upstream (a roleRef cannot be updated).
 *
 * Aggregated ClusterRoles (`admin`, `edit`, `view`) are created with their
 * aggregated rules already computed, so they work before the aggregation
 * controller first runs; afterwards their rules belong to that controller.
 *
 * @module
 */

import {
  clusterPrefix,
  isStorageError,
  type KubeObject,
  objectKey,
  type Store,
} from "../../../storage/mod.ts";
import {
  aggregateAll,
  aggregationSources,
  sourcesFirst,
} from "./aggregation.ts";
import { type BootstrapPolicy, bootstrapPolicy } from "./bootstrap_policy.ts";
import { covers } from "./covers.ts";
import {
  AUTOUPDATE_ANNOTATION,
  type BindingObject,
  type ClusterRoleObject,
  RBAC_GROUP,
  type RbacResource,
  type StructuredLabelSelector,
  type Subject,
} from "./types.ts";
import { rfc3339 } from "../../../internal/time.ts";
import { createQuietly } from "../../../storage/cacher/mod.ts";
import { deepFreeze, jsonEqual } from "../../../internal/json.ts";

/** Options for {@linkcode reconcileBootstrapPolicy}. */
export interface ReconcileOptions {
  /** One store per RBAC resource. */
  stores: Record<RbacResource, Store>;
  cluster: string;
  /**
   * Turns a new object into what the API would store (uid,
   * creationTimestamp, validation — e.g. the server's `prepareCreate`).
   * Default: sets `metadata.uid` and `metadata.creationTimestamp`.
   */
  prepare?: (obj: KubeObject, resource: RbacResource) => KubeObject;
  /**
   * Gives a prepared object its own identity (`metadata.uid`,
   * `creationTimestamp`). With it, each object of the default policy goes
   * through `prepare` (validation) once per process and every later copy is
   * that result with a fresh identity — `prepare` must then change nothing
   * else from one call to the next (the server's `prepareCreate` of an RBAC
   * object does not). The copy it is given has `metadata` of its own;
   * everything below is shared and frozen.
   */
  restamp?: (obj: KubeObject) => KubeObject;
  now?: () => Date;
  /** The policy to write (default {@linkcode bootstrapPolicy}). */
  policy?: BootstrapPolicy;
}

/** What a reconcile did, as `<resource>/[<namespace>/]<name>` lists. */
export interface ReconcileResult {
  created: string[];
  updated: string[];
  /** Existing objects with autoupdate `"false"` that lacked something. */
  skipped: string[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

type MetaField = "labels" | "annotations";
const META_FIELDS: readonly MetaField[] = ["labels", "annotations"];

/** Whether `obj` lacks a label or annotation key of `expected`. */
function lacksMeta(obj: KubeObject, expected: KubeObject): boolean {
  for (const f of META_FIELDS) {
    const have = obj.metadata[f];
    for (const k of Object.keys(expected.metadata[f] ?? {})) {
      if (!have || !Object.hasOwn(have, k)) return true;
    }
  }
  return false;
}

/** Adds `expected`'s labels and annotations that `obj` lacks (in place). */
function mergeMeta(obj: KubeObject, expected: KubeObject): void {
  for (const f of META_FIELDS) {
    const want = expected.metadata[f] ?? {};
    const have = { ...(obj.metadata[f] ?? {}) };
    for (const [k, v] of Object.entries(want)) {
      if (!Object.hasOwn(have, k)) have[k] = v;
    }
    if (Object.keys(have).length > 0) obj.metadata[f] = have;
  }
}

/**
 * The reconciled copy of an existing role, or `undefined` when nothing lacks
 * (found without copying: after a restart every cluster's first request
 * reconciles its 24 roles, which nearly always lack nothing).
 */
function reconcileRole(
  existing: KubeObject,
  expected: ClusterRoleObject,
): KubeObject | undefined {
  const role = existing as ClusterRoleObject;
  const meta = lacksMeta(role, expected);
  const wantSelectors = expected.aggregationRule?.clusterRoleSelectors;
  const haveSelectors: StructuredLabelSelector[] =
    role.aggregationRule?.clusterRoleSelectors ?? [];
  const missingSelectors = (wantSelectors ?? []).filter((w) =>
    !haveSelectors.some((h) => same(h, w))
  );
  // Both aggregated: the rules belong to the aggregation controller.
  const aggregated = wantSelectors &&
    (missingSelectors.length > 0 || role.aggregationRule);
  const rules = role.rules ?? [];
  const wantRules = expected.rules ?? [];
  const missingRules = aggregated || jsonEqual(rules, wantRules)
    ? []
    : wantRules.filter((r) => covers(rules, [r]).length > 0);
  if (!meta && missingSelectors.length === 0 && missingRules.length === 0) {
    return undefined;
  }
  const out = structuredClone(role);
  mergeMeta(out, expected);
  if (missingSelectors.length > 0) {
    out.aggregationRule = {
      clusterRoleSelectors: [...haveSelectors, ...missingSelectors],
    };
  }
  if (missingRules.length > 0) out.rules = [...rules, ...missingRules];
  return out;
}

function subjectKey(s: Subject): string {
  return `${s.kind}/${s.apiGroup ?? ""}/${s.namespace ?? ""}/${s.name}`;
}

/** The reconciled copy of an existing binding, or `undefined` (as roles). */
function reconcileBinding(
  existing: KubeObject,
  expected: BindingObject,
): KubeObject | undefined {
  const binding = existing as BindingObject;
  const have = binding.subjects ?? [];
  const keys = new Set(have.map(subjectKey));
  const missing = (expected.subjects ?? []).filter((s) =>
    !keys.has(subjectKey(s))
  );
  if (!lacksMeta(binding, expected) && missing.length === 0) return undefined;
  const out = structuredClone(binding);
  mergeMeta(out, expected);
  if (missing.length > 0) out.subjects = [...have, ...missing];
  return out;
}

function protectedFromUpdate(obj: KubeObject): boolean {
  return obj.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === "false";
}

/**
 * What a reconcile writes: each object, its first stored form's JSON, and
 * the items (indices, earlier in the list) whose writes must be done first.
 */
interface Plan {
  items: {
    resource: RbacResource;
    expected: KubeObject;
    initial: string;
    after: number[];
  }[];
}

/**
 * The plan of a policy: aggregated roles start with their aggregated rules
 * and come after the roles they aggregate (`sourcesFirst`), whose writes
 * they wait for; a new object is decoded from its text (cheaper than a
 * structured clone).
 */
function planOf(policy: BootstrapPolicy): Plan {
  const initialRules = new Map(
    aggregateAll(policy.clusterRoles).map((r) => [r.metadata.name, r.rules]),
  );
  const item = (
    resource: RbacResource,
    expected: KubeObject,
    init = expected,
    after: number[] = [],
  ) => ({
    resource,
    expected,
    initial: JSON.stringify(init),
    after,
  });
  const roles = sourcesFirst(policy.clusterRoles);
  return {
    items: [
      ...roles.map((r, i) =>
        item(
          "clusterroles",
          r,
          { ...r, rules: initialRules.get(r.metadata.name) ?? r.rules },
          aggregationSources(r, roles).map((s) => roles.indexOf(s))
            .filter((j) => j < i),
        )
      ),
      ...policy.clusterRoleBindings.map((b) => item("clusterrolebindings", b)),
      ...policy.roles.map((r) => item("roles", r)),
      ...policy.roleBindings.map((b) => item("rolebindings", b)),
    ],
  };
}

/**
 * The default policy's plan, built once per process: every cluster gets the
 * same policy, and building it (plus aggregation) cost ~0.3 ms per cluster.
 * Frozen: reconciles share it and only read it.
 */
let defaultPlan: Plan | undefined;

/**
 * The default plan's objects as `prepare` returned them (frozen copies),
 * per `prepare` function (one per server), filled on first use.
 */
const preparedObjects = new WeakMap<
  (obj: KubeObject, resource: RbacResource) => KubeObject,
  Map<string, KubeObject>
>();

/**
 * Whether `cluster` holds no object of `store`'s resource, as the watch
 * cache has it now (one page of at most one key: cheap however many the
 * cluster holds). A new cluster's bootstrap then creates each object
 * without first reading it — 38 reads that all missed, each with its
 * `NotFound` error, were ~5% of the server's CPU while clusters were
 * created. A stale answer only makes a create find its key taken, which
 * falls back to the consistent read and reconcile below, as a stale miss
 * of that read always did.
 */
async function holdsNone(
  store: Store,
  cluster: string,
  resource: RbacResource,
): Promise<boolean> {
  const page = await store.list(
    clusterPrefix({ group: RBAC_GROUP, resource, cluster }),
    { recursive: true, resourceVersion: "0", limit: 1 },
  );
  return page.items.length === 0;
}

/**
 * Creates the bootstrap policy's missing objects in `cluster` and adds what
 * existing ones lack (see the module doc). Safe to run on every start and
 * concurrently with other writers (updates go through `guaranteedUpdate`).
 */
export async function reconcileBootstrapPolicy(
  opts: ReconcileOptions,
): Promise<ReconcileResult> {
  const plan = opts.policy
    ? planOf(opts.policy)
    : (defaultPlan ??= deepFreeze(planOf(bootstrapPolicy())));
  const now = opts.now ?? (() => new Date());
  const prepare = opts.prepare ?? ((obj: KubeObject) => {
    obj.metadata.uid = crypto.randomUUID();
    obj.metadata.creationTimestamp = rfc3339(now());
    return obj;
  });
  const result: ReconcileResult = { created: [], updated: [], skipped: [] };
  let prepared: Map<string, KubeObject> | undefined;
  if (opts.restamp && opts.prepare && !opts.policy) {
    prepared = preparedObjects.get(opts.prepare);
    if (!prepared) preparedObjects.set(opts.prepare, prepared = new Map());
  }
  const restamp = opts.restamp;
  /**
   * A new object: prepared once (default policy), then each copy shares
   * the frozen prepared object but for its own `metadata` (the store only
   * serialises what it is given).
   */
  const fresh = (resource: RbacResource, label: string, initial: string) => {
    if (!prepared || !restamp) return prepare(JSON.parse(initial), resource);
    const done = prepared.get(label);
    if (done !== undefined) {
      return restamp({ ...done, metadata: { ...done.metadata } });
    }
    const obj = prepare(JSON.parse(initial), resource);
    prepared.set(label, deepFreeze(JSON.parse(JSON.stringify(obj))));
    return obj;
  };
  // Per resource: whether the cluster holds none of it (a new cluster).
  const empty = new Map<RbacResource, Promise<boolean>>();
  const holdsNoneOf = (resource: RbacResource) => {
    let p = empty.get(resource);
    if (!p) {
      p = holdsNone(opts.stores[resource], opts.cluster, resource);
      empty.set(resource, p);
    }
    return p;
  };

  const one = async (
    resource: RbacResource,
    expected: KubeObject,
    initial: string,
  ) => {
    const store = opts.stores[resource];
    const namespace = expected.metadata.namespace;
    const name = expected.metadata.name ?? "";
    const key = objectKey({
      group: RBAC_GROUP,
      resource,
      cluster: opts.cluster,
      namespace,
      name,
    });
    const label = `${resource}/${namespace ? namespace + "/" : ""}${name}`;
    const create = async () => {
      try {
        // The stored object is not read back (a decode per object saved).
        await createQuietly(store, key, fresh(resource, label, initial));
        result.created.push(label);
        return true;
      } catch (e) {
        if (isStorageError(e, "KeyExists")) return false;
        throw e;
      }
    };
    let attempt = 0;
    if (await holdsNoneOf(resource)) {
      if (await create()) return;
      attempt = 1;
    }
    for (; attempt < 3; attempt++) {
      let current: KubeObject;
      try {
        // The first read may be served from the cache as it is (a
        // consistent read waits for the cache to catch up with every write
        // in flight): the create or update below is conditional anyway and
        // a conflict re-reads consistently.
        current = await store.get(
          key,
          attempt === 0 ? { resourceVersion: "0" } : undefined,
        );
      } catch (e) {
        if (!isStorageError(e, "NotFound")) throw e;
        if (await create()) return;
        continue;
      }
      const isBinding = resource.endsWith("bindings");
      const reconcile = (obj: KubeObject) =>
        isBinding
          ? reconcileBinding(obj, expected as BindingObject)
          : reconcileRole(obj, expected as ClusterRoleObject);
      const recreate = isBinding &&
        !same(
          (current as BindingObject).roleRef,
          (expected as BindingObject).roleRef,
        );
      if (!recreate && !reconcile(current)) return;
      if (protectedFromUpdate(current)) {
        result.skipped.push(label);
        return;
      }
      if (recreate) {
        try {
          await store.delete(key, {
            preconditions: { uid: current.metadata.uid },
          });
        } catch (e) {
          if (
            !isStorageError(e, "NotFound") &&
            !isStorageError(e, "InvalidObject")
          ) {
            throw e;
          }
        }
        continue;
      }
      let wrote = false;
      await store.guaranteedUpdate(key, {
        cachedExisting: current,
        tryUpdate: (cur) => {
          const next = cur ? reconcile(cur) : undefined;
          if (!next || !cur || protectedFromUpdate(cur)) return cur!;
          wrote = true;
          return next;
        },
      });
      if (wrote) result.updated.push(label);
      return;
    }
  };

  // Every object at once — the backend commits concurrent writes together
  // (one group commit, not one per object) — except that an aggregated role
  // waits for the roles it aggregates: a watcher (the aggregation
  // controller) then never sees it before its sources, which would make it
  // aggregate a partial set and strip the role's rules for a while.
  const writes: Promise<void>[] = [];
  for (const i of plan.items) {
    writes.push(
      i.after.length === 0
        ? one(i.resource, i.expected, i.initial)
        : Promise.all(i.after.map((j) => writes[j])).then(() =>
          one(i.resource, i.expected, i.initial)
        ),
    );
  }
  await Promise.all(writes);
  return result;
}
