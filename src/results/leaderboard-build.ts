import { analyzeRun, finalModelTest, testVsBaseline, type AnalyzeExtras, type CandidateDigest, type RankedCandidate, type TestScore } from './analysis.js';
import { answerWords, candidateVerdict, DECISION_RULE } from './verdict.js';
import { runCost, type RunCost } from '../cost/estimate.js';
import { compareWithGrid } from '../cost/grid.js';
import type { PriceTable } from '../cost/prices.js';
import { currentRound, epochsSaved, lastRounds, type HalvingState } from './halving.js';
import {
  LEADERBOARD_SCHEMA,
  LEADERBOARD_UNCERTAINTY,
  type FailedRow,
  type Leaderboard,
  type LeaderboardRow,
  type LeaderboardSource,
  type LeaderboardTest,
  type MissingResult,
  type RunCostSummary,
  type SearchSummary,
} from './leaderboard.js';

const pair = (ci: { lo: number; hi: number } | null): [number, number] | null => (ci ? [ci.lo, ci.hi] : null);

function testScore(t: TestScore | null): LeaderboardTest | null {
  return t && { metric: t.score, se: t.se, ci95: pair(t.ci), n: t.n, rows: t.rows };
}

function row(c: RankedCandidate<CandidateDigest>, recommended: boolean, cost: RunCost | null): LeaderboardRow {
  const k = cost?.candidates.get(c.id);
  const doc = c.doc;
  const cand = doc.candidate;
  return {
    rank: c.rank,
    candidateId: c.id,
    depth: cand.depth,
    width: cand.width,
    units: [...cand.units],
    params: doc.parameterCount,
    metric: { mean: c.summary.mean, se: c.summary.se, std: c.summary.std, ci95: pair(c.summary.ci), n: c.summary.n },
    vsBest: c.vsBest && { test: c.vsBest.kind, p: c.vsBest.p, pWorse: c.pWorse, pairs: c.vsBest.kind === 'paired' ? c.vsBest.pairs : null },
    approxBest: c.approxBest,
    verdict: candidateVerdict(c, recommended),
    vsBaseline: c.vsBaseline && { verdict: c.vsBaseline.verdict, difference: c.vsBaseline.difference, ci95: pair(c.vsBaseline.interval), p: c.vsBaseline.p },
    test: testScore(c.test),
    epochs: doc.trials.length > 0 ? doc.trials.reduce((s, t) => s + t.epochs.length, 0) / doc.trials.length : 0,
    fitSeconds: doc.timing.fitSeconds,
    samplesPerSecond: doc.timing.samplesPerSecond,
    backend: doc.backend,
    ...(cost ? { cost: k ? { usd: k.usd, seconds: k.seconds, cpuSeconds: k.cpuSeconds } : null } : {}),
  };
}

/** What a leaderboard adds to the ranking when it knows it: the halving rounds and the prices. */
export interface LeaderboardMore {
  /** The run's halving state; its stopped candidates (splitByRung) are listed, not ranked. */
  halving?: HalvingState | null;
  stopped?: CandidateDigest[];
  /** Price the candidates' compute (default: no cost fields). */
  prices?: PriceTable;
}

export function buildLeaderboard(
  manifest: LeaderboardSource,
  docs: CandidateDigest[],
  missing: MissingResult[] = [],
  generatedAt: string = new Date().toISOString(),
  extras: AnalyzeExtras = {},
  more: LeaderboardMore = {},
): Leaderboard {
  const planned = new Set(manifest.candidates.map((c) => c.id));
  const stopped = more.stopped ?? [];
  const stoppedIds = new Set(stopped.map((d) => d.candidate.id));
  const cost = more.prices ? runCost([...docs, ...stopped], more.prices, more.halving?.rounds.length ?? 1) : null;
  const a = analyzeRun(
    docs.filter((d) => planned.has(d.candidate.id)),
    manifest.sweep,
    extras,
  );
  const ranked = new Set(a.ranked.map((c) => c.id));
  const byId = new Map(docs.map((d) => [d.candidate.id, d]));
  const failed: FailedRow[] = [];
  for (const c of manifest.candidates) {
    if (ranked.has(c.id) || stoppedIds.has(c.id)) continue;
    const doc = byId.get(c.id);
    const reason = !doc
      ? (missing.find((m) => m.candidateId === c.id)?.reason ?? 'no result document')
      : doc.status === 'failed'
        ? (doc.error?.message ?? 'failed without a reason')
        : `no finite ${a.metric} (values: ${doc.metric.values.join(', ') || 'none'})`;
    failed.push({ candidateId: c.id, depth: c.depth, width: c.width, reason });
  }
  const rec = a.recommended;
  const words = answerWords(a);
  const finalTest = rec && a.final?.candidateId === rec.id ? finalModelTest(a.final, a.metric) : null;
  const b = a.baseline;
  const check = testVsBaseline(a);
  return {
    schema: LEADERBOARD_SCHEMA,
    runId: manifest.runId,
    sweep: manifest.sweep.name,
    dataset: { ...manifest.dataset },
    metric: { name: a.metric as Leaderboard['metric']['name'], higherIsBetter: a.higherIsBetter, unit: a.unit },
    uncertainty: LEADERBOARD_UNCERTAINTY,
    candidates: manifest.candidates.length,
    rows: a.ranked.map((c) => row(c, c.id === a.recommended?.id, cost)),
    failed,
    baseline: b && {
      name: b.name,
      description: b.description,
      metric: b.summary.mean,
      se: b.summary.se,
      ci95: pair(b.summary.ci),
      n: b.summary.n,
      test: b.test && { metric: b.test.metric, rows: b.test.rows },
    },
    best: a.best && { candidateId: a.best.id, test: testScore(a.best.test) },
    answer: { outcome: words.outcome, headline: words.headline, reason: words.reason, next: words.next, edges: a.edges, needed: a.needed, rule: DECISION_RULE, warnings: words.warnings },
    recommended: rec && {
      candidateId: rec.id,
      reason: words.reason ?? words.headline,
      test: testScore(rec.test),
      finalTest: testScore(finalTest),
      testVsBaseline: check && {
        verdict: check.verdict,
        test: check.test,
        source: check.source,
        metric: check.score,
        baseline: check.baseline,
        rows: check.rows,
        pWorse: check.pWorse,
        pBetter: check.pBetter,
      },
    },
    noRecommendation: a.outcome === 'baseline' ? words.reason : null,
    ...(cost && more.prices ? { cost: costSummary(cost, more.prices) } : {}),
    ...(more.halving ? { search: searchSummary(more.halving, [...docs, ...stopped], manifest.candidates.length, more.prices ?? null) } : {}),
    generatedAt,
  };
}

function costSummary(c: RunCost, prices: PriceTable): RunCostSummary {
  return {
    basis: c.basis,
    region: prices.region,
    date: prices.date,
    usd: c.total.usd,
    trainingUsd: c.training.usd,
    overheadUsd: c.overhead.usd,
    cpuSeconds: c.training.cpuSeconds,
    gbSeconds: c.training.gbSeconds,
    requests: c.total.requests,
    transitions: c.total.transitions,
    unmeasured: c.unmeasured,
  };
}

function searchSummary(state: HalvingState, docs: readonly CandidateDigest[], candidates: number, prices: PriceTable | null): SearchSummary {
  const byId = new Map(docs.map((d) => [d.candidate.id, d]));
  const last = new Set(currentRound(state).candidates);
  const at = lastRounds(state);
  const verdicts = new Map<string, { verdict: string; p: number | null; mean: number | null; rank: number | null }>();
  for (const r of state.rounds) for (const b of r.promotion?.brackets ?? []) for (const v of b.candidates) verdicts.set(`${r.round}/${v.candidateId}`, v);
  const stopped = [...at.entries()]
    .filter(([id]) => !last.has(id) && byId.get(id)?.status === 'succeeded')
    .map(([id, round]) => {
      const d = byId.get(id)!;
      const v = verdicts.get(`${round}/${id}`);
      return {
        candidateId: id,
        depth: d.candidate.depth,
        width: d.candidate.width,
        round,
        epochs: state.budgets[round]!,
        metric: d.metric.mean,
        verdict: v?.verdict ?? 'stopped',
        p: v?.p ?? null,
        rank: v?.rank ?? Infinity,
      };
    })
    .sort((a, b) => b.round - a.round || a.rank - b.rank)
    .map(({ rank: _rank, ...s }) => s);
  const saved = epochsSaved(state, docs, candidates);
  return {
    strategy: state.strategy,
    eta: state.eta,
    budgets: state.budgets,
    rounds: state.rounds.map((r) => ({
      round: r.round,
      epochs: r.epochs,
      trained: r.candidates.length,
      promoted: r.promotion ? r.promotion.brackets.reduce((s, b) => s + b.candidates.filter((c) => c.verdict === 'top' || c.verdict === 'indistinguishable').length, 0) : null,
    })),
    stopped,
    epochsTrained: saved.trained,
    gridEpochs: saved.grid,
    ended: state.stopped && {
      reason: state.stopped.reason,
      message: state.stopped.message,
      untrained: state.stopped.untrained.map((u) => u.candidateId),
      epochs: state.stopped.untrained[0]?.epochs ?? 0,
    },
    compute: compareWithGrid(docs, state.budgets.at(-1)!, { prices, rounds: state.rounds.length }),
  };
}
