/**
 * Per-row results kept as sums over blocks of rows: what a document stores of a model's scores on a
 * split (at most MAX_BLOCKS numbers), and the mean and between-block variance read back from them.
 * Rows in time order are blocked consecutively (and merged into runs long enough to carry their
 * autocorrelation); others round-robin.
 */
/**
 * A model's per-row results on the test split, summed over blocks of rows. `sums[b]` adds the rows'
 * contributions to the metric's mean: 1 per correct row (accuracy), the squared error (mse, rmse), the
 * absolute error (mae), the loss (loss) — per row, averaged over the target's dimensions.
 *  - `order` "time": blocks hold consecutive rows in time; "random": block b holds rows b, b + B, …
 *  - `size`: rows per block (1: every row its own block).
 */
export interface RowBlocks {
  order: 'time' | 'random';
  size: number;
  sums: number[];
}

/** The most blocks a document keeps per model: enough for a variance (127 degrees of freedom), small to store. */
export const MAX_BLOCKS = 128;

/** Per-row contributions into blocks (see RowBlocks). */
export function toBlocks(rowValues: ArrayLike<number>, order: RowBlocks['order'], maxBlocks = MAX_BLOCKS): RowBlocks {
  const n = rowValues.length;
  const B = Math.min(n, maxBlocks);
  const size = Math.ceil(n / Math.max(B, 1));
  const blocks = order === 'time' ? Math.ceil(n / size) : B;
  const sums = new Array<number>(blocks).fill(0);
  for (let i = 0; i < n; i++) sums[order === 'time' ? Math.floor(i / size) : i % blocks]! += rowValues[i]!;
  return { order, size, sums: sums.map((s) => Number(s.toPrecision(9))) };
}

/** Rows in each block of n rows laid out as `blocks` says. */
export function blockRows(blocks: Pick<RowBlocks, 'order' | 'size' | 'sums'>, n: number): number[] {
  const B = blocks.sums.length;
  if (blocks.order === 'time') return blocks.sums.map((_, b) => Math.max(0, Math.min(blocks.size, n - b * blocks.size)));
  return blocks.sums.map((_, b) => (b < n ? Math.floor((n - 1 - b) / B) + 1 : 0));
}

/** Blocks in time order merged into runs of at least ∛n rows, so that correlated neighbours stay together. */
export function mergeForTime(sums: number[], rows: number[], n: number): { sums: number[]; rows: number[] } {
  const want = Math.ceil(Math.cbrt(n));
  if (rows.every((r) => r >= want)) return { sums, rows };
  const outS: number[] = [];
  const outR: number[] = [];
  let s = 0;
  let r = 0;
  for (let b = 0; b < sums.length; b++) {
    s += sums[b]!;
    r += rows[b]!;
    if (r >= want) {
      outS.push(s);
      outR.push(r);
      s = 0;
      r = 0;
    }
  }
  if (r > 0) {
    // A short tail joins the last run rather than standing as a block of its own.
    if (outS.length > 0) {
      outS[outS.length - 1]! += s;
      outR[outR.length - 1]! += r;
    } else {
      outS.push(s);
      outR.push(r);
    }
  }
  return { sums: outS, rows: outR };
}

/**
 * The mean per row, its between-block variance (see the module comment), and the degrees of freedom
 * that variance is worth. For normal block values those are B − 1; heavy tails make a sample variance
 * less sure (a split of 50 rows that missed the rare large errors has a small mean *and* a small
 * variance), so the degrees of freedom follow the blocks' kurtosis κ: a sample variance's variance is
 * σ⁴ (κ/B − (B − 3)/(B(B − 1))) (Cramér, Mathematical Methods of Statistics, 1946, §27.4), and
 * matching it to a scaled χ² (Satterthwaite 1946) gives ν = 2 / (κ/B − (B − 3)/(B(B − 1))), which is
 * B − 1 at κ = 3; ν is kept within [1, B − 1].
 */
export function blockMean(sums: readonly number[], rows: readonly number[]): { mean: number; variance: number; blocks: number; df: number } {
  const n = rows.reduce((a, b) => a + b, 0);
  const total = sums.reduce((a, b) => a + b, 0);
  const m = n > 0 ? total / n : Number.NaN;
  const B = sums.length;
  if (B < 2) return { mean: m, variance: 0, blocks: B, df: 0 };
  let ss = 0;
  let s4 = 0;
  for (let b = 0; b < B; b++) {
    const e2 = (sums[b]! - m * rows[b]!) ** 2;
    ss += e2;
    s4 += e2 * e2;
  }
  const kurtosis = ss > 0 ? (B * s4) / (ss * ss) : 3;
  const spread = kurtosis / B - (B - 3) / (B * (B - 1));
  const df = spread > 0 ? Math.min(B - 1, Math.max(1, 2 / spread)) : B - 1;
  return { mean: m, variance: (B / (B - 1)) * (ss / (n * n)), blocks: B, df };
}
