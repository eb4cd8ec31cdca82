/**
 * `Backends`: an instance-scoped registry of storage backends. There is no
 * global registry; the CLI (or an embedding program) creates one, registers
 * backends into it and selects one by name.
 *
 * @example
 * ```ts
 * const backends = new Backends();
 * backends.register(memoryBackend);
 * backends.get("memory"); // the backend
 * ```
 *
 * @module
 */

import type { Backend, FlagSpec } from "./backend.ts";

/** Raised for registry misuse (duplicate or unknown names, bad flag names). */
export class RegistryError extends Error {
  /** An error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}

/** A flag of some backend, as the CLI's help lists it. */
export interface BackendFlag extends FlagSpec {
  /** The backend that owns the flag. */
  backend: string;
}

/** An instance-scoped set of storage backends. */
export class Backends {
  #byName = new Map<string, Backend>();

  /** Adds `backend`. Throws on a duplicate name or a flag outside its `--<name>-*` block. */
  register(backend: Backend): this {
    if (!/^[a-z][a-z0-9]*$/.test(backend.name)) {
      throw new RegistryError(
        `storage backend name ${
          JSON.stringify(backend.name)
        } must be lowercase letters and digits`,
      );
    }
    if (this.#byName.has(backend.name)) {
      throw new RegistryError(
        `storage backend "${backend.name}" already registered`,
      );
    }
    for (const flag of backend.flags) {
      if (!flag.name.startsWith(`${backend.name}-`)) {
        throw new RegistryError(
          `storage backend "${backend.name}": flag --${flag.name} must start with --${backend.name}-`,
        );
      }
    }
    this.#byName.set(backend.name, backend);
    return this;
  }

  /** The backend called `name`; throws a one-line error naming the registered ones when unknown. */
  get(name: string): Backend {
    const backend = this.#byName.get(name);
    if (!backend) {
      throw new RegistryError(
        `unknown storage backend ${JSON.stringify(name)} (registered: ${
          this.names().join(", ")
        })`,
      );
    }
    return backend;
  }

  /** True when `name` is registered. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.#byName.keys()].sort();
  }

  /** Every backend's flags (backends in name order, flags in declared order), for the CLI. */
  flags(): BackendFlag[] {
    return this.names().flatMap((name) =>
      this.#byName.get(name)!.flags.map((f) => ({ ...f, backend: name }))
    );
  }
}
