/**
 * When trials share their validation rows — repeats over one split, as a holdout in time order gives
 * (the validation rows are the latest ones, every repeat) — the spread between those trials is
 * training noise only: the rows themselves are one sample, and its sampling error is in none of the
 * differences between trials. The Nadeau–Bengio correction does not reach it either (it corrects for
 * training sets that overlap, with validation sets that differ). This module supplies that missing
 * term from the per-row results each trial keeps (trials[].valBlocks, see intervals.ts RowBlocks):
 *
 *   for each group of trials over the same split, the between-block variance of the group's mean
 *   per-row score (or, for a comparison, of the per-row difference between two candidates on the same
 *   rows — the paired form, so rows both get right or wrong cancel, as in McNemar's test); averaged
 *   over G independent groups, Σ_g Var_g / G².
 *
 * It is added to the trials' variance only when some trials share a split (fewer distinct splits
 * than trials); with a split per trial (random repeats, folds) the trials' spread already holds the
 * rows' sampling error. Scores derived non-linearly from a per-row mean (rmse = √mse) use the delta
 * method.
 */
import { blockMean, blockRows, mergeForTime, type RowBlocks } from './blocks.js';
import type { ExtraVariance } from './intervals.js';

/** What this needs of a trial: its split, its validation rows, and their per-row results where kept. */
export interface BlockedPoint {
  split?: string;
  valRows?: number;
  blocks?: RowBlocks;
}

/** Trials grouped by split fingerprint; null when every trial has its own split (or fingerprints are missing). */
function groups<T extends { split?: string }>(items: readonly T[]): T[][] | null {
  if (items.some((p) => p.split === undefined)) return null;
  const by = new Map<string, T[]>();
  for (const p of items) by.set(p.split!, [...(by.get(p.split!) ?? []), p]);
  return by.size < items.length ? [...by.values()] : null;
}

/** The per-row mean of a group's averaged blocks and its between-block variance; null when blocks are missing or differ. */
function groupVariance(blocks: readonly RowBlocks[], rows: number): { mean: number; variance: number; df: number } | null {
  const first = blocks[0];
  if (!first || blocks.some((b) => b.order !== first.order || b.size !== first.size || b.sums.length !== first.sums.length)) return null;
  const sums = first.sums.map((_, i) => blocks.reduce((s, b) => s + b.sums[i]!, 0) / blocks.length);
  const counts = blockRows(first, rows);
  const merged = first.order === 'time' ? mergeForTime(sums, counts, rows) : { sums, rows: counts };
  const m = blockMean(merged.sums, merged.rows);
  return m.blocks < 2 ? null : { mean: m.mean, variance: m.variance, df: m.df };
}

/** From the variance of a per-row mean to the variance of the metric (rmse through the delta method). */
function onMetricScale(metric: string, variance: number, rowMean: number): number {
  return metric === 'rmse' ? (rowMean > 0 ? variance / (4 * rowMean) : 0) : variance;
}

/**
 * The sampling variance of a candidate's mean score that its trials' spread misses: 0 unless some
 * trials share a split and keep their per-row results (see the module comment).
 */
export function sharedRowsVariance(metric: string, points: readonly BlockedPoint[]): ExtraVariance {
  const none = { variance: 0, df: Number.POSITIVE_INFINITY };
  const gs = groups(points);
  if (!gs) return none;
  let total = 0;
  let df = Number.POSITIVE_INFINITY;
  for (const g of gs) {
    const v = groupVariance(
      g.flatMap((p) => (p.blocks ? [p.blocks] : [])),
      g[0]!.valRows ?? 0,
    );
    if (!v || g.some((p) => !p.blocks)) return none;
    total += onMetricScale(metric, v.variance, v.mean);
    df = Math.min(df, v.df);
  }
  return { variance: total / (gs.length * gs.length), df };
}

/**
 * The sampling variance of the mean difference a − b over paired trials that the trials' spread
 * misses: the per-row differences on the rows both were scored on (see the module comment).
 */
export function sharedRowsDifferenceVariance(metric: string, pairs: readonly [BlockedPoint, BlockedPoint][]): number {
  const gs = groups(pairs.map(([x, y]) => ({ split: x.split, x, y })));
  if (!gs) return 0;
  let total = 0;
  for (const g of gs) {
    const diffs: RowBlocks[] = [];
    let meanA = 0;
    let meanB = 0;
    for (const { x, y } of g) {
      if (!x.blocks || !y.blocks || x.blocks.sums.length !== y.blocks.sums.length) return 0;
      diffs.push({ ...x.blocks, sums: x.blocks.sums.map((s, i) => s - y.blocks!.sums[i]!) });
      const rows = x.valRows ?? 0;
      meanA += rows > 0 ? x.blocks.sums.reduce((a, b) => a + b, 0) / rows : 0;
      meanB += rows > 0 ? y.blocks.sums.reduce((a, b) => a + b, 0) / rows : 0;
    }
    const v = groupVariance(diffs, g[0]!.x.valRows ?? 0);
    if (!v) return 0;
    // rmse: d(√u) ≈ du / (2√ū), at the two candidates' mean squared error.
    const u = (meanA + meanB) / (2 * g.length);
    total += onMetricScale(metric, v.variance, u);
  }
  return total / (gs.length * gs.length);
}
