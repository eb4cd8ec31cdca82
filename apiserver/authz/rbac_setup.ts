/**
 * The server's authorization setup, chosen by `--authorization-mode`:
 * `RBAC` (the default) decides with the RBAC objects of the request's own
 * cluster, kept in an index fed by the watch cache; `AlwaysAllow` lets
 * every authenticated request through (logged as unsafe). Either way every
 * cluster gets upstream's bootstrap policy when it is bootstrapped, so
 * switching modes never leaves a cluster without its default roles.
 *
 * @module
 */

import type { KubeObject, Store } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { Authorizer } from "./authorizer.ts";
import { sleep } from "../../internal/sleep.ts";
import { rfc3339 } from "../../internal/time.ts";
import {
  bootstrapPolicy,
  RbacAuthorizer,
  type RbacResource,
  reconcileBootstrapPolicy,
  type RuleResolver,
  StoreBackedPolicy,
} from "./rbac/mod.ts";

/** The authorization modes `--authorization-mode` accepts. */
export const AUTHORIZATION_MODES = ["RBAC", "AlwaysAllow"] as const;

/** One of {@linkcode AUTHORIZATION_MODES}. */
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

/** What the server needs to know to set up authorization. */
export interface AuthorizationSetupOptions {
  mode: AuthorizationMode;
  /** The store of each RBAC resource (the watch cache). */
  stores: Record<RbacResource, Store>;
  /** Turns a bootstrap object into what the API would store. */
  prepare(obj: KubeObject, resource: RbacResource): KubeObject;
  /** The clock of `prepare` (default: the system clock). */
  now?: () => Date;
  logger: Logger;
}

/** Authorization, ready to serve. */
export interface AuthorizationSetup {
  authorizer: Authorizer;
  /** Resolves users' rules (RBAC mode; escalation checks need it). */
  resolver?: RuleResolver;
  /** Writes the bootstrap policy of `cluster` (missing parts only). */
  bootstrap(cluster: string): Promise<void>;
  close(): Promise<void>;
}

/** How long a bootstrap waits for its policy to show in the index. */
const INDEX_WAIT_MS = 5_000;

const ALWAYS_ALLOW: Authorizer = {
  authorize: () => Promise.resolve({ allowed: true }),
};

/** Sets up authorization in `opts.mode`; resolves once RBAC has loaded. */
export async function setupAuthorization(
  opts: AuthorizationSetupOptions,
): Promise<AuthorizationSetup> {
  const now = opts.now ?? (() => new Date());
  const restamp = (obj: KubeObject) => {
    obj.metadata.uid = crypto.randomUUID();
    obj.metadata.creationTimestamp = rfc3339(now());
    return obj;
  };
  const bootstrap = async (cluster: string) => {
    const r = await reconcileBootstrapPolicy({
      stores: opts.stores,
      cluster,
      prepare: opts.prepare,
      // Every cluster's policy is the same: validated once, then copied
      // with its own identity (prepareCreate sets nothing else per call).
      restamp,
    });
    // A new cluster's policy written whole is routine (one line per
    // cluster created was ~0.7% of the server's CPU creating clusters): at
    // debug; adding what existing objects lacked is worth seeing.
    if (r.updated.length) {
      opts.logger.info("bootstrap RBAC policy written", {
        cluster,
        created: r.created.length,
        updated: r.updated.length,
      });
    } else if (r.created.length) {
      opts.logger.debug("bootstrap RBAC policy written", {
        cluster,
        created: r.created.length,
        updated: r.updated.length,
      });
    }
  };
  if (opts.mode === "AlwaysAllow") {
    opts.logger.warn(
      "authorization mode AlwaysAllow: every authenticated request is allowed; do not use it beyond a trusted machine",
    );
    return {
      authorizer: ALWAYS_ALLOW,
      bootstrap,
      close: () => Promise.resolve(),
    };
  }
  const policy = new StoreBackedPolicy({
    stores: opts.stores,
    logger: opts.logger.with({ component: "rbac" }),
  });
  await policy.start();
  const rbac = new RbacAuthorizer(policy);
  const expected = bootstrapPolicy();
  /** RoleBindings of the bootstrap policy, counted per namespace. */
  const roleBindingsPerNamespace = new Map<string, number>();
  for (const b of expected.roleBindings) {
    const ns = b.metadata.namespace ?? "";
    roleBindingsPerNamespace.set(
      ns,
      (roleBindingsPerNamespace.get(ns) ?? 0) + 1,
    );
  }
  // Every bootstrap object is in the index: the bindings alone are not
  // enough, since the policy's objects are written concurrently and a
  // binding indexed before its role grants nothing yet.
  const indexed = (cluster: string): boolean => {
    const p = policy.policyFor(cluster);
    if (!p) return false;
    return expected.clusterRoles.every((r) =>
      p.clusterRoleRules(r.metadata.name ?? "")
    ) &&
      p.clusterRoleBindings().length >= expected.clusterRoleBindings.length &&
      expected.roles.every((r) =>
        p.roleRules(r.metadata.namespace ?? "", r.metadata.name ?? "")
      ) &&
      [...roleBindingsPerNamespace].every(([ns, n]) =>
        p.roleBindings(ns).length >= n
      );
  };
  return {
    authorizer: rbac,
    resolver: rbac,
    // A cluster is served once its policy is written *and* would be indexed
    // by its first request, so its first requests (and the controllers') are
    // decided by it. One nobody has used yet (every new cluster) is listed on
    // its first use, after these writes: nothing to wait for, and an idle
    // cluster keeps no index (~5 KiB each). One already indexed (or being
    // indexed) learns the writes from the watches: wait until it has them.
    bootstrap: async (cluster) => {
      await bootstrap(cluster);
      if (!policy.tracks(cluster) || indexed(cluster)) return;
      // Woken by this cluster's changes only; one timer for the deadline.
      const stop = new AbortController();
      let timedOut = false;
      const deadline = sleep(INDEX_WAIT_MS, stop.signal).then(() => {
        timedOut = true;
      });
      try {
        while (!timedOut) {
          // Loaded again if a watch gap made the source forget it.
          await Promise.race([policy.ensure(cluster), deadline]);
          if (indexed(cluster)) return;
          await Promise.race([policy.changedIn(cluster), deadline]);
        }
      } finally {
        stop.abort();
      }
    },
    close: () => policy.close(),
  };
}
