/**
 * Windowed statistics as the Java client's metrics keep them
 * (`org.apache.kafka.common.metrics.stats.SampledStat`): values go into the
 * current sample until it is `windowMs` old, then into the next, the
 * oldest reused; samples older than all of them together are reset before
 * each reading. With Java's defaults (`metrics.sample.window.ms` 30000,
 * `metrics.num.samples` 2) a reading covers the last 30 to 60 seconds.
 *
 * One {@link SampledStat} gives the three readings Java's `Rate`, `Avg` and
 * `Max` would, from the same samples.
 *
 * @module
 */

/** Java's `metrics.sample.window.ms` default. */
export const SAMPLE_WINDOW_MS = 30000;
/** Java's `metrics.num.samples` default. */
export const NUM_SAMPLES = 2;

/** One sample: the values recorded from `startMs` on. */
interface Sample {
  startMs: number;
  sum: number;
  count: number;
  max: number;
}

/** Sum, count and maximum of recent values, in samples of `windowMs`. */
export class SampledStat {
  readonly #windowMs: number;
  readonly #numSamples: number;
  readonly #samples: Sample[] = [];
  #current = 0;

  /** A statistic with `numSamples` samples of `windowMs` each. */
  constructor(windowMs: number = SAMPLE_WINDOW_MS, numSamples: number = NUM_SAMPLES) {
    this.#windowMs = windowMs;
    this.#numSamples = numSamples;
  }

  /** Adds `value` at `nowMs` (epoch ms). */
  record(value: number, nowMs: number): void {
    let sample = this.#samples[this.#current];
    if (sample === undefined) {
      sample = { startMs: nowMs, sum: 0, count: 0, max: -Infinity };
      this.#samples.push(sample);
    } else if (nowMs - sample.startMs >= this.#windowMs) {
      this.#current = (this.#current + 1) % this.#numSamples;
      sample = this.#samples[this.#current];
      if (sample === undefined) {
        sample = { startMs: nowMs, sum: 0, count: 0, max: -Infinity };
        this.#samples.push(sample);
      } else {
        reset(sample, nowMs);
      }
    }
    sample.sum += value;
    sample.count++;
    if (value > sample.max) sample.max = value;
  }

  /**
   * Java's `Rate` (per second): the sum of the samples divided by the time
   * since the oldest began, plus the whole windows it falls short of
   * `numSamples - 1` (with two samples: plus 30 s during the first 30 s, so
   * a new statistic reads low rather than wild).
   */
  rate(nowMs: number): number {
    return this.#sum(nowMs) / (this.#windowSizeMs(nowMs) / 1000);
  }

  /** As {@link SampledStat.rate}, of the number of values recorded (Java's `Rate` of a `WindowedCount`). */
  countRate(nowMs: number): number {
    return this.#count(nowMs) / (this.#windowSizeMs(nowMs) / 1000);
  }

  /** Java's `Avg`: mean of the values in the samples; 0 when there is none (Java: NaN). */
  avg(nowMs: number): number {
    this.#purge(nowMs);
    let sum = 0;
    let count = 0;
    for (const s of this.#samples) {
      sum += s.sum;
      count += s.count;
    }
    return count === 0 ? 0 : sum / count;
  }

  /** Java's `Max`: the largest value in the samples; 0 when there is none (Java: NaN). */
  max(nowMs: number): number {
    this.#purge(nowMs);
    let max = -Infinity;
    for (const s of this.#samples) if (s.count > 0 && s.max > max) max = s.max;
    return max === -Infinity ? 0 : max;
  }

  #sum(nowMs: number): number {
    this.#purge(nowMs);
    let sum = 0;
    for (const s of this.#samples) sum += s.sum;
    return sum;
  }

  #count(nowMs: number): number {
    this.#purge(nowMs);
    let count = 0;
    for (const s of this.#samples) count += s.count;
    return count;
  }

  /** Java's `Rate.windowSize`: ms since the oldest sample began, plus the whole windows short of `numSamples - 1`; at least 1. */
  #windowSizeMs(nowMs: number): number {
    this.#purge(nowMs);
    let oldest = nowMs;
    for (const s of this.#samples) if (s.startMs < oldest) oldest = s.startMs;
    let elapsed = nowMs - oldest;
    const fullWindows = Math.floor(elapsed / this.#windowMs);
    const minFullWindows = this.#numSamples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.#windowMs;
    return Math.max(elapsed, 1);
  }

  /** Resets the samples too old to count (Java's `purgeObsoleteSamples`). */
  #purge(nowMs: number): void {
    const expireAge = this.#numSamples * this.#windowMs;
    for (const s of this.#samples) if (nowMs - s.startMs >= expireAge) reset(s, nowMs);
  }
}

function reset(sample: Sample, nowMs: number): void {
  sample.startMs = nowMs;
  sample.sum = 0;
  sample.count = 0;
  sample.max = -Infinity;
}
