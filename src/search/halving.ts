/**
 * Successive halving and Hyperband over the sweep's depth × width grid: spend few epochs on every
 * candidate, more on the better ones, the full `training.epochs` only on the last few.
 *
 * **Rounds and budgets.** A sweep with `search.strategy` "halving" runs in rounds of the same state
 * machine (Plan → Map(Train) → Aggregate → Promote → Map(Train) → …). Round i trains its candidates
 * to b_i epochs in all — a promoted candidate continues from its checkpoint (src/train/checkpoint.ts),
 * it does not start again. With R = training.epochs, η = search.eta and N candidates there are s + 1
 * rounds, s = min(⌊log_η N⌋, ⌊log_η (R / r)⌋), where r = search.minEpochs (default: R / η^⌊log_η N⌋,
 * at least 1), and b_i = max(r, round(R · η^(i − s))), so b_s = R and each budget is η times the one
 * before (Jamieson & Talwalkar, "Non-stochastic best arm identification and hyperparameter
 * optimization", AISTATS 2016).
 *
 * **Promotion.** After each round but the last, the candidates of a bracket are ranked by their
 * validation metric (mean over trials, in the metric's direction; ties to fewer parameters, then the
 * id — the leaderboard's order) and the top k = max(1, ⌊n / η⌋) of the n that entered the round go on.
 * The k-th is "the cut". So does every candidate below the cut that is **statistically
 * indistinguishable from it**: the paired comparison the decision rule uses against the best
 * (src/stats/compare.ts), two-sided here — every candidate trains on the same splits, so its trials pair with the
 * cut's by (repeat, fold), and the Nadeau–Bengio corrected paired t-test of the per-trial differences
 * (variance × (1/J + n_val/n_train), J − 1 degrees of freedom) gives p ≥ 0.05; Welch's test where
 * trials cannot be paired. With one trial per candidate there is no test and only the top k go on.
 * Halving decides on a few epochs, when candidates are close and noisy: keeping what the data cannot
 * separate from the cut is what keeps it from dropping the eventual answer on a coin flip. With few
 * trials the test separates little, so at most k candidates go on this way (the best-ranked first):
 * a rung never keeps more than twice its top, and the schedule's savings stay bounded.
 *
 * **Hyperband** (Li et al., JMLR 18, 2018) hedges against a minimum budget that is too small: the
 * grid is split (seeded by search.seed) into s + 1 brackets in Hyperband's proportions
 * n_j ∝ ⌈(s + 1) / (s − j + 1) · η^(s − j)⌉; bracket j joins at round j and halves from there. Every
 * bracket trains at the round's budget b_i, so all finalists reach R in the last round and are ranked
 * together.
 *
 * **Budget.** `search.budget` (total epochs over all trials, or USD) is checked before each round:
 * a round that would take the spend past it is not started, and the report lists what was left
 * untrained. The first round must fit (the sweep is refused otherwise).
 */
import { compareTrials, SIGNIFICANCE, type TrialPoint } from '../stats/index.js';
import type { BracketDecision, CandidateVerdict } from '../results/halving.js';
import type { SweepSpec } from '../sweep/schema.js';
import { rng, shuffle } from '../random.js';

export const HALVING_STRATEGIES = ['halving', 'hyperband'] as const;
export type HalvingStrategy = (typeof HALVING_STRATEGIES)[number];
export const DEFAULT_ETA = 3;

export function isHalving(search: Pick<SweepSpec['search'], 'strategy'>): search is Pick<SweepSpec['search'], 'strategy'> & { strategy: HalvingStrategy } {
  return (HALVING_STRATEGIES as readonly string[]).includes(search.strategy);
}

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

/** Trials per candidate: repeats × folds (holdout: one fold). */
export function trialsPerCandidate(spec: Pick<SweepSpec, 'evaluation'>): number {
  const e = spec.evaluation;
  return e.repeats * (e.strategy === 'kfold' ? e.folds : 1);
}

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

/**
 * The rounds and brackets of a halving sweep of `n` candidates, from numbers only (the spec's own
 * validation uses it). Rounds: at least one; a single round means nothing is halved.
 */
export function halvingShape(n: number, epochs: number, search: Pick<SweepSpec['search'], 'strategy' | 'eta' | 'minEpochs'>): HalvingShape {
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

/** Epochs the first round trains in all (every trial of every candidate it starts, to b_0). */
export function firstRoundEpochs(shape: HalvingShape, trials: number): number {
  const starting = shape.brackets.filter((b) => b.startRound === 0).reduce((a, b) => a + b.size, 0);
  return starting * trials * shape.budgets[0]!;
}

/** How many of the n that entered a round go on as the top (the cut is the last of them). */
export function keepCount(entered: number, eta: number): number {
  return Math.max(1, Math.floor(entered / eta));
}

/**
 * What is wrong with a halving sweep's numbers, as [path, message] — empty when nothing is. The spec
 * validation turns each into one line naming the field.
 */
export function halvingProblems(spec: Pick<SweepSpec, 'search' | 'training' | 'evaluation'>, candidates: number): [(string | number)[], string][] {
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
  const first = firstRoundEpochs(shape, trialsPerCandidate(spec));
  if (budget !== undefined && budget < first) {
    const starting = shape.brackets.filter((b) => b.startRound === 0).reduce((a, b) => a + b.size, 0);
    return [
      [
        ['search', 'budget', 'epochs'],
        `${budget} is less than the first rung alone (${starting} candidates × ${trialsPerCandidate(spec)} trials × ${shape.budgets[0]} epochs = ${first})`,
      ],
    ];
  }
  return [];
}

/** A halving sweep's brackets with their candidates: hyperband's split is a seeded shuffle of the grid. */
export function assignBrackets(shape: HalvingShape, candidateIds: readonly string[], seed: number): { startRound: number; candidates: string[] }[] {
  if (shape.brackets.length === 1) return [{ startRound: shape.brackets[0]!.startRound, candidates: [...candidateIds] }];
  const pool = shuffle([...candidateIds], rng(seed));
  let at = 0;
  return shape.brackets.map((b) => {
    const candidates = pool.slice(at, at + b.size);
    at += b.size;
    return { startRound: b.startRound, candidates };
  });
}

/** A candidate as one rung saw it: its mean validation metric over trials (null: failed) and the trials themselves. */
export interface RungEntry {
  candidateId: string;
  mean: number | null;
  params: number | null;
  points: readonly TrialPoint[];
}

/**
 * One bracket's promotion after a rung (see the module comment): the top k by mean go on, the k-th is
 * the cut, and every candidate below the cut that the paired test cannot tell from the cut goes on too.
 */
export function rankRung(entries: readonly RungEntry[], eta: number, higherIsBetter: boolean, startRound: number): BracketDecision {
  const ok = entries.filter((e): e is RungEntry & { mean: number } => e.mean !== null && Number.isFinite(e.mean));
  ok.sort(
    (a, b) =>
      (a.mean === b.mean ? 0 : (higherIsBetter ? a.mean > b.mean : a.mean < b.mean) ? -1 : 1) ||
      (a.params ?? Infinity) - (b.params ?? Infinity) ||
      (a.candidateId < b.candidateId ? -1 : a.candidateId > b.candidateId ? 1 : 0),
  );
  const keep = keepCount(entries.length, eta);
  const cut = ok[Math.min(keep, ok.length) - 1];
  let extra = 0;
  const candidates: CandidateVerdict[] = ok.map((e, i) => {
    if (i < keep) return { candidateId: e.candidateId, mean: e.mean, rank: i + 1, verdict: 'top', test: null, p: null };
    const c = compareTrials(e.points, cut!.points);
    const alike = c !== null && c.p >= SIGNIFICANCE && extra < keep;
    if (alike) extra++;
    return { candidateId: e.candidateId, mean: e.mean, rank: i + 1, verdict: alike ? 'indistinguishable' : 'stopped', test: c?.kind ?? null, p: c?.p ?? null };
  });
  for (const e of entries) {
    if (e.mean === null || !Number.isFinite(e.mean)) candidates.push({ candidateId: e.candidateId, mean: null, rank: null, verdict: 'failed', test: null, p: null });
  }
  return { startRound, entered: entries.length, keep, cut: cut?.candidateId ?? null, candidates };
}

/** The verdicts that go on to the next round. */
export function promoted(decision: BracketDecision): string[] {
  return decision.candidates.filter((c) => c.verdict === 'top' || c.verdict === 'indistinguishable').map((c) => c.candidateId);
}
