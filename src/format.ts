/**
 * How layerbench writes numbers, in one place, so that every surface (the CLI table, leaderboard.md
 * and .csv headers, report.html/.md, the history page, the Keras comment) means the same thing:
 *
 * - **"±" is always the standard error of the mean over a candidate's trials** (folds × repeats):
 *   s · √(1/n + n_val/n_train) with the sample standard deviation s (Nadeau–Bengio: trials share training rows, so s / √n would understate it). Every header that shows "±" says so
 *   ({@link PLUS_MINUS}). A 95 % interval, where one is shown, is written as an interval
 *   ("0.83 – 0.85"), never with "±".
 * - **Scores have three significant digits** (0.72263 ± 0.01235 → "0.723 ± 0.012"), the standard
 *   error two; a mean is never written finer than its standard error's second significant digit nor
 *   coarser than its first (0.99012 ± 0.00012 → "0.9901 ± 0.00012"); the interval's ends likewise.
 * - Without an uncertainty (one trial, or a baseline) a value gets three significant digits.
 * - Counts and parameters have thousands separators (`1,441`).
 * - Dollars figures that are read together — two in a sentence, a column — share their decimals:
 *   cents, or as many decimals as the smallest needs for two significant digits ({@link fmtUsds}).
 * - Regression and forecast errors carry the dataset's unit (`dataset.unit`); mse its square.
 */
import type { MetricName } from './sweep/schema.js';

/** What "±" means, for headers and notes. */
export const PLUS_MINUS = 'mean ± standard error';
/** The sentence every table with "±" carries. */
export const PLUS_MINUS_NOTE = '± is the standard error of the mean over the trials (folds × repeats), Nadeau–Bengio corrected for their shared training rows';

/** The power of ten to round to for an uncertainty `u`: its second significant digit. Null without one. */
export function roundingExponent(u: number | null | undefined): number | null {
  if (u === null || u === undefined || !Number.isFinite(u) || u <= 0) return null;
  return Math.floor(Math.log10(u)) - 1;
}

/** `x` rounded to 10^exponent, written without exponent notation and without "-0". */
function atExponent(x: number, exponent: number): string {
  if (exponent >= 0) {
    const step = 10 ** exponent;
    const r = Math.round(x / step) * step;
    return grouped(r === 0 ? 0 : r);
  }
  const s = x.toFixed(Math.min(20, -exponent));
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

function grouped(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/**
 * A value with no uncertainty to round to: three significant digits (`0.723`, `1.36`, `12.3`),
 * grouped integers from 1,000, exponent notation below 1e-4.
 */
export function fmtValue(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const ax = Math.abs(x);
  if (ax === 0) return '0';
  if (ax >= 1e3) return grouped(x);
  if (ax < 1e-4) return x.toExponential(2);
  return x.toPrecision(3);
}

/**
 * A score with an uncertainty: three significant digits, but never finer than the uncertainty's second
 * significant digit nor coarser than its first (three significant digits without one).
 */
export function fmtRounded(x: number | null | undefined, uncertainty: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x) || !Number.isFinite(x)) return fmtValue(x);
  const finest = roundingExponent(uncertainty);
  if (finest === null) return fmtValue(x);
  const threeDigits = x === 0 ? finest : Math.floor(Math.log10(Math.abs(x))) - 2;
  return atExponent(x, Math.min(Math.max(threeDigits, finest), finest + 1));
}

/** An uncertainty itself, to two significant digits (`0.012`, `0.0035`, `1.4`, `120`). */
export function fmtUncertainty(u: number | null | undefined): string {
  if (u === null || u === undefined || Number.isNaN(u)) return '—';
  if (u === 0) return '0';
  return atExponent(u, roundingExponent(u)!);
}

/** `12.3 mpg`; the value alone when there is no unit. */
export function withUnit(text: string, unit: string | null | undefined): string {
  return unit ? `${text} ${unit}` : text;
}

/**
 * "mean ± standard error" (`0.723 ± 0.012`), rounded as fmtRounded says. With no standard error
 * (one trial) the mean alone, three significant digits; with a standard error of 0, `± 0`.
 */
export function fmtMeanSe(mean: number, se: number | null | undefined, unit?: string | null): string {
  if (se === null || se === undefined) return withUnit(fmtValue(mean), unit);
  if (se === 0) return withUnit(`${fmtValue(mean)} ± 0`, unit);
  return withUnit(`${fmtRounded(mean, se)} ± ${fmtUncertainty(se)}`, unit);
}

/** A 95 % interval `0.83 – 0.85`, its ends rounded like the mean it belongs to. */
export function fmtInterval(ci: { lo: number; hi: number } | readonly [number, number] | null | undefined, se: number | null | undefined, unit?: string | null): string {
  if (!ci) return 'no interval';
  const [lo, hi] = 'lo' in ci ? [ci.lo, ci.hi] : ci;
  return withUnit(`${fmtRounded(lo, se)} – ${fmtRounded(hi, se)}`, unit);
}

/**
 * Two values that are compared in a sentence (`0.851 → 0.843`): three significant digits, more when
 * that is what it takes for them to read differently (at most six).
 */
export function fmtPair(a: number, b: number, unit?: string | null): [string, string] {
  let pa = fmtSig(a, 3);
  let pb = fmtSig(b, 3);
  for (let digits = 4; digits <= 6 && pa === pb && a !== b; digits++) {
    pa = fmtSig(a, digits);
    pb = fmtSig(b, digits);
  }
  return [withUnit(pa, unit), withUnit(pb, unit)];
}

function fmtSig(x: number, digits: number): string {
  if (!Number.isFinite(x)) return fmtValue(x);
  const ax = Math.abs(x);
  if (ax === 0) return '0';
  if (ax >= 10 ** digits) return grouped(x);
  if (ax < 1e-4) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

/** The unit a metric is measured in: the data's unit for rmse and mae, its square for mse, none otherwise. */
export function metricUnit(metric: MetricName | string, unit: string | null | undefined): string | null {
  if (!unit) return null;
  if (metric === 'rmse' || metric === 'mae') return unit;
  if (metric === 'mse') return `${unit}²`;
  return null;
}

/** General-purpose number for prose: three decimals under 10, fewer above, grouped from 1,000. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const ax = Math.abs(x);
  if (ax >= 1000) return grouped(x);
  if (ax >= 100) return x.toFixed(1);
  if (ax >= 10) return x.toFixed(2);
  if (ax === 0) return '0';
  const decimals = Math.min(8, Math.max(3, -Math.floor(Math.log10(ax))));
  return x.toFixed(decimals);
}

/** Seconds with one decimal (`12.3`), grouped above a thousand. */
export function fmtSeconds(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x >= 1000 ? grouped(x) : x.toFixed(1);
}

/** A p-value: three decimals, `< 0.001` below that. */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** `p = 0.042` or `p < 0.001`. */
export function pEquals(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

export function fmtInt(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : grouped(x);
}

/** A duration in milliseconds, three significant digits without trailing zeros: `0.01`, `0.0123`, `12.3`. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return String(Number(ms.toPrecision(3)));
}

/** Bytes in SI units, three significant digits: `772 B`, `5.77 kB`, `1.20 MB`. */
export function fmtBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toPrecision(3)} ${units[i]}`;
}

/** `33×` or `2.5×`. */
export function fmtRatio(r: number): string {
  return r >= 10 ? `${Math.round(r)}×` : `${Number(r.toFixed(1))}×`;
}

/** A fraction as a percentage with one decimal at most: `57.4 %`, `100 %`. */
export function fmtPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))} %`;
}

/** `1 candidate`, `3 candidates`; `plural` for irregular nouns. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${fmtInt(n)} ${n === 1 ? noun : plural}`;
}

/**
 * Decimals for dollar figures read together: cents when the smallest non-zero one is ten cents or more,
 * else as many as it needs for two significant digits ($0.0066 → 4), so that no figure among them is
 * rounded coarser than another ("$0.02 of about $0.0066" read as if 0.02 were exact).
 */
export function usdDecimals(...xs: number[]): number {
  const nonZero = xs.filter((x) => Number.isFinite(x) && x !== 0).map(Math.abs);
  if (nonZero.length === 0) return 2;
  const smallest = Math.min(...nonZero);
  return smallest >= 0.1 ? 2 : Math.min(12, 1 - Math.floor(Math.log10(smallest)));
}

/** Dollars without the sign (`0.0066`, `1.25`, `1,204.50`): `decimals` shared with the figures it is read with (usdDecimals); 0 is `0`. */
export function fmtUsd(x: number, decimals = usdDecimals(x)): string {
  if (!Number.isFinite(x)) return fmtValue(x);
  if (x === 0) return '0';
  return x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Dollar figures of one sentence at one precision: `[0.0155, 0.0066]` → `["0.0155", "0.0066"]`, never `["0.02", "0.0066"]`. */
export function fmtUsds(xs: readonly number[]): string[] {
  const d = usdDecimals(...xs);
  return xs.map((x) => fmtUsd(x, d));
}
