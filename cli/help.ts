/**
 * `--help` text for the subcommands.
 *
 * @module
 */

import type { CliFlag } from "./flags.ts";

/** A titled group of flags in the help text. */
export interface FlagSection {
  title: string;
  flags: readonly CliFlag[];
}

/** Renders usage, a description and flag sections as help text. */
export function renderHelp(
  usage: string,
  description: string,
  sections: FlagSection[],
): string {
  const lines = [`Usage: ${usage}`, "", description.trim(), ""];
  for (const section of sections) {
    if (section.flags.length === 0) continue;
    lines.push(`${section.title}:`);
    for (const f of section.flags) {
      const arg = f.type === "boolean" ? "" : ` ${f.placeholder ?? "VALUE"}`;
      const def = f.default !== undefined
        ? ` (default ${JSON.stringify(f.default)})`
        : "";
      lines.push(`  --${f.name}${arg}`);
      lines.push(`      ${f.description}${def}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
