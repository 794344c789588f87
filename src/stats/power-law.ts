/**
 * A learning curve's trend: the error as a power law of the training rows,
 *
 *     err(n) = a + b · (n / n₀)^−c,   a ≥ 0, b ≥ 0, 0 < c ≤ 2,
 *
 * the form learning curves of neural networks follow over a wide range of sizes (Hestness et al., "Deep
 * Learning Scaling is Predictable, Empirically", 2017; Cortes et al., NIPS 1993, fit the same three
 * parameters). `a` is the error no amount of such data removes, `b` and `c` how fast the rest falls.
 * n₀ is the largest n fitted, so b is the reducible error at the full data.
 *
 * The fit is weighted least squares (weights 1/se² of each point, so a noisy point counts less): for
 * every exponent c on a grid of 200 values the best a and b are a linear least-squares problem, solved
 * exactly under their bounds; the c with the smallest weighted squared error wins. With b ≥ 0 the fitted
 * error never rises with more rows, so an extrapolation is a gain of 0 or more — it is a trend drawn
 * through a few noisy points, not a measurement: the verdict whether more data helps is the paired test
 * on the measured points (src/results/learning-curve.ts), never the fit.
 */

export interface CurvePoint {
  /** Training rows. */
  n: number;
  /** The error at n (lower is better: 1 − accuracy, or the rmse itself). */
  err: number;
  /** Weight: 1 / variance of err (equal weights when unknown). */
  weight: number;
}

export interface PowerLawFit {
  a: number;
  b: number;
  c: number;
  /** The reference rows n₀ (the largest fitted). */
  n0: number;
  /** Weighted sum of squared residuals. */
  sse: number;
  /** Points fitted. */
  points: number;
}

/** The fitted error at n rows. */
export function powerLawAt(fit: PowerLawFit, n: number): number {
  return fit.a + fit.b * (n / fit.n0) ** -fit.c;
}

const EXPONENTS = Array.from({ length: 200 }, (_, i) => 0.01 * (i + 1));

/** Weighted least squares of err = a + b·x under a ≥ 0, b ≥ 0 (x = (n/n₀)^−c). */
function bounded(xs: number[], ys: number[], ws: number[]): { a: number; b: number } {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i]!;
    const x = xs[i]!;
    const y = ys[i]!;
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  const det = sw * sxx - sx * sx;
  if (det > 1e-12 * sw * sxx) {
    const b = (sw * sxy - sx * sy) / det;
    const a = (sy - b * sx) / sw;
    if (a >= 0 && b >= 0) return { a, b };
  }
  // On a bound: the better of b = 0 (flat at the weighted mean) and a = 0 (through the origin).
  const flat = { a: Math.max(0, sy / sw), b: 0 };
  const origin = { a: 0, b: sxx > 0 ? Math.max(0, sxy / sxx) : 0 };
  return sse(xs, ys, ws, flat) <= sse(xs, ys, ws, origin) ? flat : origin;
}

function sse(xs: number[], ys: number[], ws: number[], p: { a: number; b: number }): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += ws[i]! * (ys[i]! - p.a - p.b * xs[i]!) ** 2;
  return s;
}

/**
 * The power law through the points (see the module comment); null with fewer than three distinct row
 * counts (three parameters need three points) or any non-finite value.
 */
export function fitPowerLaw(points: readonly CurvePoint[]): PowerLawFit | null {
  const usable = points.filter((p) => p.n > 0 && Number.isFinite(p.err) && Number.isFinite(p.weight) && p.weight > 0);
  if (usable.length !== points.length || new Set(usable.map((p) => p.n)).size < 3) return null;
  const n0 = Math.max(...usable.map((p) => p.n));
  // Weights relative to their mean, so the fit does not depend on their scale.
  const meanWeight = usable.reduce((s, p) => s + p.weight, 0) / usable.length;
  const ws = usable.map((p) => p.weight / meanWeight);
  const ys = usable.map((p) => p.err);
  let best: PowerLawFit | null = null;
  for (const c of EXPONENTS) {
    const xs = usable.map((p) => (p.n / n0) ** -c);
    const ab = bounded(xs, ys, ws);
    const s = sse(xs, ys, ws, ab);
    if (!best || s < best.sse - 1e-15) best = { ...ab, c, n0, sse: s, points: usable.length };
  }
  return best;
}
