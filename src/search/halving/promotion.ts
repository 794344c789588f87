/**
 * Who goes on after a rung. The candidates of a bracket are ranked by their validation metric (mean
 * over trials, in the metric's direction; ties to fewer parameters, then the id — the leaderboard's
 * order), and k = max(1, ⌊n / η⌋) of the n that entered the round go on. Which k serves the question
 * halving answers — "the smallest network as good as the best" (src/stats/decision.ts) — at a few
 * epochs, when candidates are close and noisy, and small networks learn slower per epoch:
 *
 *  - **More than k are ≈ the best** (the paired test cannot tell them from the rung's best): the best
 *    goes on — a hedge, it may pull away at a larger budget — with the k − 1 *smallest* of the others
 *    (fewest parameters, then rank); when k is 1, with the smallest one, so the last rung still holds
 *    the candidate the question asks for (⌈k / η⌉ = 1 extra, the same cap as below). Among networks
 *    the data cannot separate yet, the larger ones are the dearest to train on and the least likely
 *    to be the answer. Keeping the top k by mean instead
 *    kept the widest, deepest networks — they win at one epoch — and on an 81-candidate grid spent 58 %
 *    of the grid's task CPU on 16 % of its epochs; this rule spent about a fifth, and its answer was
 *    still ≈ the grid's best (benchmarks/results/2026-12-07-session7-halving.md).
 *  - **At most k are ≈ the best** (the rung separates its candidates): the top k go on — the k-th is
 *    "the cut" — and a few more: candidates below the cut that are **statistically indistinguishable
 *    from it** *and* smaller than every candidate of the top, the smallest first, at most ⌈k / η⌉ of
 *    them, so a small network that is slower to learn is not dropped before its final budget could
 *    show it is as good.
 *
 * The test is the one the decision rule uses against the best (src/stats/compare.ts), two-sided here —
 * every candidate trains on the same splits, so its trials pair with the other's by (repeat, fold), and
 * the Nadeau–Bengio corrected paired t-test of the per-trial differences (variance × (1/J + n_val/n_train),
 * J − 1 degrees of freedom) gives p ≥ 0.05; Welch's test where trials cannot be paired. With one trial
 * per candidate there is no test and only the top k go on.
 */
import { compareTrials, SIGNIFICANCE, type Comparison } from '../../stats/index.js';
import type { BracketDecision, CandidateVerdict } from '../../results/halving.js';
import type { RoundResult } from '../strategy.js';
import { extraCount, keepCount } from './shape.js';

/** A candidate as one rung saw it (the strategy's RoundResult). */
export type RungEntry = RoundResult;

type Ranked = RungEntry & { mean: number };

const bySize = (a: { e: Ranked }, b: { e: Ranked }) => (a.e.params ?? Infinity) - (b.e.params ?? Infinity);
const tied = (c: Comparison | null) => c !== null && c.p >= SIGNIFICANCE;

/** One bracket's promotion after a rung (see the module comment). */
export function rankRung(entries: readonly RungEntry[], eta: number, higherIsBetter: boolean, startRound: number): BracketDecision {
  const ok = entries.filter((e): e is Ranked => e.mean !== null && Number.isFinite(e.mean));
  ok.sort(
    (a, b) =>
      (a.mean === b.mean ? 0 : (higherIsBetter ? a.mean > b.mean : a.mean < b.mean) ? -1 : 1) ||
      (a.params ?? Infinity) - (b.params ?? Infinity) ||
      (a.candidateId < b.candidateId ? -1 : a.candidateId > b.candidateId ? 1 : 0),
  );
  const keep = keepCount(entries.length, eta);
  const best = ok[0];
  const vsBest = ok.slice(1).map((e) => ({ e, c: compareTrials(e.points, best!.points) }));
  const nearBest = vsBest.filter(({ c }) => tied(c));
  let against: 'best' | 'cut';
  let reference: Ranked | undefined;
  let tested: { e: Ranked; c: Comparison | null }[];
  let goOn: Set<string>;
  if (nearBest.length + 1 > keep) {
    // The best and the k − 1 smallest of those the test cannot tell from it (at least one).
    against = 'best';
    reference = best;
    tested = vsBest;
    goOn = new Set([
      best!.candidateId,
      ...[...nearBest]
        .sort(bySize)
        .slice(0, Math.max(1, keep - 1))
        .map(({ e }) => e.candidateId),
    ]);
  } else {
    // The top k, and the smallest ≈-cut candidates below the top's smallest, up to the cap.
    against = 'cut';
    reference = ok[Math.min(keep, ok.length) - 1];
    const smallestTop = Math.min(...ok.slice(0, keep).map((e) => e.params ?? Infinity));
    tested = ok.slice(keep).map((e) => ({ e, c: compareTrials(e.points, reference!.points) }));
    const extras = tested
      .filter(({ e, c }) => tied(c) && (e.params ?? Infinity) < smallestTop)
      .sort(bySize)
      .slice(0, extraCount(keep, eta));
    goOn = new Set([...ok.slice(0, keep), ...extras.map(({ e }) => e)].map((e) => e.candidateId));
  }
  const tests = new Map(tested.map(({ e, c }) => [e.candidateId, c]));
  const candidates: CandidateVerdict[] = ok.map((e, i) => {
    const c = tests.get(e.candidateId) ?? null;
    const top = against === 'best' ? e === best : i < keep;
    return {
      candidateId: e.candidateId,
      mean: e.mean,
      rank: i + 1,
      verdict: top ? 'top' : goOn.has(e.candidateId) ? 'indistinguishable' : 'stopped',
      test: c?.kind ?? null,
      p: c?.p ?? null,
    };
  });
  for (const e of entries) {
    if (e.mean === null || !Number.isFinite(e.mean)) candidates.push({ candidateId: e.candidateId, mean: null, rank: null, verdict: 'failed', test: null, p: null });
  }
  return { startRound, entered: entries.length, keep, against, cut: reference?.candidateId ?? null, candidates };
}

/** The verdicts that go on to the next round. */
export function promoted(decision: BracketDecision): string[] {
  return decision.candidates.filter((c) => c.verdict === 'top' || c.verdict === 'indistinguishable').map((c) => c.candidateId);
}
