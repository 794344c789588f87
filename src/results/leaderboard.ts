/**
 * The leaderboard of a run, runs/<runId>/leaderboard.{json,csv}: built from its candidate documents by
 * the same analysis as the report (analysis.ts, the decision rule of src/stats/decision.ts), so scripts
 * get the ranking, the comparisons, the baseline, the answer and the test scores without parsing the
 * report. Its Markdown rendering (leaderboard.md) is the report's (src/report/leaderboard-text.ts).
 *
 * Ranked by the sweep's metric (mean over folds and repeats, direction from the metric), ties broken
 * by fewer parameters, then by candidate id so the order is total. `se` is the standard error of that
 * mean, Nadeau–Bengio corrected for the trials' shared training rows; `ci95` the 95 % interval on the
 * metric's scale (null with one trial). Test scores are on the held-out test split, never used for
 * choosing, each with an interval that counts the test rows' sampling error.
 *
 * `layerbench.leaderboard.v3`; v2 and v1 documents are read by `parseLeaderboard`, which lifts them to
 * v3 with the newer fields empty (v2's "≈ best" was a two-sided test and its recommendation the
 * one-standard-error rule; the lifted document keeps what they said).
 * The CSV has one row per ranked candidate and, when the run has a baseline, a last row for it
 * (`rank` empty, `candidateId` "baseline: <name>").
 *
 * Optional fields: `cost` per row and for the run (src/cost/estimate.ts, the price table's region and
 * date named); `search` for halving runs — the rounds, the candidates stopped at an earlier rung (not
 * ranked: they trained fewer epochs), what a budget left untrained, and the epochs against the grid's.
 */
import { z } from 'zod';
import { LayerbenchError } from '../errors.js';
import { PLUS_MINUS, PLUS_MINUS_NOTE } from '../format.js';
import { OUTCOMES, tQuantile } from '../stats/index.js';
import { analyzeRun, finalModelTest, type AnalyzeExtras, type RankedCandidate, type TestScore } from './analysis.js';
import { answerWords, candidateVerdict, CANDIDATE_VERDICTS, DECISION_RULE } from './verdict.js';
import { runCost, type RunCost } from '../cost/estimate.js';
import { compareWithGrid } from '../cost/grid.js';
import type { PriceTable } from '../cost/prices.js';
import type { CandidateDoc } from './document.js';
import { currentRound, epochsSaved, lastRounds, type HalvingState } from './halving.js';
import { METRICS } from '../sweep/schema.js';
import type { Candidate } from '../sweep/candidate.js';
import type { SweepSpec } from '../sweep/schema.js';

export const LEADERBOARD_SCHEMA = 'layerbench.leaderboard.v3' as const;
export const LEADERBOARD_SCHEMA_V2 = 'layerbench.leaderboard.v2' as const;
export const LEADERBOARD_SCHEMA_V1 = 'layerbench.leaderboard.v1' as const;

/** What "±" and the intervals mean, written into every leaderboard.json. */
export const LEADERBOARD_UNCERTAINTY = `${PLUS_MINUS}: ${PLUS_MINUS_NOTE}; ci95 is the 95 % interval on the metric's scale (Wilson for accuracy, log scale for errors), null with one trial; test intervals add the test rows' sampling error`;

const interval = z.tuple([z.number(), z.number()]).nullable();

export const costCellSchema = z.object({
  usd: z.number(),
  /** Billed seconds: Lambda task seconds, or local CPU-seconds. */
  seconds: z.number(),
  cpuSeconds: z.number(),
});

export const runCostSchema = z.object({
  /** lambda: measured on Lambda; local: CPU-seconds priced as the table's Lambda memory and architecture. */
  basis: z.enum(['lambda', 'local', 'mixed', 'none']),
  region: z.string(),
  date: z.string(),
  usd: z.number(),
  trainingUsd: z.number(),
  /** Requests and state transitions outside the candidates (Plan, Aggregate, Promote, Finalize, Report). */
  overheadUsd: z.number(),
  cpuSeconds: z.number(),
  gbSeconds: z.number(),
  requests: z.number().int(),
  transitions: z.number().int(),
  /** Documents without a compute record (older, or recorded by the Catch): not in the sums. */
  unmeasured: z.number().int(),
});
export type RunCostSummary = z.infer<typeof runCostSchema>;

const computeUseSchema = z.object({ epochs: z.number(), cpuSeconds: z.number(), usd: z.number().nullable() });

export const searchSummarySchema = z.object({
  strategy: z.enum(['halving', 'hyperband']),
  eta: z.number().int(),
  budgets: z.array(z.number().int()),
  rounds: z.array(z.object({ round: z.number().int(), epochs: z.number().int(), trained: z.number().int(), promoted: z.number().int().nullable() })),
  /** Candidates that stopped at an earlier rung, best first within each rung. */
  stopped: z.array(
    z.object({
      candidateId: z.string(),
      depth: z.number().int(),
      width: z.number().int(),
      round: z.number().int(),
      epochs: z.number().int(),
      metric: z.number().nullable(),
      verdict: z.string(),
      p: z.number().nullable(),
    }),
  ),
  /** Epochs trained in all (every trial of every candidate), and what the full grid's budget is. */
  epochsTrained: z.number().int(),
  gridEpochs: z.number().int(),
  /** Why the rounds ended before the last one (search.budget, or nobody left), and what was left untrained. */
  ended: z.object({ reason: z.string(), message: z.string(), untrained: z.array(z.string()), epochs: z.number().int() }).nullable(),
  /**
   * What the search used against the full grid (src/cost/grid.ts): epochs, CPU-seconds and estimated
   * dollars (null without prices); the grid's are estimated from what the candidates measured. Absent
   * in leaderboards written before it existed.
   */
  compute: z
    .object({
      used: computeUseSchema,
      grid: computeUseSchema,
      /** Candidates without a compute record, in neither side. */
      unmeasured: z.number().int(),
    })
    .optional(),
});
export type SearchSummary = z.infer<typeof searchSummarySchema>;

/**
 * A score on the held-out test split — never used for choosing: the mean over the candidate's trial
 * models (n of them), or the final model's (n 1). `ci95` counts the test rows' sampling error (and, for
 * trial models, their retraining spread); null where the documents keep no per-row results (older runs).
 */
export const testScoreSchema = z.object({
  metric: z.number(),
  se: z.number().nullable(),
  ci95: interval,
  n: z.number().int(),
  rows: z.number().int(),
});
export type LeaderboardTest = z.infer<typeof testScoreSchema>;

export const leaderboardRowSchema = z.object({
  rank: z.number().int(),
  candidateId: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  units: z.array(z.number().int()),
  params: z.number().int().nullable(),
  /** The ranking metric on validation data over folds × repeats: mean, corrected se, std over trials, 95 % interval. */
  metric: z.object({ mean: z.number(), se: z.number().nullable(), std: z.number().nullable(), ci95: interval, n: z.number().int() }),
  /**
   * Against the best: the paired (Nadeau–Bengio corrected) test, or Welch's where trials could not be
   * paired; `p` two-sided, `pWorse` one-sided ("worse than the best"; null in lifted v2 documents).
   */
  vsBest: z.object({ test: z.enum(['paired', 'welch']), p: z.number(), pWorse: z.number().nullable(), pairs: z.number().int().nullable() }).nullable(),
  /** "≈ best": not significantly worse than the best, the decision rule's test (true for the best); null when untestable (one trial). */
  approxBest: z.boolean().nullable(),
  /** Its place in the answer (src/results/verdict.ts), read from the flags above; absent in leaderboards written before it. */
  verdict: z.enum(CANDIDATE_VERDICTS).optional(),
  /** Against the baseline on the same trials; null when the run has none. */
  vsBaseline: z
    .object({
      verdict: z.enum(['beats', 'not-clearly-better', 'better-untested', 'does-not-beat']),
      /** Candidate minus baseline, mean over the shared trials, and its 95 % interval (null without a test). */
      difference: z.number(),
      ci95: interval,
      /** One-sided p-value of "better than the baseline" (v2: two-sided). */
      p: z.number().nullable(),
    })
    .nullable(),
  /** Its trial models on the test split (never used for choosing); null without a test split. */
  test: testScoreSchema.nullable(),
  /** Mean epochs trained per trial. */
  epochs: z.number(),
  /** Time inside training, all trials. */
  fitSeconds: z.number(),
  samplesPerSecond: z.number().nullable(),
  backend: z.string(),
  /** Estimated cost of training the candidate (all its tasks); null without a compute record. */
  cost: costCellSchema.nullable().optional(),
});
export type LeaderboardRow = z.infer<typeof leaderboardRowSchema>;

export const failedRowSchema = z.object({ candidateId: z.string(), depth: z.number().int(), width: z.number().int(), reason: z.string() });
export type FailedRow = z.infer<typeof failedRowSchema>;


export const leaderboardSchema = z.object({
  schema: z.literal(LEADERBOARD_SCHEMA),
  runId: z.string(),
  sweep: z.string(),
  dataset: z.object({ key: z.string(), version: z.string() }),
  metric: z.object({ name: z.enum(METRICS), higherIsBetter: z.boolean(), unit: z.string().nullable() }),
  uncertainty: z.string(),
  candidates: z.number().int(),
  rows: z.array(leaderboardRowSchema),
  failed: z.array(failedRowSchema),
  /** The model without a network on the same splits (runs/<id>/baseline.json); null for runs without one. */
  baseline: z
    .object({
      name: z.string(),
      description: z.string(),
      /** Mean validation score over the trials. */
      metric: z.number(),
      se: z.number().nullable(),
      ci95: interval,
      n: z.number().int(),
      /** Fitted on all non-test rows, scored on the test split. */
      test: z.object({ metric: z.number(), rows: z.number().int() }).nullable(),
    })
    .nullable(),
  /** The best-ranked candidate and its test score. */
  best: z.object({ candidateId: z.string(), test: testScoreSchema.nullable() }).nullable(),
  /** What kind of answer the run gives, in words and as data (src/stats/decision.ts, src/results/verdict.ts). */
  answer: z.object({
    outcome: z.enum(OUTCOMES),
    headline: z.string(),
    reason: z.string().nullable(),
    /** What to try next, each naming the setting. */
    next: z.array(z.string()),
    /** The recommendation at the end of a grid axis, and the values worth trying. */
    edges: z.array(z.object({ axis: z.enum(['depth', 'width']), side: z.enum(['upper', 'lower']), values: z.array(z.number().int()) })),
    /** Outcome undecided: the smaller candidate the data cannot decide, its gap to the best and the trials that would resolve it (null: more rows needed). */
    needed: z.object({ candidateId: z.string(), gap: z.number(), trials: z.number().int().nullable() }).nullable(),
    /** The decision rule, stated. */
    rule: z.string(),
  }),
  /** The candidate to use (null when the outcome is baseline or none). */
  recommended: z
    .object({
      candidateId: z.string(),
      reason: z.string(),
      /** Its trial models on the test split. */
      test: testScoreSchema.nullable(),
      /** The final model (runs/<id>/model/final.json) on the test split, once Finalize has written it. */
      finalTest: testScoreSchema.nullable(),
    })
    .nullable(),
  /** Outcome baseline: why no network is recommended; null otherwise. */
  noRecommendation: z.string().nullable(),
  /** The run's estimated cost; absent in older leaderboards. */
  cost: runCostSchema.optional(),
  /** Halving and hyperband runs: rounds, rungs and epochs saved; absent otherwise. */
  search: searchSummarySchema.optional(),
  generatedAt: z.string(),
});
export type Leaderboard = z.infer<typeof leaderboardSchema>;

/** What a leaderboard is built for: the run, its sweep and dataset, and the planned candidates. */
export interface LeaderboardSource {
  runId: string;
  sweep: SweepSpec;
  dataset: { key: string; version: string };
  candidates: Pick<Candidate, 'id' | 'depth' | 'width'>[];
}

/** A candidate with no document, and why (what the Map's Catch reported, or that nothing was). */
export interface MissingResult {
  candidateId: string;
  reason: string;
}

const pair = (ci: { lo: number; hi: number } | null): [number, number] | null => (ci ? [ci.lo, ci.hi] : null);

function testScore(t: TestScore | null): LeaderboardTest | null {
  return t && { metric: t.score, se: t.se, ci95: pair(t.ci), n: t.n, rows: t.rows };
}

function row(c: RankedCandidate, recommended: boolean, cost: RunCost | null): LeaderboardRow {
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
  stopped?: CandidateDoc[];
  /** Price the candidates' compute (default: no cost fields). */
  prices?: PriceTable;
}

export function buildLeaderboard(
  manifest: LeaderboardSource,
  docs: CandidateDoc[],
  missing: MissingResult[] = [],
  generatedAt: string = new Date().toISOString(),
  extras: AnalyzeExtras = {},
  more: LeaderboardMore = {},
): Leaderboard {
  const planned = new Set(manifest.candidates.map((c) => c.id));
  const stopped = more.stopped ?? [];
  const stoppedIds = new Set(stopped.map((d) => d.candidate.id));
  const cost = more.prices ? runCost([...docs, ...stopped], more.prices, more.halving?.rounds.length ?? 1, roundsOf(more.halving)) : null;
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
    baseline: b && { name: b.name, description: b.description, metric: b.summary.mean, se: b.summary.se, ci95: pair(b.summary.ci), n: b.summary.n, test: b.test },
    best: a.best && { candidateId: a.best.id, test: testScore(a.best.test) },
    answer: { outcome: words.outcome, headline: words.headline, reason: words.reason, next: words.next, edges: a.edges, needed: a.needed, rule: DECISION_RULE },
    recommended: rec && { candidateId: rec.id, reason: words.reason ?? words.headline, test: testScore(rec.test), finalTest: testScore(finalTest) },
    noRecommendation: a.outcome === 'baseline' ? words.reason : null,
    ...(cost && more.prices ? { cost: costSummary(cost, more.prices) } : {}),
    ...(more.halving ? { search: searchSummary(more.halving, [...docs, ...stopped], manifest.candidates.length, more.prices ?? null) } : {}),
    generatedAt,
  };
}

/** Map items per candidate: one per round it trained in. */
function roundsOf(state: HalvingState | null | undefined): ((id: string) => number) | undefined {
  if (!state) return undefined;
  const count = new Map<string, number>();
  for (const r of state.rounds) for (const id of r.candidates) count.set(id, (count.get(id) ?? 0) + 1);
  return (id) => count.get(id) ?? 1;
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

function searchSummary(state: HalvingState, docs: readonly CandidateDoc[], candidates: number, prices: PriceTable | null): SearchSummary {
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
      return { candidateId: id, depth: d.candidate.depth, width: d.candidate.width, round, epochs: state.budgets[round]!, metric: d.metric.mean, verdict: v?.verdict ?? 'stopped', p: v?.p ?? null, rank: v?.rank ?? Infinity };
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
    compute: compareWithGrid(docs, state.budgets.at(-1)!, { prices, rounds: state.rounds.length, items: roundsOf(state)! }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a leaderboard back: v2 as it is, v1 lifted to v2.
// ---------------------------------------------------------------------------------------------

const v1RowSchema = z.object({
  rank: z.number().int(),
  candidateId: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  units: z.array(z.number().int()),
  params: z.number().int().nullable(),
  metric: z.object({ mean: z.number(), std: z.number().nullable(), n: z.number().int() }),
  epochs: z.number(),
  fitSeconds: z.number(),
  samplesPerSecond: z.number().nullable(),
  backend: z.string(),
});

const v1Schema = z.object({
  schema: z.literal(LEADERBOARD_SCHEMA_V1),
  runId: z.string(),
  sweep: z.string(),
  dataset: z.object({ key: z.string(), version: z.string() }),
  metric: z.object({ name: z.enum(METRICS), higherIsBetter: z.boolean() }),
  candidates: z.number().int(),
  rows: z.array(v1RowSchema),
  failed: z.array(failedRowSchema),
  generatedAt: z.string(),
});

/** A v1 row's spread as v2 states it: the standard error and the 95 % interval from std and n. */
function liftV1Metric(m: z.infer<typeof v1RowSchema>['metric']): LeaderboardRow['metric'] {
  if (m.std === null || m.n < 2) return { mean: m.mean, se: null, std: m.std, ci95: null, n: m.n };
  const se = m.std / Math.sqrt(m.n);
  const t = tQuantile(0.975, m.n - 1);
  return { mean: m.mean, se, std: m.std, ci95: [m.mean - t * se, m.mean + t * se], n: m.n };
}

// v2: "≈ best" two-sided, the one-standard-error rule, no answer; final test without an interval.
const v2RowSchema = leaderboardRowSchema.omit({ vsBest: true, vsBaseline: true, test: true }).extend({
  vsBest: z.object({ test: z.enum(['paired', 'welch']), p: z.number(), pairs: z.number().int().nullable() }).nullable(),
  withinOneSe: z.boolean().nullable(),
  vsBaseline: z.object({ verdict: z.enum(['beats', 'not-clearly-better', 'better-untested', 'does-not-beat']), difference: z.number(), p: z.number().nullable() }).nullable(),
});

const v2Schema = leaderboardSchema.omit({ schema: true, rows: true, answer: true, recommended: true }).extend({
  schema: z.literal(LEADERBOARD_SCHEMA_V2),
  rows: z.array(v2RowSchema),
  recommended: z
    .object({
      candidateId: z.string(),
      rule: z.enum(['one-standard-error', 'best-only']),
      reason: z.string(),
      test: testScoreSchema.nullable(),
      finalTest: z.object({ metric: z.number(), rows: z.number().int() }).nullable(),
    })
    .nullable(),
});

/** A lifted document's answer: what v1 and v2 said, in v3's shape. */
function liftedAnswer(rows: { candidateId: string; depth: number; width: number }[], rec: { candidateId: string; reason: string; rule?: string } | null, none: string | null): Leaderboard['answer'] {
  const row = rec && rows.find((r) => r.candidateId === rec.candidateId);
  const outcome = rec ? (rec.rule === 'best-only' ? 'single-draw' : 'recommend') : none ? 'baseline' : rows.length === 0 ? 'none' : 'recommend';
  const headline = row ? `Use depth ${row.depth} and width ${row.width}.` : none ? 'No network beats the baseline.' : rows.length === 0 ? 'No answer: no candidate produced a result.' : 'No recommendation was recorded.';
  return { outcome, headline, reason: rec?.reason ?? none, next: [], edges: [], needed: null, rule: 'older leaderboard: the one-standard-error rule with a two-sided paired test for "≈ best"' };
}

/** Parse a leaderboard.json of any version; v1 and v2 come back as v3 with the newer fields empty. */
export function parseLeaderboard(value: unknown, where = 'leaderboard.json'): Leaderboard {
  const v3 = leaderboardSchema.safeParse(value);
  if (v3.success) return v3.data;
  const v2 = v2Schema.safeParse(value);
  if (v2.success) {
    const lb = v2.data;
    const rec = lb.recommended;
    return {
      ...lb,
      schema: LEADERBOARD_SCHEMA,
      rows: lb.rows.map(({ withinOneSe: _w, ...r }) => ({
        ...r,
        vsBest: r.vsBest && { ...r.vsBest, pWorse: null },
        vsBaseline: r.vsBaseline && { ...r.vsBaseline, ci95: null },
        test: null,
      })),
      answer: liftedAnswer(lb.rows, rec, lb.noRecommendation),
      recommended: rec && {
        candidateId: rec.candidateId,
        reason: rec.reason,
        test: rec.test,
        finalTest: rec.finalTest && { metric: rec.finalTest.metric, se: null, ci95: null, n: 1, rows: rec.finalTest.rows },
      },
    };
  }
  const v1 = v1Schema.safeParse(value);
  if (v1.success) {
    const lb = v1.data;
    return {
      ...lb,
      schema: LEADERBOARD_SCHEMA,
      metric: { ...lb.metric, unit: null },
      uncertainty: LEADERBOARD_UNCERTAINTY,
      rows: lb.rows.map((r) => ({ ...r, metric: liftV1Metric(r.metric), vsBest: null, approxBest: null, vsBaseline: null, test: null })),
      baseline: null,
      best: lb.rows[0] ? { candidateId: lb.rows[0].candidateId, test: null } : null,
      answer: liftedAnswer(lb.rows, null, null),
      recommended: null,
      noRecommendation: null,
    };
  }
  const issue = v3.error.issues[0]!;
  throw new LayerbenchError(
    `${where}: not a ${LEADERBOARD_SCHEMA} (or v2, v1) document (${issue.path.join('.') || '(root)'}: ${issue.message})`,
    { code: 'E_DOCUMENT', kind: 'fatal' },
  );
}

// ---------------------------------------------------------------------------------------------
// The CSV: the same numbers for spreadsheets.
// ---------------------------------------------------------------------------------------------

export const LEADERBOARD_COLUMNS = [
  'rank',
  'candidateId',
  'depth',
  'width',
  'units',
  'params',
  'metric',
  'unit',
  'metricMean',
  'metricSe',
  'metricStd',
  'ci95Lo',
  'ci95Hi',
  'n',
  'pVsBest',
  'pWorseThanBest',
  'vsBestTest',
  'approxBest',
  'vsBaseline',
  'pVsBaseline',
  'testMean',
  'testCi95Lo',
  'testCi95Hi',
  'recommended',
  'epochs',
  'fitSeconds',
  'samplesPerSecond',
  'backend',
  'costUsd',
  'cpuSeconds',
] as const;

function csvCell(v: string | number | boolean | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Full-precision numbers (for scripts); the columns say what each one is. */
export function leaderboardCsv(lb: Leaderboard): string {
  const lines = [LEADERBOARD_COLUMNS.join(',')];
  const unit = lb.metric.unit ?? '';
  for (const r of lb.rows) {
    lines.push(
      [
        r.rank,
        r.candidateId,
        r.depth,
        r.width,
        r.units.join('-'),
        r.params,
        lb.metric.name,
        unit,
        r.metric.mean,
        r.metric.se,
        r.metric.std,
        r.metric.ci95?.[0],
        r.metric.ci95?.[1],
        r.metric.n,
        r.vsBest?.p,
        r.vsBest?.pWorse,
        r.vsBest?.test,
        r.approxBest,
        r.vsBaseline?.verdict,
        r.vsBaseline?.p,
        r.test?.metric,
        r.test?.ci95?.[0],
        r.test?.ci95?.[1],
        lb.recommended?.candidateId === r.candidateId,
        r.epochs,
        r.fitSeconds,
        r.samplesPerSecond,
        r.backend,
        r.cost?.usd,
        r.cost?.cpuSeconds,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  const b = lb.baseline;
  if (b) {
    const cells: Partial<Record<(typeof LEADERBOARD_COLUMNS)[number], string | number | null>> = {
      candidateId: `baseline: ${b.name}`,
      params: 0,
      metric: lb.metric.name,
      unit,
      metricMean: b.metric,
      metricSe: b.se,
      ci95Lo: b.ci95?.[0] ?? null,
      ci95Hi: b.ci95?.[1] ?? null,
      n: b.n,
    };
    lines.push(LEADERBOARD_COLUMNS.map((c) => csvCell(cells[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

