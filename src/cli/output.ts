/**
 * What `layerbench run` prints on stdout when a run is done, every line at most TERMINAL_COLUMNS
 * wide: the data block, the leaderboard and the answer (src/report/terminal.ts), where the final
 * model is and how to predict with it, where the results are, and how to retry failures. A run where
 * every candidate failed says only that, the most common reason, and where the results are.
 */
import { join, resolve } from 'node:path';
import { NO_RECOMMENDATION } from '../errors.js';
import type { Leaderboard } from '../results/leaderboard.js';
import { runResultText } from '../report/terminal.js';
import { wrapLine } from '../report/wrap.js';
import type { RunSummary } from '../steps/types.js';
import { keys } from '../store/keys.js';
import { LocalStore } from '../store/local.js';
import { DEFAULT_STORE_DIR } from '../store/open.js';
import type { Store } from '../store/store.js';
import { formatDuration } from './progress.js';
import { readLearningCurve } from '../results/learning-curve.js';
import { learningCurveText } from '../report/learning-curve-section.js';

/** Where a run's documents are: a directory, or an S3 URI prefix. */
export function resultsLocation(store: Store, runId: string): string {
  return store instanceof LocalStore ? `${join(store.location, ...keys.run(runId).split('/'))}` : `${store.location}/${keys.run(runId)}`;
}

/**
 * Where the final model is and how to predict with it; or that there is none because nothing was
 * recommended (the run's answer, e.g. the baseline); or that its refit failed, and why.
 */
export function finalModelLine(store: Store, run: Pick<RunSummary, 'runId' | 'finalModel'>): string | null {
  const fm = run.finalModel;
  if (!fm) return null;
  if (fm.status === 'failed' && fm.code === NO_RECOMMENDATION) return `final model: none — ${fm.error ?? 'no candidate was recommended'}`;
  if (fm.status === 'failed') return `final model: failed — ${fm.error ?? 'no reason recorded'}`;
  const dir = store instanceof LocalStore ? join(resultsLocation(store, run.runId), 'model') : `${resultsLocation(store, run.runId)}model/`;
  const where = store instanceof LocalStore && resolve(store.location) === resolve(DEFAULT_STORE_DIR) ? '' : ` --store ${store.location}`;
  return `final model: ${dir} (model card: README.md, Keras: model.py) — predict: npx layerbench predict ${run.runId} <rows.csv>${where}`;
}

/** A finished run as `layerbench run` prints it (see the module comment). */
export async function finishedRunText(store: Store, run: Pick<RunSummary, 'runId' | 'finalModel'>, opts: { file: string; seconds: number }): Promise<{ leaderboard: Leaderboard; text: string }> {
  const { leaderboard, text } = await runResultText(store, run.runId);
  const lines = [text.trimEnd()];
  const curve = learningCurveText(await readLearningCurve(store, run.runId)).trimEnd();
  if (curve) lines.push(curve);
  if (leaderboard.rows.length > 0) {
    const model = finalModelLine(store, run);
    if (model) lines.push(wrapLine(model));
  }
  lines.push(wrapLine(`results: ${resultsLocation(store, run.runId)}  (${formatDuration(opts.seconds)})`));
  if (leaderboard.failed.length > 0) {
    lines.push(wrapLine(`retry: layerbench run ${opts.file} --run-id ${run.runId} trains crashed and transient failures again (--retry-failed: every failure)`));
  }
  return { leaderboard, text: `${lines.join('\n')}\n` };
}
