// Go's time.Parse for metav1.Time (RFC 3339) and metav1.MicroTime (exactly
// six fractional digits): what it accepts, and its error messages.
import assert from "node:assert/strict";
import { GO_RFC3339, GO_RFC3339_MICRO, goTimeParseError } from "./go_time.ts";

Deno.test("Go's RFC 3339 layout accepts what metav1.Time reads", () => {
  for (
    const ok of [
      "2024-01-02T03:04:05Z",
      "2024-01-02T03:04:05.123Z",
      "2024-01-02T03:04:05,5+01:00",
      "2024-01-02T03:04:05.123456789-07:30",
      "2024-02-29T00:00:00Z",
      "2024-01-02T3:04:05Z", // Go reads a one-digit hour
    ]
  ) {
    assert.equal(goTimeParseError(ok, GO_RFC3339), undefined, ok);
  }
});

Deno.test("Go's RFC 3339 layout refuses with Go's messages", () => {
  const cases: [string, string][] = [
    ["bad", 'cannot parse "bad" as "2006"'],
    ["", 'cannot parse "" as "2006"'],
    ["2024/01/02T03:04:05Z", 'cannot parse "/01/02T03:04:05Z" as "-"'],
    ["2024-1-02T03:04:05Z", 'cannot parse "1-02T03:04:05Z" as "01"'],
    ["2024-01-02 03:04:05Z", 'cannot parse " 03:04:05Z" as "T"'],
    ["2024-01-02T03:04:05", 'cannot parse "" as "Z07:00"'],
    ["2024-01-02T03:04:05z", 'cannot parse "z" as "Z07:00"'],
    ["2024-01-02T03:04:05+0100", 'cannot parse "+0100" as "Z07:00"'],
  ];
  for (const [value, tail] of cases) {
    assert.equal(
      goTimeParseError(value, GO_RFC3339),
      `parsing time "${value}" as "2006-01-02T15:04:05Z07:00": ${tail}`,
    );
  }
  assert.equal(
    goTimeParseError("2024-13-01T00:00:00Z", GO_RFC3339),
    'parsing time "2024-13-01T00:00:00Z": month out of range',
  );
  assert.equal(
    goTimeParseError("2023-02-29T00:00:00Z", GO_RFC3339),
    'parsing time "2023-02-29T00:00:00Z": day out of range',
  );
  assert.equal(
    goTimeParseError("2024-01-02T24:00:00Z", GO_RFC3339),
    'parsing time "2024-01-02T24:00:00Z": hour out of range',
  );
  assert.equal(
    goTimeParseError("2024-01-02T03:04:05Zjunk", GO_RFC3339),
    'parsing time "2024-01-02T03:04:05Zjunk": extra text: "junk"',
  );
  assert.equal(
    goTimeParseError('2024-01-02T03:04:05Z"\u00e9', GO_RFC3339),
    'parsing time "2024-01-02T03:04:05Z\\"\\xc3\\xa9": extra text: "\\"\\xc3\\xa9"',
  );
});

Deno.test("metav1.MicroTime needs exactly six fractional digits", () => {
  assert.equal(
    goTimeParseError("2024-01-02T03:04:05.123456Z", GO_RFC3339_MICRO),
    undefined,
  );
  assert.equal(
    goTimeParseError("2024-01-02T03:04:05.000001+05:30", GO_RFC3339_MICRO),
    undefined,
  );
  const layout = "2006-01-02T15:04:05.000000Z07:00";
  const cases: [string, string][] = [
    ["2024-01-02T03:04:05Z", 'cannot parse "Z" as ".000000"'],
    ["2024-01-02T03:04:05.123Z", 'cannot parse ".123Z" as ".000000"'],
    ["2024-01-02T03:04:05.1234567Z", 'cannot parse "7Z" as "Z07:00"'],
  ];
  for (const [value, tail] of cases) {
    assert.equal(
      goTimeParseError(value, GO_RFC3339_MICRO),
      `parsing time "${value}" as "${layout}": ${tail}`,
    );
  }
});
