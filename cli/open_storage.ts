/**
 * Selects the storage backend named by `--storage-backend`, validates its
 * flag block and opens it.
 *
 * @module
 */

import {
  type Backend,
  type BackendContext,
  type Backends,
  type FlagValues,
  RegistryError,
  type StoreFactory,
} from "../mod.ts";
import {
  backendFlagValues,
  foreignBackendFlags,
  type ParsedFlags,
} from "./flags.ts";
import { UsageError } from "./usage_error.ts";

/** The selected backend with its validated flag values. */
export interface StorageSelection {
  backend: Backend;
  values: FlagValues;
}

/**
 * Resolves `--storage-backend` and validates its flags. Unknown names and
 * invalid flags are one-line {@linkcode UsageError}s.
 */
export function selectStorage(
  backends: Backends,
  parsed: ParsedFlags,
  ctx: BackendContext,
  args: string[],
): StorageSelection {
  const name = String(parsed.values["storage-backend"] ?? "sqlite");
  let backend: Backend;
  try {
    backend = backends.get(name);
  } catch (err) {
    if (err instanceof RegistryError) throw new UsageError(err.message);
    throw err;
  }
  const values = backendFlagValues(backends, name, parsed);
  const problems = backend.validate(values, ctx);
  if (problems.length > 0) {
    throw new UsageError(
      `invalid flags for storage backend "${name}": ${problems.join("; ")}`,
    );
  }
  const foreign = foreignBackendFlags(backends, name, args);
  if (foreign.length > 0) {
    ctx.logger.warn("flags of another storage backend are ignored", {
      backend: name,
      flags: foreign.join(","),
    });
  }
  return { backend, values };
}

/** Opens the selected backend and waits until it is ready. */
export async function openStorage(
  sel: StorageSelection,
  ctx: BackendContext,
): Promise<StoreFactory> {
  const factory = await sel.backend.open(sel.values, ctx);
  try {
    await factory.readiness();
  } catch (err) {
    await factory.close().catch(() => {});
    throw err;
  }
  return factory;
}
