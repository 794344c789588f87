/**
 * One run's report, assembled once (analysis, diagnoses, charts, Keras code, history comparison, the
 * baseline, the test scores and the data summary) and then written as report.html and report.md under
 * runs/<runId>/. `writeRunReport` is what the workflow calls once the run's documents are in the store.
 */
import { NotFoundError } from '../errors.js';
import type { CandidateDoc } from '../results/document.js';
import type { SweepSpec } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { FinalModelDoc } from '../results/final-model.js';
import { diagnoseRun } from './diagnose.js';
import { compareWithHistory, historyEntry, historyHtml, type HistoryComparison } from './history.js';
import { readHistory, recordHistoryEntry } from './history-store.js';
import { renderReportHtml } from './html.js';
import { kerasCode } from './keras.js';
import { renderReportMarkdown } from './markdown.js';
import { readRunExtras, type RunExtras } from '../results/run-extras.js';
import type { Leaderboard } from '../results/leaderboard.js';
import { leaderboardMarkdown } from './leaderboard-text.js';
import { analyzeRun, type RunAnalysis } from '../results/analysis.js';
import { modelsText } from './models-text.js';
import { loadPreprocessing } from '../artifacts/preprocessing.js';
import type { Preprocessing } from '../data/preprocess.js';
import { runEffects } from './effects.js';
import { chartFigures, effectsFigure, twoLayouts } from './figures.js';
import { readLearningCurve } from '../results/learning-curve.js';
import { learningCurveSpec } from './charts/learning-curve.js';
import type { ReportCurve } from './learning-curve-section.js';
import { drawAhead } from './charts/render.js';

export type { ReportFigures, ReportLinks, RunReport } from './report-model.js';
import type { RunReport } from './report-model.js';

/** The final model's card relative to the report (`model/README.md`); null unless the final model succeeded and saved one. */
export function modelCardLink(runId: string, final: FinalModelDoc | null): string | null {
  const card = final?.status === 'succeeded' ? final.keys.card : undefined;
  if (!card) return null;
  const here = keys.run(runId);
  return card.startsWith(here) ? card.slice(here.length) : null;
}

/** The history page relative to runs/<runId>/report.html: `../../history/<sweep>.html`. */
export function historyLink(sweep: string): string {
  return `../../${historyPageKey(sweep).split('/').map(encodeURIComponent).join('/')}`;
}

/** The run's date: the latest `finishedAt` of its documents (deterministic, unlike "now"). */
export function runDate(docs: readonly CandidateDoc[]): string {
  const dates = docs
    .map((d) => d.finishedAt)
    .filter((d) => d)
    .sort();
  return dates.at(-1) ?? new Date(0).toISOString();
}

const NO_EXTRAS: RunExtras = { baseline: null, final: null, data: null };

/** Assemble the report (pure but for rendering the charts). */
export async function buildRunReport(
  runId: string,
  spec: SweepSpec,
  docs: readonly CandidateDoc[],
  comparison: HistoryComparison | null = null,
  extras: RunExtras = NO_EXTRAS,
  /** The preprocessing of the model layerbench hands over (the final model's, else the recommended candidate's saved model's). */
  preprocessing: Preprocessing | null = null,
): Promise<RunReport> {
  const analysis = analyzeRun(docs, spec, extras);
  const diagnosis = diagnoseRun(analysis, spec);
  const rec = analysis.recommended;
  const effects = runEffects(analysis);
  const [effectsFig, charts] = await Promise.all([effectsFigure(analysis, effects), chartFigures(analysis, docs, spec.dataset.task)]);
  return {
    runId,
    spec,
    docs: [...docs],
    analysis,
    diagnosis,
    data: extras.data,
    keras: rec && rec.doc.layers.length > 0 ? kerasCode(rec.doc, spec, preprocessing) : null,
    models: modelsText(runId, analysis, extras.final),
    date: runDate(docs),
    comparison,
    effects,
    figures: { effects: effectsFig, charts },
    links: { history: null, modelCard: modelCardLink(runId, extras.final), leaderboard: null },
    search: null,
  };
}

/**
 * The preprocessing of the model the run hands over, for the Keras code's column list and encoding:
 * the final model's, else the recommended candidate's saved model's; null when neither was saved.
 */
export async function handedOverPreprocessing(store: Store, runId: string, analysis: RunAnalysis, extras: RunExtras): Promise<Preprocessing | null> {
  const rec = analysis.recommended;
  const prefix =
    extras.final?.status === 'succeeded' && extras.final.candidateId === rec?.id
      ? keys.finalModel(runId)
      : rec?.doc.savedModel
        ? rec.doc.savedModel.preprocessingKey.replace(/preprocessing\.json$/, '')
        : null;
  if (!prefix) return null;
  try {
    return await loadPreprocessing(store, prefix);
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

/**
 * runs/<runId>/model/model.py: the recommended architecture as a Keras script, beside the final model
 * it describes (`python model.py data.csv` trains it the same way).
 */
export function finalModelScriptKey(runId: string): string {
  return `${keys.finalModel(runId)}model.py`;
}

/** The run's learning curve and its chart (both layouts); null when the run has none or it cannot be read. */
async function readReportCurve(store: Store, runId: string): Promise<ReportCurve | null> {
  const doc = await readLearningCurve(store, runId);
  if (!doc) return null;
  const [wide, narrow] = [learningCurveSpec(doc, 'wide'), learningCurveSpec(doc, 'narrow')];
  return { doc, figure: wide && narrow ? await twoLayouts('learning-curve', wide, narrow) : null };
}

/**
 * Draw a run's figures ahead of its report (the costly part of writeRunReport: vega draws each), from
 * what the store holds now; writeRunReport then finds each figure whose spec came out the same drawn
 * already (src/report/charts/render.ts drawAhead). The local runner calls this while Finalize refits.
 */
export async function drawRunFiguresAhead(store: Store, runId: string, spec: SweepSpec, docs: readonly CandidateDoc[], extras: RunExtras): Promise<void> {
  await drawAhead(async () => {
    const analysis = analyzeRun(docs, spec, extras);
    await Promise.all([effectsFigure(analysis, runEffects(analysis)), chartFigures(analysis, docs, spec.dataset.task), readReportCurve(store, runId)]);
  });
}

/** The history page's key: history/<sweep>.html. */
export function historyPageKey(sweep: string): string {
  return keys.history(sweep).replace(/\.json$/, '.html');
}

export interface WriteRunReportOptions {
  /** Record the run in the sweep's history (history/<sweep>/<runId>.json) and rewrite history/<sweep>.html (default true). */
  history?: boolean;
  /** The baseline, final model and data summary; read from the store when not given. */
  extras?: RunExtras;
  /** The run's leaderboard, for the search and cost section (halving rungs, cost per candidate and run). */
  leaderboard?: Leaderboard | null;
}

/**
 * Write runs/<runId>/report.html and report.md for a run's candidate documents (with its baseline,
 * final model and data summary, when the store has them); also record the run in the sweep's history
 * and compare it with the previous run. Returns the keys written and the recommended candidate's id.
 */
export async function writeRunReport(
  store: Store,
  runId: string,
  spec: SweepSpec,
  docs: CandidateDoc[],
  options: WriteRunReportOptions = {},
): Promise<{ htmlKey: string; mdKey: string; recommended?: string; historyKey?: string; comparison?: HistoryComparison; warnings?: string[] }> {
  const extras = options.extras ?? (await readRunExtras(store, runId));
  const analysis = analyzeRun(docs, spec, extras);
  const date = runDate(docs);
  let comparison: HistoryComparison | null = null;
  const entry = options.history === false ? null : historyEntry(runId, date, analysis);
  // An earlier run's history record that cannot be read is left out with a warning, never fatal.
  const warnings: string[] = [];
  if (entry) comparison = compareWithHistory(await readHistory(store, spec.name, warnings), entry);
  const report = await buildRunReport(runId, spec, docs, comparison, extras, await handedOverPreprocessing(store, runId, analysis, extras));
  if (entry) report.links.history = historyLink(spec.name);
  if (options.leaderboard || (await store.exists(keys.leaderboard(runId, 'csv')))) report.links.leaderboard = { csv: 'leaderboard.csv', json: 'leaderboard.json' };
  const lb = options.leaderboard;
  if (lb && (lb.search || lb.cost)) report.search = lb;
  report.learningCurve = await readReportCurve(store, runId);
  const htmlKey = keys.report(runId, 'html');
  const mdKey = keys.report(runId, 'md');
  await store.put(htmlKey, renderReportHtml(report), 'text/html; charset=utf-8');
  await store.put(mdKey, renderReportMarkdown(report), 'text/markdown; charset=utf-8');
  if (lb) await store.put(keys.leaderboard(runId, 'md'), leaderboardMarkdown(lb), 'text/markdown; charset=utf-8');
  // The final model's Keras script beside it, when the final model is the recommendation the script is about.
  if (report.keras && extras.final?.status === 'succeeded' && extras.final.candidateId === analysis.recommended?.id) {
    await store.put(finalModelScriptKey(runId), report.keras, 'text/x-python; charset=utf-8');
  }
  let historyKey: string | undefined;
  if (entry) {
    historyKey = await recordHistoryEntry(store, spec.name, entry);
    // The page is a view of every entry there is now; the per-run objects are the record.
    const history = await readHistory(store, spec.name, []); // its warnings were said above
    if (history) await store.put(historyPageKey(spec.name), await historyHtml(history), 'text/html; charset=utf-8');
  }
  const recommended = report.analysis.recommended?.id;
  return {
    htmlKey,
    mdKey,
    ...(recommended ? { recommended } : {}),
    ...(historyKey ? { historyKey } : {}),
    ...(comparison ? { comparison } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
