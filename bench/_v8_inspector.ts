/**
 * Reading a server child from inside, through its V8 inspector (`deno run
 * --inspect=…`): {@linkcode evaluateInProcess} runs an expression there
 * (after a full garbage collection if asked), {@linkcode liveMemory} reads
 * `Deno.memoryUsage()` after one. RSS read from outside also counts garbage
 * not yet collected and heap pages V8 keeps after a burst, which swings by
 * ±20% between runs of the same tree; the live heap after a collection is
 * the same to a fraction of a percent.
 *
 * @module
 */

/** `Deno.memoryUsage()` of the child after a full collection (bytes). */
export interface LiveMemory {
  heapUsed: number;
  rss: number;
}

/**
 * Evaluates `expression` (which must yield a JSON text, or a promise of
 * one) in the process inspected on `port`, after a full collection when
 * `collect`; answers the parsed value.
 */
export async function evaluateInProcess(
  port: number,
  expression: string,
  collect = false,
): Promise<unknown> {
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
    if (collect) await send("HeapProfiler.collectGarbage");
    const got = await send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    }) as { result: { value: string } };
    return JSON.parse(got.result.value);
  } finally {
    const closed = new Promise((resolve) => ws.onclose = resolve);
    ws.close();
    await closed;
  }
}

/** Collects garbage in the process inspected on `port`, then reads its memory. */
export async function liveMemory(port: number): Promise<LiveMemory> {
  const usage = await evaluateInProcess(
    port,
    "JSON.stringify(Deno.memoryUsage())",
    true,
  ) as LiveMemory;
  return { heapUsed: usage.heapUsed, rss: usage.rss };
}
