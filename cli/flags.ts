/**
 * Flag definitions and parsing for the subcommands. Parsing uses
 * `node:util` `parseArgs` in strict mode, so an unknown flag is a
 * {@linkcode UsageError}. Backend flag blocks come from the registry.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { Backends, FlagValues } from "../mod.ts";
import { UsageError } from "./usage_error.ts";

/** One flag of a subcommand. */
export interface CliFlag {
  name: string;
  description: string;
  /** `string` (default) or `boolean`; `multiple` strings may repeat. */
  type?: "string" | "boolean";
  multiple?: boolean;
  default?: string;
  placeholder?: string;
}

/** The result of parsing: values by flag name, plus positional arguments. */
export interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses `args` against `flags`; throws a one-line {@linkcode UsageError} on any problem. */
export function parseFlags(
  args: string[],
  flags: readonly CliFlag[],
): ParsedFlags {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = {};
  for (const f of flags) {
    options[f.name] = {
      type: f.type ?? "string",
      multiple: f.multiple ?? false,
    };
  }
  options["help"] = { type: "boolean", short: "h" };
  try {
    const { values, positionals } = parseArgs({
      args: withDashValuesJoined(booleanValuesApplied(args, options), options),
      options,
      strict: true,
      allowPositionals: true,
    });
    for (const f of flags) {
      if (values[f.name] === undefined && f.default !== undefined) {
        values[f.name] = f.default;
      }
    }
    return { values: values as ParsedFlags["values"], positionals };
  } catch (err) {
    throw new UsageError(describeParseError(err));
  }
}

/**
 * `--flag=true` / `--flag=false` for a boolean flag, as Go's flag package
 * (and so kube-apiserver's documentation) writes them: `true` is the bare
 * flag, `false` leaves it unset. Other values are left for `parseArgs` to
 * reject.
 */
function booleanValuesApplied(
  args: string[],
  options: Record<string, { type: "string" | "boolean" }>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return out.concat(args.slice(i));
    const m = /^--([^=]+)=(true|false)$/.exec(a);
    if (m && options[m[1]]?.type === "boolean") {
      if (m[2] === "true") out.push(`--${m[1]}`);
      continue;
    }
    out.push(a);
  }
  return out;
}

/**
 * `--name value` where `value` starts with `-` (`--controllers -*`, as
 * kube-controller-manager takes it) becomes `--name=value`: `parseArgs`
 * rejects such a value as ambiguous. A value that is itself one of the
 * flags (`--data-dir --log-level`) is left alone, so the missing argument
 * is reported.
 */
function withDashValuesJoined(
  args: string[],
  options: Record<string, { type: "string" | "boolean"; short?: string }>,
): string[] {
  const isFlag = (a: string): boolean => {
    if (a === "--") return true;
    if (a.startsWith("--")) return a.slice(2).split("=")[0] in options;
    return Object.values(options).some((o) => o.short && a === `-${o.short}`);
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (
      a.startsWith("--") && !a.includes("=") &&
      options[a.slice(2)]?.type === "string" &&
      next !== undefined && next.startsWith("-") && next !== "-" &&
      !isFlag(next)
    ) {
      out.push(`${a}=${next}`);
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function describeParseError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (unknown) return `unknown flag: ${unknown[1]}`;
  const missing =
    /Option '([^']+?)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(
      msg,
    );
  if (missing) {
    return `flag needs an argument: ${missing[1].split(",").pop()!.trim()}`;
  }
  const positional = /Unexpected argument '([^']+)'/.exec(msg);
  if (positional) return `unexpected argument: ${positional[1]}`;
  return msg.split("\n")[0];
}

/** The `--<backend>-*` flags of every registered backend, as CLI flags. */
export function backendCliFlags(backends: Backends): CliFlag[] {
  return backends.flags().map((f) => ({
    name: f.name,
    description: f.description,
    default: f.default,
    placeholder: f.placeholder,
  }));
}

/** Picks one backend's flag values out of the parsed flags. */
export function backendFlagValues(
  backends: Backends,
  name: string,
  parsed: ParsedFlags,
): FlagValues {
  const values: FlagValues = {};
  for (const f of backends.get(name).flags) {
    const v = parsed.values[f.name];
    values[f.name] = typeof v === "string" ? v : f.default;
  }
  return values;
}

/**
 * Flags given on the command line that belong to a backend other than the
 * selected one: almost always a mistake, reported as a usage error.
 */
export function foreignBackendFlags(
  backends: Backends,
  selected: string,
  args: string[],
): string[] {
  const given = new Set(
    args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")[0]),
  );
  return backends.flags()
    .filter((f) => f.backend !== selected && given.has(f.name))
    .map((f) => `--${f.name}`);
}
