/**
 * The `memory` storage backend: a {@linkcode LogStoreFactory} over a fresh
 * {@linkcode MemoryLog}. For tests and ephemeral use; data is lost on exit.
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import { MemoryLog } from "./memory_log.ts";

export { MemoryLog, type MemoryLogOptions } from "./memory_log.ts";

/** The `memory` backend (no flags). */
export function memoryBackend(): Backend {
  return {
    name: "memory",
    description:
      "in-memory storage for tests and ephemeral use (data is lost on exit)",
    flags: [],
    validate: () => [],
    open: (_values, ctx) =>
      Promise.resolve(
        new LogStoreFactory(
          new MemoryLog({ logger: ctx.logger.with({ backend: "memory" }) }),
        ),
      ),
  };
}
