/**
 * `hyperplane version`: prints hyperplane's and the served Kubernetes API's versions.
 *
 * @module
 */

import { GIT_VERSION, HYPERPLANE_VERSION } from "../mod.ts";
import { parseFlags } from "./flags.ts";
import { renderHelp } from "./help.ts";
import { UsageError } from "./usage_error.ts";

/** Runs `version`. Returns the exit status. */
export function runVersion(args: string[]): number {
  const parsed = parseFlags(args, [{
    name: "output",
    description: "output format: text or json",
    default: "text",
    placeholder: "FORMAT",
  }]);
  if (parsed.values.help) {
    console.log(
      renderHelp(
        "hyperplane version [flags]",
        "Print the version of hyperplane.",
        [{
          title: "Flags",
          flags: [{
            name: "output",
            description: "output format: text or json",
            default: "text",
            placeholder: "FORMAT",
          }],
        }],
      ),
    );
    return 0;
  }
  if (parsed.positionals.length) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`);
  }
  const info = {
    hyperplane: HYPERPLANE_VERSION,
    kubernetes: GIT_VERSION,
    deno: Deno.version.deno,
  };
  if (parsed.values.output === "json") {
    console.log(JSON.stringify(info, null, 2));
  } else if (parsed.values.output === "text") {
    console.log(
      `hyperplane ${HYPERPLANE_VERSION} (Kubernetes API ${GIT_VERSION}, Deno ${Deno.version.deno})`,
    );
  } else {throw new UsageError(
      `--output must be text or json, got ${
        JSON.stringify(parsed.values.output)
      }`,
    );}
  return 0;
}
