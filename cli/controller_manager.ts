/**
 * `hyperplane controller-manager`: runs the generic controllers against an
 * API server given by a kubeconfig, behind leader election on a Lease.
 *
 * @module
 */

import {
  ApiClient,
  CONTROLLER_NAMES,
  ControllerSelectionError,
  createLogger,
  httpTransport,
  type Kubeconfig,
  KubeconfigError,
  loadKubeconfig,
  type LogLevel,
  selectControllers,
  startControllers,
} from "../mod.ts";
import { parseFlags } from "./flags.ts";
import { renderHelp } from "./help.ts";
import { shutdownSignal } from "./signals.ts";
import { UsageError } from "./usage_error.ts";
import { parseDuration } from "./duration.ts";

const FLAGS = [
  {
    name: "kubeconfig",
    description:
      "kubeconfig of the API server to run the controllers against (required)",
    placeholder: "FILE",
  },
  {
    name: "controllers",
    description:
      `controllers to run: '*' for all, 'name' to add, '-name' to remove (${
        CONTROLLER_NAMES.join(", ")
      })`,
    default: "*",
    placeholder: "LIST",
  },
  {
    name: "clusters",
    description:
      "comma-separated virtual clusters to act on; '*' for every cluster, including ones created later",
    default: "*",
    placeholder: "LIST",
  },
  {
    name: "leader-elect",
    description: "run only while holding the leader lease (true|false)",
    default: "true",
    placeholder: "BOOL",
  },
  {
    name: "leader-elect-lease-duration",
    description: "how long a lease is valid without renewal",
    default: "15s",
    placeholder: "DURATION",
  },
  {
    name: "leader-elect-renew-deadline",
    description: "how long the leader tries to renew before giving up",
    default: "10s",
    placeholder: "DURATION",
  },
  {
    name: "leader-elect-retry-period",
    description: "how often candidates try to acquire or renew",
    default: "2s",
    placeholder: "DURATION",
  },
  {
    name: "root-ca-file",
    description:
      "CA (PEM) published as kube-root-ca.crt (default: the kubeconfig's CA)",
    placeholder: "FILE",
  },
  {
    name: "cluster-signing-cert-file",
    description:
      "CA certificate (PEM) csrsigning signs kube-apiserver-client requests with: the server's client CA, <data-dir>/tls/client-ca.crt (csrsigning idles without)",
    placeholder: "FILE",
  },
  {
    name: "cluster-signing-key-file",
    description: "its private key (PKCS#8 PEM), <data-dir>/tls/client-ca.key",
    placeholder: "FILE",
  },
  {
    name: "log-level",
    description: "debug, info, warn or error",
    default: "info",
    placeholder: "LEVEL",
  },
];

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Runs `controller-manager`. Returns the exit status. */
export async function runControllerManager(args: string[]): Promise<number> {
  const parsed = parseFlags(args, FLAGS);
  if (parsed.values.help) {
    console.log(renderHelp(
      "hyperplane controller-manager --kubeconfig FILE [flags]",
      "Run the generic controllers (garbage collector, namespace deletion, service accounts, root CA) against an API server.",
      [{ title: "Flags", flags: FLAGS }],
    ));
    return 0;
  }
  if (parsed.positionals.length) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`);
  }
  const v = parsed.values;
  const kubeconfig = str(v.kubeconfig);
  if (kubeconfig === "") throw new UsageError("--kubeconfig is required");
  try {
    await Deno.stat(kubeconfig);
  } catch {
    throw new UsageError(`--kubeconfig ${kubeconfig}: file not found`);
  }
  const level = str(v["log-level"]);
  if (!["debug", "info", "warn", "error"].includes(level)) {
    throw new UsageError(
      `--log-level must be one of debug, info, warn, error, got ${
        JSON.stringify(level)
      }`,
    );
  }
  const controllers = str(v.controllers);
  try {
    selectControllers(controllers, CONTROLLER_NAMES);
  } catch (e) {
    if (e instanceof ControllerSelectionError) throw new UsageError(e.message);
    throw e;
  }
  const elect = str(v["leader-elect"]);
  if (elect !== "true" && elect !== "false") {
    throw new UsageError(`--leader-elect must be true or false, got ${elect}`);
  }
  const leaseDurationMs = parseDuration(
    "leader-elect-lease-duration",
    str(v["leader-elect-lease-duration"]),
  );
  const renewDeadlineMs = parseDuration(
    "leader-elect-renew-deadline",
    str(v["leader-elect-renew-deadline"]),
  );
  const retryPeriodMs = parseDuration(
    "leader-elect-retry-period",
    str(v["leader-elect-retry-period"]),
  );
  if (renewDeadlineMs >= leaseDurationMs) {
    throw new UsageError(
      "--leader-elect-renew-deadline must be less than --leader-elect-lease-duration",
    );
  }
  if (retryPeriodMs >= renewDeadlineMs) {
    throw new UsageError(
      "--leader-elect-retry-period must be less than --leader-elect-renew-deadline",
    );
  }
  const clusters = str(v.clusters).split(",").map((s) => s.trim()).filter(
    Boolean,
  );
  if (clusters.length === 0) throw new UsageError("--clusters: empty list");
  let config: Kubeconfig;
  try {
    config = await loadKubeconfig(kubeconfig);
  } catch (e) {
    if (e instanceof KubeconfigError) {
      throw new UsageError(`--kubeconfig ${kubeconfig}: ${e.message}`);
    }
    throw e;
  }
  let rootCA = config.caCert;
  const caFile = str(v["root-ca-file"]);
  if (caFile) {
    try {
      rootCA = await Deno.readTextFile(caFile);
    } catch {
      throw new UsageError(`--root-ca-file ${caFile}: cannot be read`);
    }
  }
  const signingCert = str(v["cluster-signing-cert-file"]);
  const signingKey = str(v["cluster-signing-key-file"]);
  if (!!signingCert !== !!signingKey) {
    throw new UsageError(
      "--cluster-signing-cert-file and --cluster-signing-key-file must be given together",
    );
  }
  let clientCA: { certPem: string; keyPem: string } | undefined;
  if (signingCert) {
    const read = async (flag: string, path: string) => {
      try {
        return await Deno.readTextFile(path);
      } catch {
        throw new UsageError(`--${flag} ${path}: cannot be read`);
      }
    };
    clientCA = {
      certPem: await read("cluster-signing-cert-file", signingCert),
      keyPem: await read("cluster-signing-key-file", signingKey),
    };
  }
  const logger = createLogger({ level: level as LogLevel });
  const shutdown = shutdownSignal();
  const client = new ApiClient(httpTransport(config));
  try {
    const running = startControllers({
      client,
      controllers,
      clusters,
      rootCA,
      clientCA,
      logger,
      signal: shutdown.signal,
      leaderElection: elect === "true"
        ? { leaseDurationMs, renewDeadlineMs, retryPeriodMs }
        : false,
    });
    await running.done;
  } finally {
    shutdown.dispose();
    client.close();
  }
  return 0;
}
