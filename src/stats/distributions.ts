/**
 * The distributions layerbench's statistics stand on — Student's t and the standard normal, their
 * CDFs and quantiles — taken from stdlib's tested implementations (@stdlib/stats-base-dists-*), not
 * written here. Thin wrappers add what stdlib leaves to the caller: infinite degrees of freedom
 * (Welch's test on two zero-spread samples) and a two-sided tail that keeps tiny p-values precise.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantileStd from '@stdlib/stats-base-dists-t-quantile';
import normalCdfStd from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';

/** The standard normal CDF. */
export function normalCdf(z: number): number {
  return normalCdfStd(z, 0, 1);
}

/** The standard normal quantile. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`);
  return normalQuantileStd(p, 0, 1);
}

function checkDf(df: number): void {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be Infinity: the normal). */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  return df === Infinity ? normalCdf(t) : tCdf(t, df);
}

/** Two-sided tail probability P(|T| ≥ |t|), from the lower tail so tiny p-values keep their precision. */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  return Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
}

/** The p-quantile of Student's t with `df` degrees of freedom (df may be fractional or Infinity). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  checkDf(df);
  return df === Infinity ? normalQuantile(p) : tQuantileStd(p, df);
}
