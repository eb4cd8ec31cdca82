/**
 * Turns SIGINT/SIGTERM into an `AbortSignal` for graceful shutdown.
 *
 * @module
 */

/** An AbortSignal that fires on SIGINT or SIGTERM; `dispose()` removes the handlers. */
export function shutdownSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("shutdown requested"));
  const sigs: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of sigs) Deno.addSignalListener(s, onSignal);
  return {
    signal: controller.signal,
    dispose() {
      for (const s of sigs) Deno.removeSignalListener(s, onSignal);
    },
  };
}
