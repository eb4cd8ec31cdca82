/**
 * `hyperplane controller-manager`: runs the generic controllers against an
 * API server given by a kubeconfig.
 *
 * @module
 */

import { parseFlags } from "./flags.ts";
import { renderHelp } from "./help.ts";
import { UsageError } from "./usage_error.ts";

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
      "controllers to run: '*' for all, 'name' to add, '-name' to remove",
    default: "*",
    placeholder: "LIST",
  },
];

/** Runs `controller-manager`. Returns the exit status. */
export async function runControllerManager(args: string[]): Promise<number> {
  const parsed = parseFlags(args, FLAGS);
  if (parsed.values.help) {
    console.log(renderHelp(
      "hyperplane controller-manager --kubeconfig FILE [flags]",
      "Run the generic controllers (garbage collector, namespace deletion) against an API server.",
      [{ title: "Flags", flags: FLAGS }],
    ));
    return 0;
  }
  if (parsed.positionals.length) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`);
  }
  const kubeconfig = parsed.values.kubeconfig;
  if (typeof kubeconfig !== "string" || kubeconfig === "") {
    throw new UsageError("--kubeconfig is required");
  }
  try {
    await Deno.stat(kubeconfig);
  } catch {
    throw new UsageError(`--kubeconfig ${kubeconfig}: file not found`);
  }
  console.error(
    "hyperplane controller-manager: no controllers are available in this build yet",
  );
  return 1;
}
