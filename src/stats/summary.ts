/**
 * A sample's mean, spread and plain Student-t interval, and the direction of a metric. The interval
 * here is the textbook one for independent values; a candidate's score over resampled trials needs the
 * corrected, range-respecting interval of intervals.ts instead.
 */
import { tQuantile } from './distributions.js';

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null when n < 2. */
  std: number | null;
  /** Standard error of the mean; null when n < 2. */
  se: number | null;
  /** The t quantile the interval used; null when n < 2. */
  tCritical: number | null;
  /** 95 % confidence interval of the mean; null when n < 2 (one value says nothing about spread). */
  ci: { lo: number; hi: number } | null;
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/**
 * Mean and population standard deviation (n in the denominator) of `count` values, `value(i)` each,
 * without overflow or underflow: values beyond 1e150 in magnitude (whose squares pass a double's
 * 1.8e308) or all below 1e-150 (whose squares vanish) are divided by the largest magnitude first, so
 * a column of 1e200s has its spread rather than Infinity, and one of 1e-160s not 0. Other values are
 * summed as they are, to the last bit as a plain two-pass computation.
 */
export function populationMeanStd(count: number, value: (i: number) => number): { mean: number; std: number } {
  if (count === 0) return { mean: 0, std: 0 };
  let largest = 0;
  for (let i = 0; i < count; i++) largest = Math.max(largest, Math.abs(value(i)));
  const scale = largest > 1e150 || (largest > 0 && largest < 1e-150) ? largest : 1;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += value(i) / scale;
  const m = sum / count;
  let ss = 0;
  for (let i = 0; i < count; i++) ss += (value(i) / scale - m) ** 2;
  return { mean: m * scale, std: Math.sqrt(ss / count) * scale };
}

/**
 * Sample variance (n − 1 in the denominator); 0 for fewer than two values, and exactly 0 for values
 * that are all the same (their floating-point mean can miss them by an ulp, which would leave a
 * "± 0.000000000000000039" of rounding noise).
 */
export function variance(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  let same = true;
  for (let i = 1; i < n && same; i++) same = values[i] === values[0];
  if (same) return 0;
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - m) ** 2;
  return ss / (n - 1);
}

/** Mean, standard deviation, standard error s / √n and the 95 % Student-t interval of a sample. */
export function summarize(values: readonly number[], level = 0.95): Summary {
  const n = values.length;
  if (n === 0) throw new RangeError('cannot summarise an empty sample');
  const m = mean(values);
  if (n < 2) return { n, mean: m, std: null, se: null, tCritical: null, ci: null };
  const std = Math.sqrt(variance(values));
  const se = std / Math.sqrt(n);
  const tCritical = tQuantile(1 - (1 - level) / 2, n - 1);
  return { n, mean: m, std, se, tCritical, ci: { lo: m - tCritical * se, hi: m + tCritical * se } };
}

/** "a is better than b" in the metric's direction. */
export function better(a: number, b: number, higherIsBetter: boolean): boolean {
  return higherIsBetter ? a > b : a < b;
}

/** Sort comparator: better values first, equal values 0. */
export function byValue(a: number, b: number, higherIsBetter: boolean): number {
  return a === b ? 0 : better(a, b, higherIsBetter) ? -1 : 1;
}
