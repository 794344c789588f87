/**
 * Who goes on after a rung. The candidates of a bracket are ranked by their validation metric (mean
 * over trials, in the metric's direction; ties to fewer parameters, then the id — the leaderboard's
 * order) and the top k = max(1, ⌊n / η⌋) of the n that entered the round go on. The k-th is "the cut".
 * Halving decides on a few epochs, when candidates are close and noisy, and the question it serves is
 * "the smallest network as good as the best" (src/stats/decision.ts): a rung that kept only its top
 * would drop small networks — they learn slower per epoch — before their final budget could show
 * they are as good. So a few more go on: candidates below the cut that are **statistically
 * indistinguishable from it** *and* smaller (fewer parameters) than every candidate of the top, the
 * smallest first, at most ⌈k / η⌉ of them. The test is the one the decision rule uses against the best
 * (src/stats/compare.ts), two-sided here — every candidate trains on the same splits, so its trials
 * pair with the cut's by (repeat, fold), and the Nadeau–Bengio corrected paired t-test of the per-trial
 * differences (variance × (1/J + n_val/n_train), J − 1 degrees of freedom) gives p ≥ 0.05; Welch's
 * test where trials cannot be paired. With one trial per candidate there is no test and only the top
 * k go on.
 *
 * Keeping every candidate the test cannot separate (the rule before 2026-12-07) kept 2k a rung: with
 * 3 trials at a few epochs the test separates almost nothing, so an 81-candidate grid went
 * 81 → 54 → 36 → 24 and halving trained 32 % of the grid's epochs — and its extras were the wide,
 * deep networks, the dearest to train and the least likely to be the answer.
 */
import { compareTrials, SIGNIFICANCE } from '../../stats/index.js';
import type { BracketDecision, CandidateVerdict } from '../../results/halving.js';
import type { RoundResult } from '../strategy.js';
import { extraCount, keepCount } from './shape.js';

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
  const smallestTop = Math.min(...ok.slice(0, keep).map((e) => e.params ?? Infinity));
  const below = ok.slice(keep).map((e) => ({ e, c: compareTrials(e.points, cut!.points) }));
  // The smallest ≈-cut candidates below the top's smallest, by parameters (then rank), up to the cap.
  const extras = new Set(
    below
      .filter(({ e, c }) => c !== null && c.p >= SIGNIFICANCE && (e.params ?? Infinity) < smallestTop)
      .sort((a, b) => a.e.params! - b.e.params!)
      .slice(0, extraCount(keep, eta))
      .map(({ e }) => e.candidateId),
  );
  const candidates: CandidateVerdict[] = [
    ...ok.slice(0, keep).map((e, i): CandidateVerdict => ({ candidateId: e.candidateId, mean: e.mean, rank: i + 1, verdict: 'top', test: null, p: null })),
    ...below.map(
      ({ e, c }, i): CandidateVerdict => ({
        candidateId: e.candidateId,
        mean: e.mean,
        rank: keep + i + 1,
        verdict: extras.has(e.candidateId) ? 'indistinguishable' : 'stopped',
        test: c?.kind ?? null,
        p: c?.p ?? null,
      }),
    ),
  ];
  for (const e of entries) {
    if (e.mean === null || !Number.isFinite(e.mean)) candidates.push({ candidateId: e.candidateId, mean: null, rank: null, verdict: 'failed', test: null, p: null });
  }
  return { startRound, entered: entries.length, keep, cut: cut?.candidateId ?? null, candidates };
}

/** The verdicts that go on to the next round. */
export function promoted(decision: BracketDecision): string[] {
  return decision.candidates.filter((c) => c.verdict === 'top' || c.verdict === 'indistinguishable').map((c) => c.candidateId);
}
