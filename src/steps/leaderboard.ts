/**
 * The leaderboard of a run, runs/<runId>/leaderboard.{json,csv,md}: built from its candidate documents
 * by the same analysis as the report (src/report/stats.ts), so scripts get the ranking, the paired
 * comparisons, the baseline, the recommendation and the test scores without parsing the report.
 *
 * Ranked by the sweep's metric (mean over folds and repeats, direction from the metric), ties broken
 * by fewer parameters, then by candidate id so the order is total. "±" (in the Markdown) is the
 * standard error of the mean over trials; the JSON carries `se`, `std` and the 95 % interval `ci95`
 * (`[lo, hi]`, null with one trial). Test scores are on the held-out test split and are never used for
 * choosing.
 *
 * `layerbench.leaderboard.v2`; v1 documents (written before the baseline, the recommendation and the
 * test scores existed) are read by `parseLeaderboard`, which lifts them to v2 with those fields null.
 * The CSV has one row per ranked candidate and, when the run has a baseline, a last row for it
 * (`rank` empty, `candidateId` "baseline: <name>").
 *
 * Optional fields (absent in documents written before them): `cost` per row and for the run, estimated
 * from what the candidates measured (src/cost/estimate.ts, the price table's region and date named);
 * `search` for halving runs — the rounds, the candidates stopped at an earlier rung (not ranked: they
 * trained fewer epochs), what a budget left untrained, and the epochs trained against the full grid's.
 */
import { z } from 'zod';
import { LayerbenchError } from '../errors.js';
import { fmtInterval, fmtMeanSe, fmtP, fmtValue, PLUS_MINUS, PLUS_MINUS_NOTE, withUnit } from '../report/format.js';
import { analyzeRun, baselineMark, recommendedTest, tQuantile, type AnalyzeExtras, type RankedCandidate, type Summary } from '../report/stats.js';
import { runCost, type RunCost } from '../cost/estimate.js';
import type { PriceTable } from '../cost/prices.js';
import type { CandidateDoc } from '../results/document.js';
import { currentRound, epochsSaved, lastRounds, type HalvingState } from '../results/halving.js';
import { METRICS } from '../sweep/schema.js';
import type { RunManifest } from './manifest.js';

export const LEADERBOARD_SCHEMA = 'layerbench.leaderboard.v2' as const;
export const LEADERBOARD_SCHEMA_V1 = 'layerbench.leaderboard.v1' as const;

/** What "±" and the intervals mean, written into every leaderboard.json. */
export const LEADERBOARD_UNCERTAINTY = `${PLUS_MINUS}: ${PLUS_MINUS_NOTE}; ci95 is the 95 % Student-t interval of the mean, null with one trial`;

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
});
export type SearchSummary = z.infer<typeof searchSummarySchema>;

export const leaderboardRowSchema = z.object({
  rank: z.number().int(),
  candidateId: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  units: z.array(z.number().int()),
  params: z.number().int().nullable(),
  /** The ranking metric on validation data over folds × repeats. */
  metric: z.object({ mean: z.number(), se: z.number().nullable(), std: z.number().nullable(), ci95: interval, n: z.number().int() }),
  /** Against the best: the paired (Nadeau–Bengio corrected) test, or Welch's where trials could not be paired. */
  vsBest: z.object({ test: z.enum(['paired', 'welch']), p: z.number(), pairs: z.number().int().nullable() }).nullable(),
  /** "≈ best": p ≥ 0.05 against the best (true for the best); null when untestable (one trial). */
  approxBest: z.boolean().nullable(),
  /** Mean within one standard error of the best's mean; null when the best has one trial. */
  withinOneSe: z.boolean().nullable(),
  /** Against the baseline on the same trials; null when the run has none. */
  vsBaseline: z
    .object({
      verdict: z.enum(['beats', 'not-clearly-better', 'better-untested', 'does-not-beat']),
      /** Candidate minus baseline, mean over the shared trials. */
      difference: z.number(),
      p: z.number().nullable(),
    })
    .nullable(),
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

/** A score on the held-out test split — never used for choosing. */
export const testScoreSchema = z.object({
  /** Mean over the candidate's trial models. */
  metric: z.number(),
  se: z.number().nullable(),
  ci95: interval,
  n: z.number().int(),
  rows: z.number().int(),
});
export type TestScore = z.infer<typeof testScoreSchema>;

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
  /** The recommendation (one-standard-error rule, among candidates that beat the baseline). */
  recommended: z
    .object({
      candidateId: z.string(),
      rule: z.enum(['one-standard-error', 'best-only']),
      reason: z.string(),
      /** Its trial models on the test split. */
      test: testScoreSchema.nullable(),
      /** The final model (runs/<id>/model/final.json) on the test split, once Finalize has written it. */
      finalTest: z.object({ metric: z.number(), rows: z.number().int() }).nullable(),
    })
    .nullable(),
  /** Why there is no recommendation although candidates were ranked (none beats the baseline). */
  noRecommendation: z.string().nullable(),
  /** The run's estimated cost; absent in older leaderboards. */
  cost: runCostSchema.optional(),
  /** Halving and hyperband runs: rounds, rungs and epochs saved; absent otherwise. */
  search: searchSummarySchema.optional(),
  generatedAt: z.string(),
});
export type Leaderboard = z.infer<typeof leaderboardSchema>;

/** A candidate with no document, and why (what the Map's Catch reported, or that nothing was). */
export interface MissingResult {
  candidateId: string;
  reason: string;
}

const ci95 = (s: Pick<Summary, 'ci'>): [number, number] | null => (s.ci ? [s.ci.lo, s.ci.hi] : null);

function testScore(s: (Summary & { rows: number }) | null): TestScore | null {
  return s && { metric: s.mean, se: s.se, ci95: ci95(s), n: s.n, rows: s.rows };
}

function row(c: RankedCandidate, cost: RunCost | null): LeaderboardRow {
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
    metric: { mean: c.summary.mean, se: c.summary.se, std: c.summary.std, ci95: ci95(c.summary), n: c.summary.n },
    vsBest: c.vsBest && { test: c.vsBest.kind, p: c.vsBest.p, pairs: c.vsBest.kind === 'paired' ? c.vsBest.pairs : null },
    approxBest: c.indistinguishable,
    withinOneSe: c.withinOneSe,
    vsBaseline: c.vsBaseline && { verdict: c.vsBaseline.verdict, difference: c.vsBaseline.difference, p: c.vsBaseline.test?.p ?? null },
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
  manifest: Pick<RunManifest, 'runId' | 'sweep' | 'dataset' | 'candidates'>,
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
  const rt = recommendedTest(a);
  const b = a.baseline;
  return {
    schema: LEADERBOARD_SCHEMA,
    runId: manifest.runId,
    sweep: manifest.sweep.name,
    dataset: { ...manifest.dataset },
    metric: { name: a.metric as Leaderboard['metric']['name'], higherIsBetter: a.higherIsBetter, unit: a.unit },
    uncertainty: LEADERBOARD_UNCERTAINTY,
    candidates: manifest.candidates.length,
    rows: a.ranked.map((c) => row(c, cost)),
    failed,
    baseline: b && { name: b.name, description: b.description, metric: b.summary.mean, se: b.summary.se, ci95: ci95(b.summary), n: b.summary.n, test: b.test },
    best: a.best && { candidateId: a.best.id, test: testScore(a.best.test) },
    recommended: rec && {
      candidateId: rec.candidate.id,
      rule: rec.rule,
      reason: rec.reason,
      test: testScore(rec.candidate.test),
      finalTest: rt?.source === 'final model' ? { metric: rt.score, rows: rt.rows } : null,
    },
    noRecommendation: a.noRecommendation,
    ...(cost && more.prices ? { cost: costSummary(cost, more.prices) } : {}),
    ...(more.halving ? { search: searchSummary(more.halving, [...docs, ...stopped], manifest.candidates.length) } : {}),
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

function searchSummary(state: HalvingState, docs: readonly CandidateDoc[], candidates: number): SearchSummary {
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
  };
}

/** Lines about a halving run's rungs and the run's cost, for leaderboard.md, the terminal and the report. */
export function searchNotes(lb: Pick<Leaderboard, 'search' | 'cost' | 'rows' | 'candidates'>): string[] {
  const out: string[] = [];
  const s = lb.search;
  if (s) {
    const rounds = s.rounds.map((r) => `${r.trained} at ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}${r.promoted === null ? '' : ` → ${r.promoted} promoted`}`).join('; ');
    const pct = s.gridEpochs > 0 ? Math.round((100 * s.epochsTrained) / s.gridEpochs) : 0;
    out.push(
      `${s.strategy} (eta ${s.eta}): ${rounds}. Trained ${s.epochsTrained.toLocaleString('en-US')} epochs in all, ${pct} % of the full grid's ${s.gridEpochs.toLocaleString('en-US')} (every candidate × trials × training.epochs); ${s.stopped.length} candidate${s.stopped.length === 1 ? '' : 's'} stopped at an earlier rung and ${s.stopped.length === 1 ? 'is' : 'are'} not ranked.`,
    );
    if (s.ended) out.push(`rounds ended early (${s.ended.reason}): ${s.ended.message}; left untrained: ${s.ended.untrained.length} candidate${s.ended.untrained.length === 1 ? '' : 's'} to ${s.ended.epochs} epochs (${s.ended.untrained.join(', ')}).`);
  }
  const c = lb.cost;
  if (c && c.basis !== 'none') {
    const basis = c.basis === 'local' ? `${fmtSeconds(c.cpuSeconds)} CPU-seconds priced as Lambda` : c.basis === 'lambda' ? 'Lambda' : 'Lambda and local';
    out.push(
      `estimated cost $${fmtUsd(c.usd)} (${basis}: ${fmtSeconds(c.gbSeconds)} GB-s, ${c.requests} requests, ${c.transitions} state transitions; prices ${c.region}, ${c.date})${c.unmeasured > 0 ? `; ${c.unmeasured} candidate${c.unmeasured === 1 ? '' : 's'} without a compute record left out` : ''}.`,
    );
  }
  return out;
}

const fmtSeconds = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
/** Dollars to two significant digits below a cent, cents above. */
export const fmtUsd = (x: number) => (x >= 0.01 ? x.toFixed(2) : x === 0 ? '0' : x.toPrecision(2));

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

/** Parse a leaderboard.json of either version; v1 comes back as v2 with the newer fields empty. */
export function parseLeaderboard(value: unknown, where = 'leaderboard.json'): Leaderboard {
  const v2 = leaderboardSchema.safeParse(value);
  if (v2.success) return v2.data;
  const v1 = v1Schema.safeParse(value);
  if (v1.success) {
    const lb = v1.data;
    return {
      ...lb,
      schema: LEADERBOARD_SCHEMA,
      metric: { ...lb.metric, unit: null },
      uncertainty: LEADERBOARD_UNCERTAINTY,
      rows: lb.rows.map((r) => ({ ...r, metric: liftV1Metric(r.metric), vsBest: null, approxBest: null, withinOneSe: null, vsBaseline: null })),
      baseline: null,
      best: lb.rows[0] ? { candidateId: lb.rows[0].candidateId, test: null } : null,
      recommended: null,
      noRecommendation: null,
    };
  }
  const issue = v2.error.issues[0]!;
  throw new LayerbenchError(
    `${where}: not a ${LEADERBOARD_SCHEMA} (or ${LEADERBOARD_SCHEMA_V1}) document (${issue.path.join('.') || '(root)'}: ${issue.message})`,
    { code: 'E_DOCUMENT', kind: 'fatal' },
  );
}

// ---------------------------------------------------------------------------------------------
// Renderings: CSV and Markdown.
// ---------------------------------------------------------------------------------------------

const num = (x: number | null, digits: number) => (x === null ? '' : Number(x.toFixed(digits)).toString());

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
  'vsBestTest',
  'approxBest',
  'withinOneSe',
  'vsBaseline',
  'pVsBaseline',
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
        r.vsBest?.test,
        r.approxBest,
        r.withinOneSe,
        r.vsBaseline?.verdict,
        r.vsBaseline?.p,
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

const mdCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The marks of a row: recommended, ≈ best, and how it fares against the baseline. */
export function rowMarks(lb: Leaderboard, r: LeaderboardRow): string[] {
  const m: string[] = [];
  if (lb.recommended?.candidateId === r.candidateId) m.push('recommended');
  if (r.rank !== 1 && r.approxBest === true) m.push('≈ best');
  const b = r.vsBaseline ? baselineMark({ vsBaseline: { verdict: r.vsBaseline.verdict, difference: r.vsBaseline.difference, test: null } }) : null;
  if (b) m.push(b.short);
  return m;
}

/** `0.8320 ± 0.0018 (95 % CI 0.8271 – 0.8369, 5 trial models)` or the single value. */
export function fmtTestScore(t: TestScore, unit: string | null): string {
  const models = `${t.n} trial model${t.n === 1 ? '' : 's'}`;
  return t.ci95 ? `${fmtMeanSe(t.metric, t.se, unit)} (95 % CI ${fmtInterval(t.ci95, t.se, unit)}, ${models})` : `${fmtMeanSe(t.metric, t.se, unit)} (${models}, no interval)`;
}

/** Lines about the baseline, the recommendation and the test scores, shared by leaderboard.md and the terminal. */
export function leaderboardNotes(lb: Leaderboard): string[] {
  const out: string[] = [];
  const m = lb.metric.name;
  const unit = lb.metric.unit;
  const label = (id: string) => {
    const r = lb.rows.find((x) => x.candidateId === id);
    return r ? `depth ${r.depth}, width ${r.width}` : id;
  };
  if (lb.baseline) {
    const b = lb.baseline;
    const beaten = lb.rows.filter((r) => r.vsBaseline?.verdict !== 'does-not-beat').length;
    out.push(
      `baseline "${b.name}" — ${b.description} — ${m} ${fmtMeanSe(b.metric, b.se, unit)} on the same splits; ` +
        `${beaten === lb.rows.length ? 'every candidate beats it on average' : `${lb.rows.length - beaten} of ${lb.rows.length} candidates ${lb.rows.length - beaten === 1 ? 'does' : 'do'} not beat it`}.`,
    );
  }
  if (lb.rows.length > 0 && lb.rows.every((r) => r.metric.n < 2)) {
    out.push('one trial per candidate: no standard error and no interval; the ranking is a single draw.');
  }
  if (lb.noRecommendation) out.push(`no recommendation: ${lb.noRecommendation}`);
  const tests: string[] = [];
  const rec = lb.recommended;
  if (rec?.finalTest) tests.push(`final model (${label(rec.candidateId)}) ${withUnit(fmtValue(rec.finalTest.metric), unit)} on ${rec.finalTest.rows} rows`);
  if (rec?.test) tests.push(`recommended ${fmtTestScore(rec.test, unit)}`);
  if (lb.best?.test && lb.best.candidateId !== rec?.candidateId) tests.push(`best-ranked (${label(lb.best.candidateId)}) ${fmtTestScore(lb.best.test, unit)}`);
  if (lb.baseline?.test) tests.push(`baseline ${withUnit(fmtValue(lb.baseline.test.metric), unit)}`);
  if (tests.length) out.push(`test — never used for choosing (${m}): ${tests.join('; ')}.`);
  return out;
}

export function leaderboardMarkdown(lb: Leaderboard): string {
  const dir = lb.metric.higherIsBetter ? 'higher is better' : 'lower is better';
  const unit = lb.metric.unit;
  const head = `${lb.metric.name}${unit ? ` (${unit})` : ''}, ${PLUS_MINUS}`;
  const priced = lb.cost !== undefined;
  const out = [
    `# Leaderboard: ${lb.sweep}`,
    '',
    `Run \`${lb.runId}\` · dataset \`${lb.dataset.key}\` (version ${lb.dataset.version}) · ${lb.rows.length} of ${lb.candidates} candidates ranked by validation ${lb.metric.name} (${dir}). ${PLUS_MINUS_NOTE}; the 95 % CI is Student's t; "p vs best": paired t-test on the same folds and repeats, Nadeau–Bengio corrected.`,
    '',
    `| rank | depth | width | units | params | ${head} | 95 % CI | n | p vs best | marks | epochs | fit s | samples/s | ${priced ? 'cost $ | ' : ''}backend | candidate |`,
    `|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|${priced ? '---:|' : ''}---|---|`,
  ];
  for (const r of lb.rows) {
    const ci = r.metric.ci95 ? fmtInterval(r.metric.ci95, r.metric.se) : 'no interval';
    out.push(
      `| ${r.rank} | ${r.depth} | ${r.width} | ${r.units.join('-')} | ${r.params ?? ''} | ${fmtMeanSe(r.metric.mean, r.metric.se)} | ${ci} | ${r.metric.n} | ${fmtP(r.vsBest?.p)} | ${rowMarks(lb, r).join(', ')} | ${num(r.epochs, 1)} | ${num(r.fitSeconds, 1)} | ${num(r.samplesPerSecond, 0)} | ${priced ? `${r.cost ? fmtUsd(r.cost.usd) : ''} | ` : ''}${r.backend} | \`${r.candidateId}\` |`,
    );
  }
  if (lb.baseline) {
    const b = lb.baseline;
    out.push(`|  |  |  | baseline: ${mdCell(b.name)} | 0 | ${fmtMeanSe(b.metric, b.se)} | ${b.ci95 ? fmtInterval(b.ci95, b.se) : 'no interval'} | ${b.n} |  |  |  |  |  |${priced ? '  |' : ''}  |  |`);
  }
  const notes = [...leaderboardNotes(lb), ...searchNotes(lb)];
  if (lb.recommended) notes.unshift(`recommended: \`${lb.recommended.candidateId}\` — ${lb.recommended.reason}`);
  if (notes.length) out.push('', ...notes.map((n) => `- ${mdCell(n)}`));
  if (lb.failed.length > 0) {
    out.push('', `## Failed (${lb.failed.length})`, '');
    for (const f of lb.failed) out.push(`- \`${f.candidateId}\` (depth ${f.depth}, width ${f.width}): ${mdCell(f.reason)}`);
  }
  if (lb.search && lb.search.stopped.length > 0) {
    out.push('', `## Stopped at an earlier rung (${lb.search.stopped.length})`, '', `| rung | epochs | depth | width | ${lb.metric.name} | verdict | p vs cut | candidate |`, '|---:|---:|---:|---:|---:|---|---:|---|');
    for (const x of lb.search.stopped) {
      out.push(`| ${x.round} | ${x.epochs} | ${x.depth} | ${x.width} | ${x.metric === null ? '' : fmtValue(x.metric)} | ${x.verdict} | ${fmtP(x.p)} | \`${x.candidateId}\` |`);
    }
  }
  return `${out.join('\n')}\n`;
}
