import assert from "node:assert/strict";
import {
  type DlOpen,
  type GlibcMalloc,
  openGlibcMalloc,
  startMallocTrimmer,
  TrimPolicy,
} from "./malloc_trim.ts";
import { GcPolicy, openFullGc } from "./full_gc.ts";
import { noteGarbage } from "./garbage_hint.ts";

const MiB = 1048576;

/** True on the glibc Linux these tests run on (a musl or macOS host differs). */
function glibcHere(): boolean {
  if (Deno.build.os !== "linux") return false;
  const malloc = openGlibcMalloc();
  if ("unavailable" in malloc) return false;
  malloc.close();
  return true;
}

Deno.test("on glibc Linux, malloc is reached: version, free bytes and a trim", async () => {
  if (!glibcHere()) {
    console.log("SKIPPED: not glibc Linux");
    return;
  }
  const malloc = openGlibcMalloc();
  assert.ok(!("unavailable" in malloc));
  try {
    assert.match(malloc.version, /^2\.\d+/);
    const free = malloc.freeBytes();
    assert.ok(free === undefined || (Number.isInteger(free) && free >= 0));
    assert.equal(typeof await malloc.trim(), "boolean");
  } finally {
    malloc.close();
  }
});

Deno.test("a trim returns memory freed below a live chunk, which malloc keeps otherwise", async () => {
  if (!glibcHere()) {
    console.log("SKIPPED: not glibc Linux");
    return;
  }
  // In a process of its own: RSS is the process's, and tests running in
  // parallel in this one allocate and free meanwhile.
  const script = `
    import { openGlibcMalloc } from ${
    JSON.stringify(new URL("./malloc_trim.ts", import.meta.url).href)
  };
    const libc = Deno.dlopen("libc.so.6", {
      malloc: { parameters: ["usize"], result: "pointer" },
      free: { parameters: ["pointer"], result: "void" },
      memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
    });
    const malloc = openGlibcMalloc();
    const rss = () => Deno.memoryUsage().rss;
    // 64 MiB in 4 KiB chunks, written so they are resident; the last stays
    // live, so the freed ones are not at the top of the arena.
    const chunks = Array.from({ length: 16384 }, () => {
      const p = libc.symbols.malloc(4096n);
      libc.symbols.memset(p, 1, 4096n);
      return p;
    });
    const live = libc.symbols.malloc(4096n);
    for (const p of chunks) libc.symbols.free(p);
    const before = rss();
    await malloc.trim();
    const after = rss();
    libc.symbols.free(live);
    console.log(JSON.stringify({ before, after }));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-ffi", "--no-config", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const { before, after } = JSON.parse(new TextDecoder().decode(stdout));
  assert.ok(
    (before - after) / MiB > 40,
    `RSS ${before / MiB} MiB -> ${after / MiB} MiB`,
  );
});

Deno.test("a refused dlopen (no FFI permission, no libc.so.6) is reported, not thrown", () => {
  const refused: DlOpen = () => {
    throw new Deno.errors.NotCapable(
      'Requires ffi access to "libc.so.6", run again with the --allow-ffi flag',
    );
  };
  const malloc = openGlibcMalloc(refused, "linux");
  assert.ok("unavailable" in malloc);
  assert.match(malloc.unavailable, /libc\.so\.6 not opened: Requires ffi/);
});

Deno.test("outside Linux nothing is opened", () => {
  let opened = false;
  const dlopen: DlOpen = () => {
    opened = true;
    throw new Error("unreachable");
  };
  const malloc = openGlibcMalloc(dlopen, "darwin");
  assert.deepEqual(malloc, { unavailable: "not Linux (darwin)" });
  assert.equal(opened, false);
});

Deno.test("without FFI permission the server's trimmer logs once and only collects", async () => {
  const script = `
    import { startMallocTrimmer } from ${
    JSON.stringify(new URL("./malloc_trim.ts", import.meta.url).href)
  };
    const lines = [];
    const logger = { debug: (m, f) => lines.push(m), info: (m, f) => lines.push(m + " " + f.reason) };
    using trimmer = startMallocTrimmer({ logger, intervalMs: 10 });
    console.log(JSON.stringify({ active: trimmer.active, tick: await trimmer.tick(), trims: trimmer.trims, lines }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--no-config", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await out.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const got = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(got.active, true); // the idle collection needs no FFI
  assert.equal(got.tick, false);
  assert.equal(got.trims, 0);
  assert.equal(got.lines.length, 1);
  assert.match(got.lines[0], /^malloc trim off .*--allow-ffi/);
});

Deno.test("a trim is due at once when enough became free, or RSS grew with enough free", () => {
  const t = 16 * MiB;
  const policy = new TrimPolicy(t, { free: 1 * MiB, rss: 100 * MiB });
  assert.equal(policy.due({ free: 12 * MiB, rss: 130 * MiB }), false);
  const first = { free: 20 * MiB, rss: 100 * MiB };
  assert.equal(policy.due(first), true);
  policy.trimmed(first, first); // returned nothing: next one after 2 looks
  assert.equal(policy.due(first), false);
  const freed = { free: 37 * MiB, rss: 100 * MiB };
  assert.equal(policy.due(freed), true); // 17 MiB became free
  policy.trimmed(freed, freed); // nothing again: 4 looks
  assert.equal(policy.due({ free: 37 * MiB, rss: 110 * MiB }), false);
  // Free chunks used again and freed: free unchanged, RSS grew.
  assert.equal(policy.due({ free: 37 * MiB, rss: 117 * MiB }), true);
  policy.trimmed(freed, freed); // nothing: 8 looks
  // RSS fell 8 MiB below its level after the last trim (a V8 GC).
  assert.equal(policy.due({ free: 37 * MiB, rss: 95 * MiB }), false);
  assert.equal(policy.due({ free: 37 * MiB, rss: 92 * MiB }), true);
  // Without mallinfo2 only RSS growth counts.
  const noInfo = new TrimPolicy(t, { free: undefined, rss: 100 * MiB });
  assert.equal(noInfo.due({ free: undefined, rss: 110 * MiB }), false);
  assert.equal(noInfo.due({ free: undefined, rss: 120 * MiB }), true);
});

Deno.test("while much is free, trims come on the next look after a useful one and back off after useless ones", () => {
  const policy = new TrimPolicy(16 * MiB, { free: 1 * MiB, rss: 100 * MiB });
  const burst = { free: 100 * MiB, rss: 300 * MiB };
  assert.equal(policy.due(burst), true);
  policy.trimmed(burst, { free: 100 * MiB, rss: 200 * MiB });
  // Returned 100 MiB: look again next time (the V8 heap shrank meanwhile,
  // hiding pages used again and freed).
  const next = { free: 100 * MiB, rss: 190 * MiB };
  assert.equal(policy.due(next), true);
  policy.trimmed(next, { free: 100 * MiB, rss: 189.5 * MiB });
  // Returned 0.5 MiB: wait 2 looks, then 4, …
  const still = { free: 100 * MiB, rss: 189.5 * MiB };
  assert.equal(policy.due(still), false);
  assert.equal(policy.due(still), true);
  policy.trimmed(still, still);
  const waits: number[] = [];
  for (let round = 0; round < 8; round++) {
    let looks = 1;
    while (!policy.due(still)) looks++;
    policy.trimmed(still, still);
    waits.push(looks);
  }
  assert.deepEqual(waits, [4, 8, 16, 32, 64, 64, 64, 64]);
  // Little free: never due, however long.
  const calm = new TrimPolicy(16 * MiB, { free: 1 * MiB, rss: 100 * MiB });
  for (let i = 0; i < 200; i++) {
    assert.equal(calm.due({ free: 8 * MiB, rss: 100 * MiB }), false);
  }
});

/** A malloc whose free bytes the test sets; counts trims and closes. */
function fakeMalloc(
  state: { free: number; trims: number; closed: boolean },
  onTrim: () => void = () => {},
) {
  const malloc: GlibcMalloc = {
    version: "2.99",
    freeBytes: () => state.free,
    trim: () => {
      state.trims++;
      onTrim();
      return Promise.resolve(true);
    },
    close: () => state.closed = true,
  };
  return malloc;
}

Deno.test("the trimmer trims after a burst once the process is quiet, not during it", async () => {
  const state = { free: 1 * MiB, trims: 0, closed: false };
  let rss = 100 * MiB;
  let returnTo = rss; // what RSS a trim brings it down to
  let cpu = 0;
  const logged: string[] = [];
  const trimmer = startMallocTrimmer({
    malloc: fakeMalloc(state, () => rss = returnTo),
    gc: { unavailable: "not in this test" },
    rss: () => rss,
    cpuMs: () => cpu,
    thresholdBytes: 16 * MiB,
    intervalMs: 60_000,
    logger: { debug: (m) => logged.push(m), info: (m) => logged.push(m) },
  });
  // Looks come about right away here; "busy" is CPU against wall time, so
  // CPU is advanced far beyond the test's wall time to mark a busy look.
  const busyLook = () => (cpu += 60_000, trimmer.tick());
  try {
    assert.equal(trimmer.active, true);
    assert.equal(await trimmer.tick(), false);
    state.free = 40 * MiB; // a burst is running
    rss = 180 * MiB;
    assert.equal(await busyLook(), false);
    assert.equal(state.trims, 0);
    returnTo = 110 * MiB;
    assert.equal(await trimmer.tick(), true); // quiet now: 70 MiB returned
    assert.equal(state.trims, 1);
    assert.equal(await trimmer.tick(), true); // the look after a useful trim
    assert.equal(await trimmer.tick(), false); // that one returned nothing
    rss = 130 * MiB; // free pages used again and freed
    assert.equal(await trimmer.tick(), true);
    assert.equal(trimmer.trims, 3);
    assert.deepEqual(logged, [
      "idle gc off",
      "malloc trim",
      "malloc trim",
      "malloc trim",
    ]);
  } finally {
    trimmer[Symbol.dispose]();
  }
  assert.equal(state.closed, true);
  assert.equal(await trimmer.tick(), false);
});

Deno.test("with neither malloc nor a collection the trimmer is off and logs why once each", async () => {
  const logged: string[] = [];
  using trimmer = startMallocTrimmer({
    malloc: { unavailable: "not Linux (darwin)" },
    gc: { unavailable: "no gc" },
    logger: {
      debug: (m) => logged.push(m),
      info: (m, f) => logged.push(`${m}: ${f?.reason}`),
    },
  });
  assert.equal(trimmer.active, false);
  assert.equal(await trimmer.tick(), false);
  assert.deepEqual(logged, [
    "malloc trim off: not Linux (darwin)",
    "idle gc off: no gc",
  ]);
});

Deno.test("a full collection is due on the first quiet look after busier ones, and backs off when it frees little", () => {
  const policy = new GcPolicy(4 * MiB);
  assert.equal(policy.due(false), false); // the start, still busy
  assert.equal(policy.due(true), true); // quiet now
  policy.collected(40 * MiB, 30 * MiB); // freed 10 MiB
  for (let i = 0; i < 10; i++) assert.equal(policy.due(true), false); // idle
  assert.equal(policy.due(false), false); // a burst
  assert.equal(policy.due(true), true);
  policy.collected(80 * MiB, 79 * MiB); // it left live objects: wait 2 looks
  assert.equal(policy.due(false), false);
  assert.equal(policy.due(true), true);
  policy.collected(80 * MiB, 79 * MiB);
  const waits: number[] = [];
  for (let round = 0; round < 7; round++) {
    let looks = 0;
    do {
      looks++;
      assert.ok(looks <= 64, "never due");
    } while (!policy.due(looks % 2 === 1 ? false : true));
    policy.collected(80 * MiB, 79 * MiB);
    waits.push(looks);
  }
  assert.deepEqual(waits, [4, 8, 16, 32, 64, 64, 64]);
});

Deno.test("the trimmer collects once the process is quiet after a burst, then trims", async () => {
  const state = { free: 1 * MiB, trims: 0, closed: false };
  let heap = 30 * MiB;
  let collections = 0;
  let cpu = 0;
  const order: string[] = [];
  const trimmer = startMallocTrimmer({
    malloc: fakeMalloc(state, () => order.push("trim")),
    gc: () => {
      collections++;
      order.push("gc");
      heap = 32 * MiB;
      state.free = 40 * MiB; // the collection freed its objects' native memory
    },
    heapUsed: () => heap,
    rss: () => 150 * MiB,
    cpuMs: () => cpu,
    thresholdBytes: 16 * MiB,
    intervalMs: 60_000,
  });
  try {
    heap = 60 * MiB; // a burst's garbage
    cpu += 60_000; // busy: neither
    assert.equal(await trimmer.tick(), false);
    assert.equal(collections, 0);
    // Not quiet (a fifth of a core: advance CPU by a fifth of the wall
    // time since the last look): a trim may run, a collection not.
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    cpu += (performance.now() - t0) / 5;
    await trimmer.tick();
    assert.equal(collections, 0);
    assert.equal(await trimmer.tick(), true); // quiet: collect, then trim
    assert.equal(collections, 1);
    assert.deepEqual(order.slice(-2), ["gc", "trim"]);
    assert.equal(trimmer.collections, 1);
    await trimmer.tick(); // 32 MiB used, just collected: no collection
    assert.equal(collections, 1);
  } finally {
    trimmer[Symbol.dispose]();
  }
});

Deno.test("the real collection frees a dropped heap", () => {
  const gc = openFullGc();
  assert.equal(typeof gc, "function", JSON.stringify(gc));
  let junk: unknown[] | undefined = Array.from(
    { length: 200_000 },
    (_, i) => ({ i, s: `x${i}` }),
  );
  const before = Deno.memoryUsage().heapUsed;
  assert.equal(junk.length, 200_000);
  junk = undefined;
  (gc as () => void)();
  const after = Deno.memoryUsage().heapUsed;
  assert.ok(before - after > 8 * MiB, `heap used ${before} -> ${after}`);
});

Deno.test("noted garbage brings a collection within a second on a quiet process, without a burst", async () => {
  let collections = 0;
  const trimmer = startMallocTrimmer({
    malloc: { unavailable: "not in this test" },
    gc: () => collections++,
    heapUsed: () => 30 * MiB,
    cpuMs: () => 0,
    intervalMs: 600_000,
  });
  try {
    await trimmer.tick(); // the start's collection
    assert.equal(collections, 1);
    await trimmer.tick();
    assert.equal(collections, 1); // quiet, nothing noted
    noteGarbage(2 * MiB);
    await trimmer.tick();
    assert.equal(collections, 1); // too little noted
    noteGarbage(12 * MiB); // e.g. the watch cache's history expired
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(collections, 2);
    await trimmer.tick();
    assert.equal(collections, 2); // the note was used up
  } finally {
    trimmer[Symbol.dispose]();
  }
});

Deno.test("no collection while the heap is larger than the cap (its pause would be long), one once it is under", async () => {
  let heap = 190 * MiB; // 100,000 objects cached: a full collection pauses ~0.5 s
  let collections = 0;
  let cpu = 0;
  const trimmer = startMallocTrimmer({
    malloc: { unavailable: "test" },
    gc: () => {
      collections++;
      heap -= 10 * MiB;
    },
    heapUsed: () => heap,
    rss: () => 300 * MiB,
    cpuMs: () => cpu,
    gcMaxHeapBytes: 64 * MiB,
    intervalMs: 60_000,
  });
  try {
    cpu += 60_000; // a burst
    await trimmer.tick();
    for (let i = 0; i < 5; i++) await trimmer.tick(); // quiet looks
    assert.equal(collections, 0);
    heap = 46 * MiB; // the objects were deleted
    await trimmer.tick();
    assert.equal(collections, 1);
  } finally {
    trimmer[Symbol.dispose]();
  }
});
