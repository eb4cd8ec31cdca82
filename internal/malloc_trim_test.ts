import assert from "node:assert/strict";
import {
  type DlOpen,
  type GlibcMalloc,
  openGlibcMalloc,
  startMallocTrimmer,
  TrimPolicy,
} from "./malloc_trim.ts";

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

Deno.test("without FFI permission the server's trimmer logs once and stays off", async () => {
  const script = `
    import { startMallocTrimmer } from ${
    JSON.stringify(new URL("./malloc_trim.ts", import.meta.url).href)
  };
    const lines = [];
    const logger = { debug: (m, f) => lines.push(m), info: (m, f) => lines.push(m + " " + f.reason) };
    using trimmer = startMallocTrimmer({ logger, intervalMs: 10 });
    console.log(JSON.stringify({ active: trimmer.active, tick: await trimmer.tick(), lines }));
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
  assert.equal(got.active, false);
  assert.equal(got.tick, false);
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
    assert.deepEqual(logged, ["malloc trim", "malloc trim", "malloc trim"]);
  } finally {
    trimmer[Symbol.dispose]();
  }
  assert.equal(state.closed, true);
  assert.equal(await trimmer.tick(), false);
});

Deno.test("an unavailable malloc leaves the trimmer off and logs why once", async () => {
  const logged: string[] = [];
  using trimmer = startMallocTrimmer({
    malloc: { unavailable: "not Linux (darwin)" },
    logger: {
      debug: (m) => logged.push(m),
      info: (m, f) => logged.push(`${m}: ${f?.reason}`),
    },
  });
  assert.equal(trimmer.active, false);
  assert.equal(await trimmer.tick(), false);
  assert.deepEqual(logged, ["malloc trim off: not Linux (darwin)"]);
});
