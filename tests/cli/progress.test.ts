/**
 * The progress line and the summary line (lib/cli/progress.ts) and their
 * drawing (progress_display.ts): every field, thousands separators, the
 * in-flight count, `\r` + the line + clear-to-end-of-line, cut to the
 * terminal's width, cleared before the summary.
 */
import assert from "node:assert/strict";
import { count, formatProgress, formatSummary, ProgressDisplay } from "../../lib/cli/mod.ts";

Deno.test("the progress line shows acknowledged records and MiB, rates, in flight, buffer, errors", () => {
  assert.equal(
    formatProgress({
      read: 1_234_567,
      acked: 1_200_000,
      ackedBytes: 120 * 1048576,
      errors: 1,
      recordsPerSec: 312_345.6,
      bytesPerSec: 29.75 * 1048576,
      bufferUsed: 3 * 1048576,
      bufferMemory: 32 * 1048576,
    }),
    "kafkats: 1,200,000 acked (120.0 MiB), 312,346 records/s, 29.8 MiB/s, 34,566 in flight, buffer 3.0/32.0 MiB, 1 error",
  );
  assert.equal(count(0), "0");
  assert.equal(count(999), "999");
  assert.equal(count(1000), "1,000");
  assert.equal(count(1234567890), "1,234,567,890");
});

Deno.test("the summary line: all acknowledged, some not, interrupted", () => {
  assert.equal(
    formatSummary({
      read: 1_000_000,
      acked: 1_000_000,
      ackedBytes: 100_000_000,
      elapsedMs: 3210,
      interrupted: false,
    }),
    "kafkats: 1,000,000 records acknowledged (95.4 MiB) in 3.21 s: 311,526 records/s, 29.7 MiB/s",
  );
  assert.equal(
    formatSummary({ read: 1, acked: 1, ackedBytes: 5, elapsedMs: 40, interrupted: false }),
    "kafkats: 1 record acknowledged (0.0 MiB) in 0.04 s: 25 records/s, 0.0 MiB/s",
  );
  assert.equal(
    formatSummary({ read: 15, acked: 12, ackedBytes: 1200, elapsedMs: 10400, interrupted: false }),
    "kafkats: 12 of 15 records acknowledged (0.0 MiB) in 10.4 s: 1 records/s, 0.0 MiB/s; 3 not acknowledged",
  );
  assert.equal(
    formatSummary({ read: 1500, acked: 1500, ackedBytes: 0, elapsedMs: 2000, interrupted: true }),
    "kafkats: interrupted: 1,500 records acknowledged (0.0 MiB) in 2.00 s: 750 records/s, 0.0 MiB/s",
  );
  assert.equal(
    formatSummary({ read: 0, acked: 0, ackedBytes: 0, elapsedMs: 0, interrupted: false }),
    "kafkats: 0 records acknowledged (0.0 MiB) in 0.00 s: 0 records/s, 0.0 MiB/s",
  );
});

Deno.test("drawing: \\r, the line, clear to end of line; cut to the terminal's width; cleared at the end", () => {
  const written: string[] = [];
  let columns: number | undefined = 200;
  let acked = 0;
  const display = new ProgressDisplay(
    { writeStderr: (t) => written.push(t), stderrColumns: () => columns },
    () => ({
      read: 100,
      readBytes: 10_000,
      acked,
      errors: 0,
      bufferUsed: 1048576,
      bufferMemory: 33554432,
    }),
    60_000,
  );
  display.start();
  acked = 50;
  display.draw();
  assert.equal(written.length, 1);
  assert.match(
    written[0],
    // deno-lint-ignore no-control-regex -- the terminal's escape code is what is tested
    /^\rkafkats: 50 acked \(0\.0 MiB\), [\d,]+ records\/s, [\d.]+ MiB\/s, 50 in flight, buffer 1\.0\/32\.0 MiB, 0 errors\x1b\[K$/,
  );
  columns = 30;
  display.draw();
  assert.equal(written[1], "\rkafkats: 50 acked (0.0 MiB), \x1b[K", "29 columns: never wraps");
  columns = undefined;
  display.draw();
  assert.ok(written[2].length > 60);
  display.stop();
  assert.equal(written.at(-1), "\r\x1b[K");
  display.clear();
  assert.equal(written.length, 4, "nothing to clear twice");
});
