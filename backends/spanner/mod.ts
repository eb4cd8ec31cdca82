/**
 * The `spanner` storage backend (placeholder until its implementation lands).
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { unavailable } from "../../storage/mod.ts";

/** The `spanner` backend. */
export function spannerBackend(): Backend {
  return {
    name: "spanner",
    description: "spanner storage (not yet available)",
    flags: [
      {
        name: "spanner-project",
        description: "Google Cloud project (required)",
        placeholder: "ID",
      },
      {
        name: "spanner-instance",
        description: "Spanner instance (required)",
        placeholder: "ID",
      },
      {
        name: "spanner-database",
        description: "Spanner database (required)",
        placeholder: "ID",
      },
      {
        name: "spanner-emulator-host",
        description:
          "talk to the Spanner emulator at HOST:PORT (creates the instance if missing)",
        placeholder: "HOST:PORT",
      },
    ],
    validate: () => ['storage backend "spanner" is not yet available'],
    open: () =>
      Promise.reject(
        unavailable('storage backend "spanner" is not yet available'),
      ),
  };
}
