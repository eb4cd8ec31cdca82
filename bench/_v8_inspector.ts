/**
 * The memory a server child really keeps, read through its V8 inspector
 * (`deno run --inspect=…`): a full garbage collection, then
 * `Deno.memoryUsage()`. RSS read from outside also counts garbage not yet
 * collected and heap pages V8 keeps after a burst, which swings by ±20%
 * between runs of the same tree; the live heap after a collection is the
 * same to a fraction of a percent.
 *
 * @module
 */

/** `Deno.memoryUsage()` of the child after a full collection (bytes). */
export interface LiveMemory {
  heapUsed: number;
  rss: number;
}

/** Collects garbage in the process inspected on `port`, then reads its memory. */
export async function liveMemory(port: number): Promise<LiveMemory> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`))
    .json() as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  const pending = new Map<number, (result: unknown) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    pending.get(msg.id)?.(msg.result);
    pending.delete(msg.id);
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const send = (method: string, params: unknown = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send("HeapProfiler.collectGarbage");
    const got = await send("Runtime.evaluate", {
      expression: "JSON.stringify(Deno.memoryUsage())",
      returnByValue: true,
    }) as { result: { value: string } };
    const usage = JSON.parse(got.result.value);
    return { heapUsed: usage.heapUsed, rss: usage.rss };
  } finally {
    const closed = new Promise((resolve) => ws.onclose = resolve);
    ws.close();
    await closed;
  }
}
