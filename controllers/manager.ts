/**
 * Starts the selected controllers against an API (in-process handler or
 * client), optionally behind leader election, and stops them together.
 * This is what `hyperplane server` (in-process) and `hyperplane
 * controller-manager` (HTTP) both call.
 *
 * @module
 */

import type { Logger } from "../log/mod.ts";
import type { ApiHandler } from "../apiserver/request_context.ts";
import { ApiClient, controllerUser, inProcessTransport } from "./client/mod.ts";
import type {
  ControllerContext,
  ControllerDescriptor,
  NamespaceSeed,
} from "./context.ts";
import {
  ClusterTracker,
  InformerFactory,
  runLeaderElection,
} from "./runtime/mod.ts";
import { selectControllers } from "./selection.ts";
import { garbageCollectorController } from "./garbagecollector/mod.ts";
import { namespaceController } from "./namespace/mod.ts";
import { serviceAccountController } from "./serviceaccount/mod.ts";
import { rootCACertPublisher } from "./rootcacertpublisher/mod.ts";
import { clusterRoleAggregationController } from "./clusterroleaggregation/mod.ts";
import { resourceQuotaController } from "./resourcequota/mod.ts";
import {
  csrCleanerController,
  csrSigningController,
} from "./certificates/mod.ts";

/** Every controller, in start order. */
export const CONTROLLERS: readonly ControllerDescriptor[] = [
  garbageCollectorController,
  namespaceController,
  serviceAccountController,
  rootCACertPublisher,
  clusterRoleAggregationController,
  resourceQuotaController,
  csrSigningController,
  csrCleanerController,
];

/** The names `--controllers` accepts. */
export const CONTROLLER_NAMES: readonly string[] = CONTROLLERS.map((c) =>
  c.name
);

/**
 * The objects the controllers `selection` picks (`--controllers` syntax;
 * `custom` ones too) keep in every namespace, for an API server that runs
 * them in-process and all clusters to write into the namespaces it creates
 * (`ApiServer.seedNamespaces`).
 */
export function namespaceSeeds(opts: {
  controllers?: string;
  custom?: readonly ControllerDescriptor[];
  rootCA?: string;
}): NamespaceSeed[] {
  const names = selectControllers(opts.controllers ?? "*", CONTROLLER_NAMES);
  return [
    ...CONTROLLERS.filter((c) => names.includes(c.name)),
    ...opts.custom ?? [],
  ].flatMap((c) => c.namespaceSeed?.({ rootCA: opts.rootCA }) ?? []);
}

/** Leader-election settings (`false` runs without election). */
export interface LeaderElectionConfig {
  /** Default: `<hostname>_<random uuid>`. */
  identity?: string;
  /** How long a lease is valid without renewal (default 15 s). */
  leaseDurationMs?: number;
  /** How long the leader tries to renew before giving up (default 10 s). */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire or renew (default 2 s). */
  retryPeriodMs?: number;
}

/** Options for {@linkcode startControllers}. */
export interface StartControllersOptions {
  /** The API, in-process (used with the `system:kube-controller-manager` user)… */
  handler?: ApiHandler;
  /** …or any client (e.g. over HTTP). One of the two is required. */
  client?: ApiClient;
  /** `--controllers` syntax. Default `*`. */
  controllers?: string;
  /**
   * Clusters to act on. Default: every cluster (informers read across
   * clusters; new clusters are picked up as they appear, deleted ones
   * dropped).
   */
  clusters?: readonly string[];
  /** The cluster CA (PEM) for `kube-root-ca.crt`. */
  rootCA?: string;
  /** The client CA (PEM pair) `csrsigning` signs with; it idles without. */
  clientCA?: { certPem: string; keyPem: string };
  /** Where the controllers log. */
  logger: Logger;
  /** Stops everything when aborted (as `stop()`). */
  signal?: AbortSignal;
  /** Default: no election (the in-process server is the only manager). */
  leaderElection?: LeaderElectionConfig | false;
  /** Workers per controller (default per controller). */
  workers?: number;
  /**
   * The embedding program's own controllers, run beside the selected
   * built-in ones (same informers, leader election and lifetime).
   */
  custom?: readonly ControllerDescriptor[];
}

/** Running controllers. */
export interface RunningControllers {
  /** The controllers that run. */
  readonly names: readonly string[];
  /** True while this process leads (always true without election). */
  isLeader(): boolean;
  /** Resolves once everything stopped. */
  readonly done: Promise<void>;
  /**
   * Resolves once the controllers' informers have all synced for the first
   * time (while this process leads), or once everything stopped.
   */
  readonly synced: Promise<void>;
  /** Stops every controller and informer; resolves when they are stopped. */
  stop(): Promise<void>;
}

/**
 * Starts the controllers selected by `opts.controllers`.
 *
 * @example
 * ```ts
 * const running = startControllers({ handler: api.handler, logger, rootCA });
 * // …
 * await running.stop();
 * ```
 */
export function startControllers(
  opts: StartControllersOptions,
): RunningControllers {
  const names = selectControllers(opts.controllers ?? "*", CONTROLLER_NAMES);
  const custom = opts.custom ?? [];
  for (const c of custom) {
    if (CONTROLLER_NAMES.includes(c.name)) {
      throw new TypeError(
        `custom controller ${
          JSON.stringify(c.name)
        }: a built-in controller has that name`,
      );
    }
  }
  const ownClient = !opts.client;
  const client = opts.client ??
    new ApiClient(inProcessTransport(requireHandler(opts.handler)));
  // In-process, each controller writes as its own user (least privilege);
  // over HTTP every request carries the kubeconfig's identity.
  const clientOf = (c: ControllerDescriptor): ApiClient =>
    opts.client ?? new ApiClient(
      inProcessTransport(
        requireHandler(opts.handler),
        controllerUser(c.identity, c.groups),
      ),
    );
  const logger = opts.logger.with({ component: "controller-manager" });
  const stopAll = new AbortController();
  const signal = opts.signal
    ? AbortSignal.any([opts.signal, stopAll.signal])
    : stopAll.signal;
  let leading = false;
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => markSynced = resolve);

  const runAll = async (lead: AbortSignal) => {
    leading = true;
    const informers = new InformerFactory(
      client,
      logger.with({
        component: "informer",
      }),
    );
    const ctx: ControllerContext = {
      client,
      clusters: new ClusterTracker(
        informers,
        opts.clusters?.includes("*") ? undefined : opts.clusters,
      ),
      informers,
      logger,
      rootCA: opts.rootCA,
      clientCA: opts.clientCA,
      workers: opts.workers,
    };
    const selected = [
      ...CONTROLLERS.filter((c) => names.includes(c.name)),
      ...custom,
    ];
    logger.info("starting controllers", {
      controllers: selected.map((c) => c.name).join(","),
    });
    try {
      await Promise.all([
        informers.run(lead),
        ...selected.map((c) =>
          c.run({
            ...ctx,
            client: clientOf(c),
            logger: logger.with({ controller: c.name }),
          }, lead)
            .catch((e) =>
              logger.error("controller failed", {
                controller: c.name,
                error: e,
              })
            )
        ),
        // After the controllers made their informers (the call above).
        informers.synced(lead).then(markSynced),
      ]);
    } finally {
      leading = false;
    }
  };

  const done = (async () => {
    try {
      if (opts.leaderElection) {
        const le = opts.leaderElection;
        await runLeaderElection({
          client,
          identity: le.identity ??
            `${Deno.hostname()}_${crypto.randomUUID()}`,
          leaseDurationMs: le.leaseDurationMs,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          logger: logger.with({ component: "leader-election" }),
          onStartedLeading: runAll,
        }, signal);
      } else {
        await runAll(signal);
      }
    } finally {
      if (ownClient) client.close();
      markSynced();
      logger.info("controllers stopped");
    }
  })();

  return {
    names: [...names, ...custom.map((c) => c.name)],
    isLeader: () => leading,
    done,
    synced,
    async stop() {
      stopAll.abort();
      await done;
    },
  };
}

function requireHandler(h: ApiHandler | undefined): ApiHandler {
  if (!h) throw new TypeError("startControllers needs a handler or a client");
  return h;
}
