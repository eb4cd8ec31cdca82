/**
 * The `Backend` interface (KPEP-0001 shape): a named storage backend that
 * owns a flag block (`--<name>-*`), validates its values, and opens a
 * `StoreFactory` that creates one `Store` per resource.
 *
 * @module
 */

import type { StoreFactory } from "../storage/mod.ts";
import type { Logger } from "../log/mod.ts";

/** One command-line flag of a backend's block. */
export interface FlagSpec {
  /** Flag name without dashes; must start with `<backend name>-`. */
  name: string;
  /** Shown in `--help`. */
  description: string;
  /** The default value (as typed on the command line), if any. */
  default?: string;
  /** Placeholder shown in `--help`, e.g. `URLS`. Default `VALUE`. */
  placeholder?: string;
}

/** Flag values for one backend, by flag name (without dashes). */
export type FlagValues = Record<string, string | undefined>;

/** What every backend gets besides its flags. */
export interface BackendContext {
  /** The server's data directory (`--data-dir`). */
  dataDir: string;
  /** Where the backend logs. */
  logger: Logger;
}

/** A storage backend that can be selected with `--storage-backend=<name>`. */
export interface Backend {
  /** The name used with `--storage-backend`; also the prefix of its flags. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** The backend's flag block. */
  readonly flags: readonly FlagSpec[];
  /**
   * Checks the flag values (defaults applied) and returns every problem, one
   * human-readable line each; empty when valid.
   */
  validate(values: FlagValues, ctx: BackendContext): string[];
  /** Connects (creating files or schema as needed) and returns the store factory. */
  open(values: FlagValues, ctx: BackendContext): Promise<StoreFactory>;
}
