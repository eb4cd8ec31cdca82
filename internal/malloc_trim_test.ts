import assert from "node:assert/strict";
import {
  type DlOpen,
  type GlibcMalloc,
  openGlibcMalloc,
  startMallocTrimmer,
  trimIsWorthIt,
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

Deno.test("on glibc Linux, malloc is reached: version, free bytes and a trim", () => {
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
    assert.equal(typeof malloc.trim(), "boolean");
  } finally {
    malloc.close();
  }
});

Deno.test("a trim returns memory freed below a live chunk, which malloc keeps otherwise", () => {
  if (!glibcHere()) {
    console.log("SKIPPED: not glibc Linux");
    return;
  }
  const libc = Deno.dlopen("libc.so.6", {
    malloc: { parameters: ["usize"], result: "pointer" },
    free: { parameters: ["pointer"], result: "void" },
    memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
  });
  const malloc = openGlibcMalloc();
  assert.ok(!("unavailable" in malloc));
  const rssMiB = () => Deno.memoryUsage().rss / MiB;
  try {
    // 64 MiB in 4 KiB chunks, written so they are resident; the last stays
    // live, so the freed ones are not at the top of the arena.
    const chunks = Array.from({ length: 16_384 }, () => {
      const p = libc.symbols.malloc(4096n);
      libc.symbols.memset(p, 1, 4096n);
      return p;
    });
    const live = libc.symbols.malloc(4096n);
    for (const p of chunks) libc.symbols.free(p);
    const before = rssMiB();
    malloc.trim();
    const after = rssMiB();
    libc.symbols.free(live);
    assert.ok(before - after > 40, `RSS ${before} MiB -> ${after} MiB`);
  } finally {
    malloc.close();
    libc.close();
  }
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
    console.log(JSON.stringify({ active: trimmer.active, tick: trimmer.tick(), lines }));
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

Deno.test("a trim is worth it once enough became free, or RSS grew with enough free", () => {
  const low = { free: 10 * MiB, rss: 100 * MiB };
  const t = 16 * MiB;
  assert.equal(
    trimIsWorthIt({ free: 20 * MiB, rss: 110 * MiB }, low, t),
    false,
  );
  assert.equal(trimIsWorthIt({ free: 26 * MiB, rss: 100 * MiB }, low, t), true);
  // Free chunks reused and freed again: free unchanged, RSS grew.
  assert.equal(trimIsWorthIt({ free: 17 * MiB, rss: 116 * MiB }, low, t), true);
  assert.equal(
    trimIsWorthIt({ free: 15 * MiB, rss: 200 * MiB }, low, t),
    false,
  );
  // Without mallinfo2 only RSS growth counts.
  const noInfo = { free: undefined, rss: 100 * MiB };
  assert.equal(
    trimIsWorthIt({ free: undefined, rss: 110 * MiB }, noInfo, t),
    false,
  );
  assert.equal(
    trimIsWorthIt({ free: undefined, rss: 120 * MiB }, noInfo, t),
    true,
  );
});

/** A malloc whose free bytes the test sets; counts trims and closes. */
function fakeMalloc(state: { free: number; trims: number; closed: boolean }) {
  const malloc: GlibcMalloc = {
    version: "2.99",
    freeBytes: () => state.free,
    trim: () => {
      state.trims++;
      return true;
    },
    close: () => state.closed = true,
  };
  return malloc;
}

Deno.test("the trimmer trims when memory became free, then not again until more does", () => {
  const state = { free: 1 * MiB, trims: 0, closed: false };
  let rss = 100 * MiB;
  const logged: string[] = [];
  const trimmer = startMallocTrimmer({
    malloc: fakeMalloc(state),
    rss: () => rss,
    thresholdBytes: 16 * MiB,
    intervalMs: 60_000,
    logger: { debug: (m) => logged.push(m), info: (m) => logged.push(m) },
  });
  try {
    assert.equal(trimmer.active, true);
    assert.equal(trimmer.tick(), false);
    state.free = 40 * MiB; // a burst ended: 39 MiB became free
    rss = 180 * MiB;
    assert.equal(trimmer.tick(), true);
    assert.equal(state.trims, 1);
    rss = 110 * MiB; // returned; malloc still counts it free
    assert.equal(trimmer.tick(), false);
    assert.equal(trimmer.tick(), false);
    rss = 130 * MiB; // the free pages were used again and freed
    assert.equal(trimmer.tick(), true);
    assert.equal(trimmer.trims, 2);
    assert.deepEqual(logged, ["malloc trim", "malloc trim"]);
  } finally {
    trimmer[Symbol.dispose]();
  }
  assert.equal(state.closed, true);
});

Deno.test("an unavailable malloc leaves the trimmer off and logs why once", () => {
  const logged: string[] = [];
  using trimmer = startMallocTrimmer({
    malloc: { unavailable: "not Linux (darwin)" },
    logger: {
      debug: (m) => logged.push(m),
      info: (m, f) => logged.push(`${m}: ${f?.reason}`),
    },
  });
  assert.equal(trimmer.active, false);
  assert.equal(trimmer.tick(), false);
  assert.deepEqual(logged, ["malloc trim off: not Linux (darwin)"]);
});
