/**
 * A learning curve's splits (src/results/learning-curve.ts): each split of a repeat with only a
 * fraction of its training samples — the validation samples unchanged, so a curve point and the
 * candidate's own result are scored on the same rows and compare trial by trial.
 *
 *  - Which samples: in time order the latest ones of the training block (the gap to the validation
 *    rows stays what it is); at random a seeded random subset, per class for classification (each
 *    class keeps its share). Smaller fractions are subsets of larger ones (prefixes of one order), so
 *    the curve adds rows rather than swapping them.
 *  - At least 2 samples are kept, and at least one of each class the training block has.
 *  - The preprocessing is fitted on the kept samples only, like any split's on its training samples.
 *  - No test split: the curve is about validation scores; the held-out test rows are not scored.
 *  - `splitId` is the full split's fingerprint: the same validation rows, so the trials pair with the
 *    candidate's own trials of that (repeat, fold) (src/stats/compare.ts pairTrials).
 */
import { rng, shuffle } from '../random.js';
import type { EvaluationSpec } from '../sweep/schema.js';
import type { ParsedDataset } from './dataset.js';
import { dataLayout, foldIndices, materialise, splitId, splitOrder, splitSeed } from './split.js';
import type { SplitData } from './types.js';

/** The kept training samples of a fold (see the module comment). */
export function subsampleIndices(parsed: ParsedDataset, train: Int32Array, fraction: number, inTime: boolean, seed: number): Int32Array {
  const n = train.length;
  const keep = Math.min(n, Math.max(2, Math.round(n * fraction)));
  if (keep >= n) return train;
  if (inTime) return train.slice(n - keep);
  const random = rng(seed);
  if (parsed.kind === 'series' || !(parsed.task === 'binary' || parsed.task === 'multiclass')) {
    return Int32Array.from(shuffle(Array.from(train), random).slice(0, keep)).sort();
  }
  const groups = new Map<number, number[]>();
  for (const i of train) {
    const c = parsed.y[i]!;
    groups.set(c, [...(groups.get(c) ?? []), i]);
  }
  const kept: number[] = [];
  for (const [, g] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    kept.push(...shuffle(g, random).slice(0, Math.max(1, Math.round(g.length * fraction))));
  }
  return Int32Array.from(kept).sort();
}

/** One SplitData per fold of the repeat, each on `fraction` of its training samples (see the module comment). */
export function subsampleSplits(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number, fraction: number): SplitData[] {
  const { split, layout } = dataLayout(parsed, evaluation, seed);
  const inTime = splitOrder(parsed, evaluation).kind === 'time';
  return foldIndices(parsed, evaluation, seed, repeat).map((fold, i) => {
    const train = subsampleIndices(parsed, fold.train, fraction, inTime, splitSeed(seed, repeat) ^ (i * 0x9e3779b1));
    const { test: _test, ...data } = materialise(parsed, { train, val: fold.val }, { layout });
    return { fold: i, repeat, splitId: splitId(fold, split.test), testInTime: inTime, ...data };
  });
}
