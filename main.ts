/**
 * hyperplane's executable entry point. See `cli/main.ts`.
 *
 * @module
 */

import { main } from "./cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
