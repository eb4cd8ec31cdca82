import assert from "node:assert/strict";
import { queryBool } from "./query_bool.ts";

Deno.test("only 0 and false in any case are false; absent is undefined", () => {
  const of = (qs: string) => queryBool(new URLSearchParams(qs), "watch");
  for (
    const t of [
      "watch=true",
      "watch=True",
      "watch=TRUE",
      "watch=1",
      "watch=yes",
      "watch=",
      "watch",
      "watch=2",
    ]
  ) {
    assert.equal(of(t), true, t);
  }
  for (const f of ["watch=false", "watch=False", "watch=FALSE", "watch=0"]) {
    assert.equal(of(f), false, f);
  }
  assert.equal(of(""), undefined);
  assert.equal(of("watch=0&watch=1"), false); // the first value counts
});
