/**
 * The hyperkube-style entry: `hyperplane <subcommand> [flags]`. A bare
 * `hyperplane [flags]` runs `server`.
 *
 * @module
 */

import { Backends, registerBuiltinBackends } from "../mod.ts";
import { runControllerManager } from "./controller_manager.ts";
import { runKubeconfig } from "./kubeconfig.ts";
import { runServe, SERVER_COMMAND } from "./server.ts";
import { runSnapshot } from "./snapshot.ts";
import { UsageError } from "./usage_error.ts";
import { runVersion } from "./version.ts";

const APISERVER_COMMAND = {
  name: "apiserver" as const,
  description:
    "Run only the API server (no controllers) on one storage backend.",
};

const TOP_HELP = `Usage: hyperplane <command> [flags]

A single-binary Kubernetes-style generic control plane.

Commands:
  server               the all-in-one control plane (default when no command is given)
  apiserver            only the API server
  controller-manager   only the generic controllers, against an API server
  kubeconfig           mint a client certificate and kubeconfig for a user
  snapshot             save, restore or verify a snapshot of the sqlite backend
  version              print the version

Run 'hyperplane <command> --help' for the flags of a command.
`;

/** Runs the CLI with `args`; returns the process exit status. */
export async function main(
  args: string[],
  backends: Backends = registerBuiltinBackends(new Backends()),
): Promise<number> {
  try {
    const [first, ...rest] = args;
    if (first === undefined || first.startsWith("-")) {
      if (first === "--help" || first === "-h") {
        console.log(TOP_HELP);
        return 0;
      }
      return await runServe(SERVER_COMMAND, args, backends);
    }
    switch (first) {
      case "server":
        return await runServe(SERVER_COMMAND, rest, backends);
      case "apiserver":
        return await runServe(APISERVER_COMMAND, rest, backends);
      case "controller-manager":
        return await runControllerManager(rest);
      case "kubeconfig":
        return await runKubeconfig(rest);
      case "snapshot":
        return await runSnapshot(rest);
      case "version":
        return runVersion(rest);
      case "help":
        console.log(TOP_HELP);
        return 0;
      default:
        throw new UsageError(
          `unknown command ${
            JSON.stringify(first)
          } (commands: server, apiserver, controller-manager, kubeconfig, snapshot, version)`,
        );
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`hyperplane: ${err.message}`);
      return 2;
    }
    console.error(
      `hyperplane: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 1;
  }
}
