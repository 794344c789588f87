/**
 * Who goes on after a rung. The candidates of a bracket are ranked by their validation metric (mean
 * over trials, in the metric's direction; ties to fewer parameters, then the id — the leaderboard's
 * order) and the top k = max(1, ⌊n / η⌋) of the n that entered the round go on. The k-th is "the cut".
 * So does every candidate below the cut that is **statistically indistinguishable from it**: the paired
 * comparison the decision rule uses against the best (src/stats/compare.ts), two-sided here — every
 * candidate trains on the same splits, so its trials pair with the cut's by (repeat, fold), and the
 * Nadeau–Bengio corrected paired t-test of the per-trial differences (variance × (1/J + n_val/n_train),
 * J − 1 degrees of freedom) gives p ≥ 0.05; Welch's test where trials cannot be paired. With one trial
 * per candidate there is no test and only the top k go on.
 *
 * Halving decides on a few epochs, when candidates are close and noisy: keeping what the data cannot
 * separate from the cut is what keeps it from dropping the eventual answer on a coin flip. With few
 * trials the test separates little, so at most k candidates go on this way (the best-ranked first):
 * a rung never keeps more than twice its top, and the schedule's savings stay bounded.
 */
import { compareTrials, SIGNIFICANCE } from '../../stats/index.js';
import type { BracketDecision, CandidateVerdict } from '../../results/halving.js';
import type { RoundResult } from '../strategy.js';
import { keepCount } from './shape.js';

/** A candidate as one rung saw it (the strategy's RoundResult). */
export type RungEntry = RoundResult;

/** One bracket's promotion after a rung (see the module comment). */
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
