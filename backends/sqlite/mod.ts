/**
 * The `sqlite` storage backend (placeholder until its implementation lands).
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { unavailable } from "../../storage/mod.ts";

/** The `sqlite` backend. */
export function sqliteBackend(): Backend {
  return {
    name: "sqlite",
    description: "sqlite storage (not yet available)",
    flags: [{
      name: "sqlite-path",
      description: "SQLite database file (default <data-dir>/state.db)",
      placeholder: "FILE",
    }],
    validate: () => ['storage backend "sqlite" is not yet available'],
    open: () =>
      Promise.reject(
        unavailable('storage backend "sqlite" is not yet available'),
      ),
  };
}
