/**
 * `hyperplane server` and `hyperplane apiserver`: flags in, a control plane
 * out. Everything is assembled by the library's `createControlPlane`
 * (`../mod.ts`, the only module outside `cli/` this file imports); this
 * file turns flags into its options and runs it until SIGINT/SIGTERM.
 *
 * @module
 */

import {
  type Backends,
  CONTROLLER_NAMES,
  ControllerSelectionError,
  createControlPlane,
  createLogger,
  selectControllers,
  StorageConfigError,
} from "../mod.ts";
import { backendCliFlags, parseFlags } from "./flags.ts";
import { SERVING_FLAGS, servingConfig, STORAGE_FLAGS } from "./common_flags.ts";
import { renderHelp } from "./help.ts";
import { selectStorage } from "./open_storage.ts";
import { shutdownSignal } from "./signals.ts";
import { UsageError } from "./usage_error.ts";
import { AGGREGATOR_FLAGS, aggregatorConfig } from "./aggregator_flags.ts";
import { trimNativeMemory } from "./memory_trim.ts";

/** What `server` and `apiserver` share; `apiserver` runs without controllers. */
export interface ServeCommand {
  name: "server" | "apiserver";
  description: string;
}

/** `server`'s description. */
export const SERVER_COMMAND: ServeCommand = {
  name: "server",
  description:
    "Run the all-in-one control plane: the Kubernetes API for the generic resources on one storage backend.",
};

/** `--controllers`, only for `server` (the all-in-one runs them in-process). */
const CONTROLLER_FLAGS = [{
  name: "controllers",
  description:
    `controllers to run in-process: '*' for all, 'name' to add, '-name' to remove, '-*' for none (${
      CONTROLLER_NAMES.join(", ")
    })`,
  default: "*",
  placeholder: "LIST",
}];

function commandFlags(cmd: ServeCommand) {
  return cmd.name === "server"
    ? [...SERVING_FLAGS, ...CONTROLLER_FLAGS]
    : SERVING_FLAGS;
}

function checkControllers(spec: string): string {
  try {
    selectControllers(spec, CONTROLLER_NAMES);
  } catch (err) {
    if (err instanceof ControllerSelectionError) {
      throw new UsageError(err.message);
    }
    throw err;
  }
  return spec;
}

/** Help text for a serving command. */
export function serveHelp(cmd: ServeCommand, backends: Backends): string {
  const sections = [
    { title: "Serving flags", flags: commandFlags(cmd) },
    { title: "API aggregation flags", flags: AGGREGATOR_FLAGS },
    { title: "Storage flags", flags: STORAGE_FLAGS },
    ...backends.names().map((name) => ({
      title: `Storage backend "${name}" (${backends.get(name).description})`,
      flags: backendCliFlags(backends).filter((f) =>
        f.name.startsWith(`${name}-`)
      ),
    })),
  ];
  return renderHelp(
    `hyperplane ${cmd.name} [flags]`,
    cmd.description,
    sections,
  );
}

/** Runs a serving command until SIGINT/SIGTERM. Returns the exit status. */
export async function runServe(
  cmd: ServeCommand,
  args: string[],
  backends: Backends,
): Promise<number> {
  const parsed = parseFlags(args, [
    ...commandFlags(cmd),
    ...AGGREGATOR_FLAGS,
    ...STORAGE_FLAGS,
    ...backendCliFlags(backends),
  ]);
  if (parsed.values.help) {
    console.log(serveHelp(cmd, backends));
    return 0;
  }
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`);
  }
  const config = servingConfig(parsed);
  const aggregator = await aggregatorConfig(parsed);
  const controllerSpec = cmd.name === "server"
    ? checkControllers(String(parsed.values.controllers ?? "*"))
    : undefined;
  const logger = createLogger({ level: config.logLevel }).with({
    component: cmd.name,
  });
  const selection = selectStorage(
    backends,
    parsed,
    { dataDir: config.dataDir, logger },
    args,
  );
  const shutdown = shutdownSignal();
  const started = performance.now();
  try {
    await using cp = await createControlPlane({
      storage: {
        backend: selection.backend.name,
        flags: selection.values,
        backends,
      },
      storageFeatures: {
        encryption: config.encryptionProviderConfig === undefined
          ? undefined
          : {
            configFile: config.encryptionProviderConfig,
            automaticReload: config.encryptionProviderConfigAutomaticReload,
          },
        snapshots: {
          intervalMs: config.snapshotIntervalMs,
          retention: config.snapshotRetention,
        },
      },
      dataDir: config.dataDir,
      controllers: controllerSpec === undefined ? [] : controllerSpec,
      authentication: {
        clientCaFile: config.clientCaFile,
        serviceAccountIssuer: config.serviceAccountIssuer,
        serviceAccountKeyFile: config.serviceAccountKeyFileGiven
          ? config.serviceAccountKeyFile
          : undefined,
      },
      authorization: { mode: config.authorizationMode },
      aggregation: {
        proxyClientCertFile: aggregator.proxyClientCertFile,
        proxyClientKeyFile: aggregator.proxyClientKeyFile,
        requestHeaderClientCaFile: aggregator.requestHeaderClientCaFile,
        allowedNames: aggregator.allowedNames,
        serviceMap: aggregator.staticMap,
        resolution: aggregator.sources,
        dnsDomain: aggregator.dnsDomain,
      },
      flowControl: {
        maxRequestsInflight: config.maxRequestsInflight,
        maxMutatingRequestsInflight: config.maxMutatingRequestsInflight,
      },
      serving: {
        address: config.bindAddress,
        port: config.securePort,
        tls: config.tlsCertFile !== undefined &&
            config.tlsPrivateKeyFile !== undefined
          ? { certFile: config.tlsCertFile, keyFile: config.tlsPrivateKeyFile }
          : undefined,
        sans: config.tlsSans,
        kubeconfigPath: config.writeKubeconfig,
        maxConnections: config.maxConnections,
        shutdownDelayMs: config.shutdownDelayMs,
        shutdownGraceMs: config.shutdownGraceMs,
        readycheckTimeoutMs: config.readycheckTimeoutMs,
      },
      virtualClusters: config.virtualClusters,
      logger,
    });
    const served = await cp.serve();
    using _trimmer = trimNativeMemory(logger, cp.controllersSynced());
    const stop = () => void served.close();
    shutdown.signal.addEventListener("abort", stop, { once: true });
    if (shutdown.signal.aborted) stop();
    logger.info("ready", {
      kubeconfig: config.writeKubeconfig,
      ms: Math.round(performance.now() - started),
    });
    await served.finished;
  } catch (err) {
    if (err instanceof StorageConfigError) throw new UsageError(err.message);
    throw err;
  } finally {
    shutdown.dispose();
  }
  return 0;
}
