/**
 * Which controllers a control plane runs in-process: the built-in ones a
 * `--controllers`-style selection enables and whose resources are served
 * (a namespace-only control plane has no service account controller), and
 * the embedding program's own.
 *
 * @module
 */

import type { ResourceDefinition } from "../apiserver/mod.ts";
import {
  type ControllerDescriptor,
  CONTROLLERS,
  selectControllers,
} from "../controllers/mod.ts";
import type { ControllerChoice } from "./options.ts";
import { serves } from "./resources.ts";

/** What `startControllers` is given. */
export interface ControllerPlan {
  /** The built-in selection, in `--controllers` syntax. */
  builtin: string;
  /** The embedding program's controllers. */
  custom: ControllerDescriptor[];
}

/**
 * Splits `choice` into the built-in selection and custom controllers, and
 * leaves out built-ins that need a resource `resources` does not serve.
 * An unknown built-in name throws `ControllerSelectionError`.
 */
export function controllerPlan(
  choice: string | readonly ControllerChoice[] | undefined,
  resources: readonly ResourceDefinition[],
): ControllerPlan {
  const list = choice === undefined
    ? ["*"]
    : typeof choice === "string"
    ? [choice]
    : choice;
  const specs = list.filter((c): c is string => typeof c === "string");
  const custom = list.filter((c): c is ControllerDescriptor =>
    typeof c !== "string"
  );
  const spec = specs.join(",");
  const names = spec === ""
    ? []
    : selectControllers(spec, CONTROLLERS.map((c) => c.name));
  const runnable = CONTROLLERS.filter((c) =>
    names.includes(c.name) &&
    (c.requires ?? []).every((r) => serves(resources, r.group, r.resource))
  ).map((c) => c.name);
  return {
    builtin: runnable.length === 0 ? "-*" : runnable.join(","),
    custom,
  };
}
