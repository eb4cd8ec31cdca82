/**
 * The `memory` storage backend (placeholder until its implementation lands).
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { unavailable } from "../../storage/mod.ts";

/** The `memory` backend. */
export function memoryBackend(): Backend {
  return {
    name: "memory",
    description: "memory storage (not yet available)",
    flags: [],
    validate: () => ['storage backend "memory" is not yet available'],
    open: () =>
      Promise.reject(
        unavailable('storage backend "memory" is not yet available'),
      ),
  };
}
