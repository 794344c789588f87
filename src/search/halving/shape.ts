/**
 * The shape of a halving or Hyperband search, from numbers only: its rounds and their epoch budgets,
 * its brackets, what the first round costs, what a spec's numbers leave possible, and the schedule
 * `layerbench plan` shows (see ./strategy.ts for the method as a whole).
 *
 * With R = training.epochs, η = search.eta and N candidates there are s + 1 rounds,
 * s = min(⌊log_η N⌋, ⌊log_η (R / r)⌋), where r = search.minEpochs (default: R / η^⌊log_η N⌋, at least
 * 1), and b_i = max(r, round(R · η^(i − s))), so b_s = R and each budget is η times the one before
 * (Jamieson & Talwalkar, AISTATS 2016). Hyperband (Li et al., JMLR 18, 2018) splits the grid into
 * s + 1 brackets in the proportions n_j ∝ ⌈(s + 1) / (s − j + 1) · η^(s − j)⌉; bracket j joins at round j.
 */
import { trialsPerCandidate, type SweepSpec } from '../../sweep/schema.js';
import type { SearchProblem } from '../../sweep/search-rules.js';
import type { ScheduledRound } from '../strategy.js';

export const DEFAULT_ETA = 3;

/**
 * More rounds than any valid sweep has (epochs ≤ 10,000 and candidates ≤ 10,000 give at most 13 with
 * η = 2): floorLog never counts past it, so no input — an infinite ratio from a zero budget, a huge
 * value — can make it loop for ever.
 */
export const MAX_ROUNDS = 64;

/** The largest k ≥ 0 with η^k ≤ x (1e-9 of slack for floating point), at most MAX_ROUNDS. */
export function floorLog(x: number, eta: number): number {
  if (!(eta >= 2) || !(x >= eta)) return 0;
  let k = 0;
  while (k < MAX_ROUNDS && eta ** (k + 1) <= x * (1 + 1e-9)) k++;
  return k;
}

/** A count the schema accepts for epochs and budgets: an integer from 1 to 10,000. */
const isEpochCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 10_000;

export interface BracketShape {
  /** The round the bracket starts in. */
  startRound: number;
  size: number;
}

export interface HalvingShape {
  eta: number;
  /** The smallest budget r. */
  minEpochs: number;
  /** Epochs each round trains to, in all; the last is training.epochs. */
  budgets: number[];
  /** Halving: one bracket of every candidate. Hyperband: brackets with at least one candidate. */
  brackets: BracketShape[];
}

type ShapeOptions = Pick<SweepSpec['search'], 'strategy' | 'eta' | 'minEpochs'>;

/**
 * The rounds and brackets of a halving sweep of `n` candidates, from numbers only (the spec's own
 * validation uses it). Rounds: at least one; a single round means nothing is halved.
 */
export function halvingShape(n: number, epochs: number, search: ShapeOptions): HalvingShape {
  const eta = search.eta ?? DEFAULT_ETA;
  const byCandidates = floorLog(n, eta);
  // A minimum budget below one epoch (the schema refuses it) would be no budget at all: the default stands in.
  const minEpochs = search.minEpochs !== undefined && search.minEpochs >= 1 ? search.minEpochs : Math.max(1, Math.floor(epochs / eta ** byCandidates));
  const s = Math.min(byCandidates, minEpochs > epochs ? 0 : floorLog(epochs / minEpochs, eta));
  const budgets = Array.from({ length: s + 1 }, (_, i) => (i === s ? epochs : Math.max(minEpochs, Math.round(epochs * eta ** (i - s)))));
  const brackets = search.strategy === 'hyperband' ? hyperbandBrackets(n, s, eta) : [{ startRound: 0, size: n }];
  return { eta, minEpochs, budgets, brackets };
}

/** Hyperband's bracket sizes, scaled to n candidates (largest remainder), empty brackets left out. */
function hyperbandBrackets(n: number, s: number, eta: number): BracketShape[] {
  const weights = Array.from({ length: s + 1 }, (_, j) => Math.ceil(((s + 1) / (s - j + 1)) * eta ** (s - j)));
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w * n) / total);
  const sizes = exact.map(Math.floor);
  let left = n - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, j) => [x - Math.floor(x), j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, j] of byRemainder) {
    if (left === 0) break;
    sizes[j]!++;
    left--;
  }
  return sizes.map((size, startRound) => ({ startRound, size })).filter((b) => b.size > 0);
}

/** Candidates whose bracket starts in round 0. */
const startingCount = (shape: HalvingShape) => shape.brackets.filter((b) => b.startRound === 0).reduce((a, b) => a + b.size, 0);

/** Epochs the first round trains in all (every trial of every candidate it starts, to b_0). */
export function firstRoundEpochs(shape: HalvingShape, trials: number): number {
  return startingCount(shape) * trials * shape.budgets[0]!;
}

/** How many of the n that entered a round go on as the top (the cut is the last of them). */
export function keepCount(entered: number, eta: number): number {
  return Math.max(1, Math.floor(entered / eta));
}

/** How many more than the top k a rung may keep: small candidates the test cannot tell from the cut (./promotion.ts). */
export function extraCount(keep: number, eta: number): number {
  return Math.ceil(keep / eta);
}

/**
 * What is wrong with a halving sweep's numbers — empty when nothing is. The spec's validation reports
 * each as one line naming the field (registered in ./strategy.ts).
 */
export function halvingProblems(spec: Pick<SweepSpec, 'search' | 'training' | 'evaluation'>, candidates: number): SearchProblem[] {
  const s = spec.search;
  const epochs = spec.training.epochs;
  const eta = s.eta ?? DEFAULT_ETA;
  // A value the schema refused (an eta below 2, a minEpochs of 0, epochs of 1e308) is reported there, on
  // its own field; the rounds are worked out only from numbers that can end.
  if (!Number.isInteger(eta) || eta < 2 || eta > 16 || !isEpochCount(epochs) || (s.minEpochs !== undefined && !isEpochCount(s.minEpochs))) return [];
  if (candidates < 2) {
    return [[['search', 'strategy'], `${s.strategy} needs at least 2 candidates to choose between; the sweep has ${candidates} (list more depths or widths, or use strategy "grid")`]];
  }
  if (s.minEpochs !== undefined && s.minEpochs > epochs) {
    return [[['search', 'minEpochs'], `${s.minEpochs} is above training.epochs (${epochs}), the budget of the last rung`]];
  }
  const shape = halvingShape(candidates, epochs, s);
  if (shape.budgets.length < 2) {
    if (floorLog(candidates, eta) === 0) {
      return [[['search', 'eta'], `${eta} leaves a single rung for ${candidates} candidates (each rung keeps 1 in ${eta}); use eta ≤ ${candidates}`]];
    }
    const most = Math.floor(epochs / eta);
    return [
      s.minEpochs !== undefined
        ? [['search', 'minEpochs'], `${s.minEpochs} leaves a single rung below training.epochs (${epochs}) with eta ${eta}; use minEpochs ≤ ${most}`]
        : [['training', 'epochs'], `${epochs} leaves a single rung with eta ${eta}; ${s.strategy} needs training.epochs ≥ ${eta}`],
    ];
  }
  const budget = Number.isInteger(s.budget?.epochs) && s.budget!.epochs! >= 1 ? s.budget!.epochs : undefined;
  const trials = trialsPerCandidate(spec);
  const first = firstRoundEpochs(shape, trials);
  if (budget !== undefined && budget < first) {
    return [[['search', 'budget', 'epochs'], `${budget} is less than the first rung alone (${startingCount(shape)} candidates × ${trials} trials × ${shape.budgets[0]} epochs = ${first})`]];
  }
  return [];
}

/**
 * The rounds a halving sweep plans, before anything is trained: per round the candidates that enter
 * it (the promoted and the bracket that joins there). Promotion keeps k = max(1, ⌊n / η⌋), and at
 * most ⌈k / η⌉ more when the rung separates its candidates (small ones the data cannot tell from the
 * cut; ./promotion.ts), so a round holds between the two counts.
 */
export function scheduledRounds(shape: HalvingShape): ScheduledRound[] {
  const planned = shape.budgets.map(() => 0);
  const most = shape.budgets.map(() => 0);
  for (const b of shape.brackets) {
    let low = b.size;
    let high = b.size;
    for (let i = b.startRound; i < shape.budgets.length; i++) {
      planned[i]! += low;
      most[i]! += high;
      low = keepCount(low, shape.eta);
      const keep = keepCount(high, shape.eta);
      high = Math.min(high, keep + extraCount(keep, shape.eta));
    }
  }
  return shape.budgets.map((epochs, i) => ({ epochs, candidates: planned[i]!, atMost: most[i]! }));
}

/**
 * Epochs a schedule trains in all over `trials` trials per candidate, before early stopping: a
 * promoted candidate continues from its checkpoint (it trains b_i − b_(i−1) more), a joining one
 * starts from scratch. `count` picks the planned or the largest candidate counts.
 */
export function scheduledEpochs(shape: HalvingShape, trials: number, count: (r: ScheduledRound) => number): number {
  const rounds = scheduledRounds(shape);
  let total = 0;
  for (const [i, r] of rounds.entries()) {
    const joining = shape.brackets.filter((b) => b.startRound === i).reduce((a, b) => a + b.size, 0);
    const continuing = Math.max(0, count(r) - joining);
    const before = i === 0 ? 0 : shape.budgets[i - 1]!;
    total += trials * (continuing * (r.epochs - before) + joining * r.epochs);
  }
  return total;
}
