/**
 * SampledStat against what Java's metrics give for the same inputs
 * (`SampledStat`, `Rate`, `Avg`, `Max` with `metrics.sample.window.ms`
 * 30000 and `metrics.num.samples` 2): a rate divides by the time since the
 * oldest sample began plus the whole windows missing (one, with two
 * samples), samples roll over after a window, and values older than both
 * windows stop counting.
 */
import assert from "node:assert/strict";
import { SampledStat } from "../../lib/producer/sampled_stat.ts";

const T0 = 1_700_000_000_000;

Deno.test("sampled stat: a new one reads 0 everywhere", () => {
  const stat = new SampledStat();
  assert.equal(stat.rate(T0), 0);
  assert.equal(stat.countRate(T0), 0);
  assert.equal(stat.avg(T0), 0);
  assert.equal(stat.max(T0), 0);
});

Deno.test("sampled stat: the rate adds a window (30 s) while less than one passed, as Java's Rate", () => {
  const stat = new SampledStat();
  stat.record(300, T0);
  // 1 s in: 300 / (1 s + 30 s)
  assert.equal(stat.rate(T0 + 1000), 300 / 31);
  stat.record(300, T0 + 20_000);
  assert.equal(stat.rate(T0 + 20_000), 600 / 50);
  assert.equal(stat.countRate(T0 + 20_000), 2 / 50);
  // 45 s in, one full window elapsed: 600 / 45 s
  assert.equal(stat.rate(T0 + 45_000), 600 / 45);
});

Deno.test("sampled stat: a second sample starts after 30 s, the first is reused after 60 s", () => {
  const stat = new SampledStat();
  stat.record(10, T0);
  stat.record(20, T0 + 30_000); // second sample
  assert.equal(stat.avg(T0 + 30_000), 15);
  assert.equal(stat.max(T0 + 30_000), 20);
  // The first sample (started at T0) expires once 60 s old: only 20 is left.
  assert.equal(stat.avg(T0 + 60_000), 20);
  stat.record(4, T0 + 61_000); // the second sample is 31 s old: the first slot is reused
  assert.equal(stat.avg(T0 + 61_000), 12);
  assert.equal(stat.max(T0 + 61_000), 20);
  // Both gone after a quiet minute and a half.
  assert.equal(stat.avg(T0 + 130_000), 0);
  assert.equal(stat.rate(T0 + 130_000), 0);
});

Deno.test("sampled stat: custom windows, and avg/max over values recorded", () => {
  const stat = new SampledStat(1000, 3);
  for (let i = 1; i <= 5; i++) stat.record(i, T0 + i * 100);
  assert.equal(stat.avg(T0 + 600), 3);
  assert.equal(stat.max(T0 + 600), 5);
  // 15 over 500 ms since the oldest sample began plus the 2 windows missing
  assert.equal(stat.rate(T0 + 600), 15 / 2.5);
});
