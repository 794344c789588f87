/**
 * A run's result documents, analysed: the candidates ranked, compared with the best and the baseline,
 * the decision (src/stats/decision.ts — the one rule), the Pareto front, and the test scores with
 * intervals that count the test rows' sampling error. The leaderboard (what scripts read) and the
 * report (what people read) are both built from this one analysis; neither decides anything itself.
 *
 * Numbers only: the words for them are in verdict.ts and the report.
 */
import {
  compareOnRows,
  decide,
  metricScale,
  pBetter,
  pWorse,
  modelTestInterval,
  paretoFront,
  rowRatio,
  sharedRowsVariance,
  trialInterval,
  trialModelsTestInterval,
  validationInterval,
  critical,
  SIGNIFICANCE,
  type BaselineComparison,
  type Comparison,
  type Edge,
  type Outcome,
  type ScoreInterval,
  type Summary,
  type TrialPoint,
  type TrialsNeeded,
} from '../stats/index.js';
import { metricUnit } from '../format.js';
import { higherIsBetter as metricHigherIsBetter, rankingMetric, type SweepSpec } from '../sweep/schema.js';
import type { BaselineDoc } from './baseline.js';
import type { CandidateDoc, Trial } from './document.js';
import type { FinalModelDoc } from './final-model.js';

/** A ranked candidate; `doc` is whatever was ranked: whole documents (the report) or their digests (Aggregate). */
export interface RankedCandidate<D extends CandidateDigest = CandidateDoc> {
  doc: D;
  id: string;
  /** `dense d3 w64`: the family, depth and width as the report names them. */
  label: string;
  depth: number;
  width: number;
  /** Parameter count; null when the document has neither a count nor layer summaries. */
  params: number | null;
  /**
   * The validation score over its trials: the mean, "±" (the standard error, Nadeau–Bengio corrected
   * for the trials' shared training rows) and the 95 % interval on the metric's scale.
   */
  summary: Summary;
  /** The validation score of every trial, with its (repeat, fold). */
  points: TrialPoint[];
  /** 1 = best. Ties in the mean go to the smaller network. */
  rank: number;
  /** The candidate against the best (paired when possible); null for the best itself or when n < 2. */
  vsBest: Comparison | null;
  /** One-sided p-value of "worse than the best"; null for the best or when untestable. */
  pWorse: number | null;
  /** "≈ best": not significantly worse than the best and within its standard error (the decision rule). True for the best; null when untestable. */
  approxBest: boolean | null;
  /** Not significantly worse than the best, but trailing by more than its standard error: the data cannot tell. */
  undecided: boolean;
  pareto: boolean;
  /** Against the run's baseline; null when the run has none. */
  vsBaseline: BaselineComparison | null;
  /** Its trial models on the held-out test split — shown, never used for choosing. */
  test: TestScore | null;
}

/** A score on the held-out test split, with the interval of what it estimates. */
export interface TestScore {
  /** final model: the one model handed over; trial models: the candidate's trial models (their mean). */
  source: 'final model' | 'trial models';
  score: number;
  /** Standard error and 95 % interval; null when the document keeps no per-row results (older runs). */
  se: number | null;
  ci: { lo: number; hi: number } | null;
  /** Models behind the score. */
  n: number;
  rows: number;
}

export interface BaselineSummary {
  name: BaselineDoc['name'];
  description: string;
  summary: Summary;
  points: TrialPoint[];
  /** Fitted on all non-test rows, scored on the test split; null without a test split. */
  test: BaselineDoc['test'];
}

export interface RunAnalysis<D extends CandidateDigest = CandidateDoc> {
  metric: string;
  higherIsBetter: boolean;
  /** The metric's unit (dataset.unit for errors, squared for mse); null for accuracy or when none was given. */
  unit: string | null;
  /** Succeeded candidates with finite scores, best first. */
  ranked: RankedCandidate<D>[];
  /** Failed candidates, and succeeded ones without a finite score. */
  failed: D[];
  best: RankedCandidate<D> | null;
  /** What kind of answer the run gives (src/stats/decision.ts). */
  outcome: Outcome;
  /** The candidate to use; null when the outcome is `baseline` or `none`. */
  recommended: RankedCandidate<D> | null;
  /** Where the recommendation sits at the end of an axis, and what to try. */
  edges: Edge[];
  /** Outcome `undecided`: the gap to the best and the trials that would resolve it. */
  needed: TrialsNeeded | null;
  /** The Pareto front, fewest parameters first. */
  pareto: RankedCandidate<D>[];
  /** Trials per candidate (the most common n). */
  trialsPerCandidate: number;
  baseline: BaselineSummary | null;
  /** The refit recommended model's document (model/final.json); null until Finalize wrote it. */
  final: FinalModelDoc | null;
}

export interface AnalyzeExtras {
  baseline?: BaselineDoc | null;
  final?: FinalModelDoc | null;
}

/** A trial as ranking and costing read it: no epoch curve (only its length), no test rows (see CandidateDigest). */
export type TrialDigest = Omit<Trial, 'epochs' | 'test'> & { epochs: { readonly length: number }; test?: Omit<NonNullable<Trial['test']>, 'blocks'> };

/**
 * A candidate document as the leaderboard, the decision and the cost read it (Aggregate): the whole
 * document but the per-epoch curves (only how many epochs each trial trained), the test split's row
 * blocks (their score is kept instead: `testScore`, what trialModelsTest gives) and the layer
 * summaries (kept only where they give the parameter count: documents without `parameterCount`).
 * About a sixth of a parsed document's memory: what lets one Aggregate hold 10,000 candidates. A
 * whole CandidateDoc is a CandidateDigest too (without `testScore`: it is computed from its trials).
 */
export type CandidateDigest = Omit<CandidateDoc, 'trials'> & { trials: TrialDigest[]; testScore?: TestScore | null };

/** The digest of a parsed document, its test score on `metric` (the run's ranking metric) computed before its row blocks go. */
export function digestCandidateDoc(doc: CandidateDoc, metric: string): CandidateDigest {
  return {
    ...doc,
    layers: doc.parameterCount === null ? doc.layers : [],
    trials: doc.trials.map(({ epochs, test, ...t }) => ({ ...t, epochs: { length: epochs.length }, ...(test ? { test: { metric: test.metric, loss: test.loss, rows: test.rows } } : {}) })),
    testScore: trialModelsTest(doc, metric),
  };
}

/** Parameter count of a document: the recorded count, or the sum over its layer summaries. */
export function parameterCount(doc: Pick<CandidateDigest, 'parameterCount' | 'layers'>): number | null {
  if (doc.parameterCount !== null) return doc.parameterCount;
  return doc.layers.length > 0 ? doc.layers.reduce((s, l) => s + l.params, 0) : null;
}

export function candidateLabel(doc: Pick<CandidateDoc, 'candidate'>): string {
  const c = doc.candidate;
  return `${c.family} d${c.depth} w${c.width}`;
}

/** The per-trial scores of a document (the recorded list, else each trial's valMetric). */
export function metricValues(doc: Pick<CandidateDigest, 'metric' | 'trials'>): number[] {
  return doc.metric.values.length > 0 ? doc.metric.values : doc.trials.map((t) => t.valMetric);
}

/** A document's trials as points (finite validation scores only). */
export function trialPoints(doc: Pick<CandidateDigest, 'trials'>): TrialPoint[] {
  return doc.trials
    .filter((t) => Number.isFinite(t.valMetric))
    .map((t) => ({
      repeat: t.repeat,
      fold: t.fold,
      value: t.valMetric,
      trainRows: t.trainRows,
      valRows: t.valRows,
      ...(t.split ? { split: t.split } : {}),
      ...(t.valBlocks ? { blocks: t.valBlocks } : {}),
    }));
}

/** A Summary from a ranged interval (or the bare mean with one value). */
function summaryOf(values: readonly number[], interval: ScoreInterval | null): Summary {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (!interval) return { n, mean, std: null, se: null, tCritical: null, ci: null };
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, std, se: interval.se, tCritical: critical(interval.df), ci: { lo: interval.lo, hi: interval.hi } };
}

/**
 * A candidate's validation score: mean over trials, its standard error and the 95 % interval on the
 * metric's scale (src/stats/intervals.ts validationInterval: Nadeau–Bengio corrected; for accuracy the
 * validation rows' binomial variance as the design gives it, plus the trials' spread beyond it).
 */
export function scoreSummary(metric: string, points: readonly TrialPoint[]): Summary {
  // Trials that share a split (repeats of a time-ordered holdout) add their rows' sampling error (shared-rows.ts).
  return summaryOf(
    points.map((p) => p.value),
    validationInterval(metric, points, 0.95, sharedRowsVariance(metric, points)),
  );
}

/** The baseline document as the analysis uses it; null when it has no finite trial. */
export function baselineSummary(doc: BaselineDoc, metric: string): BaselineSummary | null {
  const points: TrialPoint[] = doc.trials.filter((t) => Number.isFinite(t.valMetric)).map((t) => ({ repeat: t.repeat, fold: t.fold, value: t.valMetric, ...(t.split ? { split: t.split } : {}) }));
  const values = points.length > 0 ? points.map((p) => p.value) : Number.isFinite(doc.mean) ? [doc.mean] : [];
  if (values.length === 0) return null;
  // The baseline's trials carry no row counts: its interval is the plain one over its trials.
  return {
    name: doc.name,
    description: doc.description,
    summary: summaryOf(values, values.length > 1 ? trialInterval(metric, values, 0, Infinity) : null),
    points,
    test: doc.test,
  };
}

/** A candidate's trial models on the test split: their mean, and the interval when every trial kept its per-row results. */
export function trialModelsTest(doc: Pick<CandidateDoc, 'trials'>, metric: string): TestScore | null {
  const tests = doc.trials.filter((t) => t.test !== undefined && Number.isFinite(t.test.metric));
  if (tests.length === 0) return null;
  const rows = tests[0]!.test!.rows;
  const score = tests.reduce((s, t) => s + t.test!.metric, 0) / tests.length;
  const blocks = tests.every((t) => t.test!.blocks && t.test!.rows === rows) ? tests.map((t) => t.test!.blocks!) : null;
  const ci = blocks ? trialModelsTestInterval(metric, blocks, rows, rowRatio(trialPoints({ trials: tests }))) : null;
  return { source: 'trial models', score, se: ci?.se ?? null, ci: ci && { lo: ci.lo, hi: ci.hi }, n: tests.length, rows };
}

/** The final model on the test split, with the interval of its score on new rows; null without a score. */
export function finalModelTest(final: FinalModelDoc | null, metric: string): TestScore | null {
  const t = final?.status === 'succeeded' ? final.test : null;
  if (!t || !Number.isFinite(t.metric)) return null;
  const ci = t.blocks ? modelTestInterval(metric, t.blocks, t.rows) : null;
  return { source: 'final model', score: t.metric, se: ci?.se ?? null, ci: ci && { lo: ci.lo, hi: ci.hi }, n: 1, rows: t.rows };
}

/** Rank a run's candidate documents and decide (src/stats/decision.ts). The spec gives the metric, its direction, unit and axes. */
export function analyzeRun<D extends CandidateDigest>(
  docs: readonly D[],
  spec?: Pick<SweepSpec, 'dataset' | 'evaluation'> & Partial<Pick<SweepSpec, 'model'>>,
  extras: AnalyzeExtras = {},
): RunAnalysis<D> {
  const metric = spec ? rankingMetric(spec) : (docs[0]?.metric.name ?? 'metric');
  const hib = spec ? metricHigherIsBetter(rankingMetric(spec)) : (docs[0]?.metric.higherIsBetter ?? metricScale(metric) === 'proportion');
  const unit = metricUnit(metric, spec?.dataset.unit);
  const baseline = extras.baseline ? baselineSummary(extras.baseline, metric) : null;
  const failed: D[] = [];
  const contenders: Omit<RankedCandidate<D>, 'rank' | 'vsBest' | 'pWorse' | 'approxBest' | 'undecided' | 'pareto' | 'vsBaseline'>[] = [];
  for (const doc of docs) {
    const values = metricValues(doc);
    // A candidate with a non-finite trial is failed as a whole: dropping the trial would bias its mean.
    if (doc.status !== 'succeeded' || values.length === 0 || values.some((v) => !Number.isFinite(v))) {
      failed.push(doc);
      continue;
    }
    const points = trialPoints(doc);
    contenders.push({
      doc,
      id: doc.candidate.id,
      label: candidateLabel(doc),
      depth: doc.candidate.depth,
      width: doc.candidate.width,
      params: parameterCount(doc),
      summary: scoreSummary(metric, points.length === values.length ? points : values.map((value, i) => ({ repeat: i, fold: 0, value }))),
      points,
      // A digest carries its test score; a whole document (no testScore) still has the row blocks it is computed from.
      test: doc.testScore !== undefined ? doc.testScore : trialModelsTest(doc as Pick<CandidateDoc, 'trials'>, metric),
    });
  }
  const axes = spec?.model ? { depth: spec.model.depth, width: spec.model.width } : { depth: docs.map((d) => d.candidate.depth), width: docs.map((d) => d.candidate.width) };
  const decision = decide(
    contenders.map((c) => ({ ...c, mean: c.summary.mean, se: c.summary.se })),
    { higherIsBetter: hib, metric, baseline: baseline && { points: baseline.points, mean: baseline.summary.mean }, axes },
  );
  const ranked: RankedCandidate<D>[] = decision.ranked.map((j) => {
    const { mean: _mean, se: _se, ...c } = j.contender;
    return { ...c, rank: j.rank, vsBest: j.vsBest, pWorse: j.pWorse, approxBest: j.approxBest, undecided: j.undecided, vsBaseline: j.vsBaseline, pareto: false };
  });
  const byId = new Map(ranked.map((c) => [c.id, c]));
  const pareto = paretoFront(
    ranked.map((c) => ({ c, params: c.params, mean: c.summary.mean })),
    hib,
  ).map((x) => x.c);
  for (const c of pareto) c.pareto = true;
  const ns = ranked.map((c) => c.summary.n);
  return {
    metric,
    higherIsBetter: hib,
    unit,
    ranked,
    failed,
    best: ranked[0] ?? null,
    outcome: decision.outcome,
    recommended: decision.chosen ? byId.get(decision.chosen.contender.id)! : null,
    edges: decision.edges,
    needed: decision.needed,
    pareto,
    trialsPerCandidate: ns.length === 0 ? 0 : mode(ns),
    baseline,
    final: extras.final ?? null,
  };
}

function mode(xs: number[]): number {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
}

/**
 * The test score quoted for the recommendation: the final model's when Finalize refit the recommended
 * candidate (an interval about that model), else its trial models' (an interval about the candidate).
 */
export function recommendedTest(a: RunAnalysis<CandidateDigest>): TestScore | null {
  const rec = a.recommended;
  if (!rec) return null;
  if (a.final && a.final.candidateId === rec.id) {
    const f = finalModelTest(a.final, a.metric);
    if (f) return f;
  }
  return rec.test;
}

/**
 * The recommendation's held-out test score against the baseline's, on the same test rows: whether the
 * test upholds what validation chose. Shown, never used for choosing — the recommendation stands.
 */
export interface TestVsBaseline {
  /** worse: below the baseline on the test rows; better: above it; not-better: the rows cannot tell them apart. */
  verdict: 'worse' | 'not-better' | 'better';
  /**
   * How it was decided: `paired`, row by row on the same test rows (src/stats/test-rows.ts), where the
   * final model and the baseline both keep per-row results; `interval`, the baseline's score against
   * the model's 95 % interval (older baseline documents, or trial models); `none`, the scores alone
   * (documents with no per-row results: only "worse" is said, untested).
   */
  test: 'paired' | 'interval' | 'none';
  source: TestScore['source'];
  score: number;
  baseline: number;
  rows: number;
  /** One-sided p-values of "worse than the baseline" and "better than the baseline"; null unless paired. */
  pWorse: number | null;
  pBetter: number | null;
  /** The model's standard error and 95 % interval on the test rows (what the interval check reads). */
  se: TestScore['se'];
  ci: TestScore['ci'];
}

/**
 * The recommended candidate's test score (recommendedTest: the final model's, else its trial models')
 * against the baseline's on the same test split; null without a recommendation, a test score of each,
 * or when their rows differ.
 *
 * The rule, best first: a paired one-sided test on the same rows at SIGNIFICANCE (McNemar's idea:
 * rows both get right or wrong cancel, so it is the sharpest honest test one test split allows;
 * STATISTICS.md: bootstrap over the evaluation rows, seeded — here its variance without resampling).
 * Without per-row results of both, the baseline's test score against the model's 95 % interval: the
 * baseline's own sampling error on those rows is left out, which makes that check less sure than the
 * paired one in both directions, so it is kept for documents that allow nothing better. With no interval
 * either, only a model scoring below the baseline is reported, as untested.
 */
export function testVsBaseline(a: RunAnalysis<CandidateDigest>): TestVsBaseline | null {
  const t = recommendedTest(a);
  const b = a.baseline?.test;
  if (!a.recommended || !t || !b || t.rows !== b.rows || !Number.isFinite(b.metric)) return null;
  const hib = a.higherIsBetter;
  const base = { source: t.source, score: t.score, baseline: b.metric, rows: t.rows, se: t.se, ci: t.ci };
  const finalBlocks = t.source === 'final model' ? a.final?.test?.blocks : undefined;
  const paired = finalBlocks && b.blocks ? compareOnRows(a.metric, finalBlocks, b.blocks, t.rows) : null;
  if (paired) {
    const pw = pWorse(paired, hib);
    const pb = pBetter(paired, hib);
    return { ...base, verdict: pw < SIGNIFICANCE ? 'worse' : pb < SIGNIFICANCE ? 'better' : 'not-better', test: 'paired', pWorse: pw, pBetter: pb };
  }
  if (t.ci) {
    const below = hib ? t.ci.hi < b.metric : t.ci.lo > b.metric;
    const above = hib ? t.ci.lo > b.metric : t.ci.hi < b.metric;
    return { ...base, verdict: below ? 'worse' : above ? 'better' : 'not-better', test: 'interval', pWorse: null, pBetter: null };
  }
  const worse = hib ? t.score < b.metric : t.score > b.metric;
  return worse ? { ...base, verdict: 'worse', test: 'none', pWorse: null, pBetter: null } : null;
}
