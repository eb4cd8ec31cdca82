import assert from "node:assert/strict";
import { type CliFlag, parseFlags } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

const FLAGS: CliFlag[] = [
  { name: "controllers", description: "controllers", default: "*" },
  { name: "data-dir", description: "data dir" },
  { name: "verbose", description: "verbose", type: "boolean" },
];

Deno.test("a value starting with a dash may follow its flag, as pflag takes it", () => {
  assert.equal(
    parseFlags(["--controllers", "-*"], FLAGS).values.controllers,
    "-*",
  );
  assert.equal(
    parseFlags(["--controllers=-*,gc"], FLAGS).values.controllers,
    "-*,gc",
  );
  const p = parseFlags(["--data-dir", "-odd", "--verbose", "pos"], FLAGS);
  assert.equal(p.values["data-dir"], "-odd");
  assert.equal(p.values.verbose, true);
  assert.deepEqual(p.positionals, ["pos"]);
});

Deno.test("a flag followed by another flag still misses its value", () => {
  for (const next of ["--verbose", "--controllers=x", "-h", "--"]) {
    assert.throws(
      () => parseFlags(["--data-dir", next], FLAGS),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "flag needs an argument: --data-dir",
      next,
    );
  }
});

Deno.test("an unknown flag stays an error, also after a string flag", () => {
  assert.throws(
    () => parseFlags(["--nope"], FLAGS),
    (e: unknown) =>
      e instanceof UsageError && e.message === "unknown flag: --nope",
  );
  // as pflag: the flag's value is whatever follows
  assert.equal(
    parseFlags(["--data-dir", "--nope"], FLAGS).values["data-dir"],
    "--nope",
  );
});

Deno.test("a boolean flag takes Go's =true and =false forms", () => {
  const flags = [{ name: "reload", description: "", type: "boolean" as const }];
  assert.equal(parseFlags(["--reload=true"], flags).values.reload, true);
  assert.equal(parseFlags(["--reload=false"], flags).values.reload, undefined);
  assert.equal(parseFlags(["--reload"], flags).values.reload, true);
  assert.throws(() => parseFlags(["--reload=yes"], flags), UsageError);
  assert.deepEqual(
    parseFlags(["--", "--reload=false"], flags).positionals,
    ["--reload=false"],
  );
});
