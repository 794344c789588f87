/**
 * What each saved model of a run is, in sentences shared by report.html and report.md: the final model
 * (runs/<id>/model/: the recommended candidate refit on every non-test row for a fixed number of
 * epochs, its test score) or why there is none, and the per-candidate models (runs/<id>/models/<id>/:
 * one trial's kept weights each — which trial, how many rows, which epoch).
 */
import { NO_RECOMMENDATION } from '../errors.js';
import type { FinalModelDoc } from '../results/final-model.js';
import { keys } from '../store/keys.js';
import { count, fmtValue, withUnit } from '../format.js';
import type { RunAnalysis } from '../results/analysis.js';

export interface ModelsText {
  /** The final model, a sentence or two. */
  final: string;
  /** The command that predicts with it (or with the recommended candidate's own model when there is no final model). */
  predict: string | null;
  /** The per-candidate models. */
  candidates: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function modelsText(runId: string, a: RunAnalysis, final: FinalModelDoc | null): ModelsText {
  const rec = a.recommended ?? null;
  const samples = a.ranked[0]?.doc.candidate.family === 'lstm' ? 'windows' : 'rows';
  const dir = keys.finalModel(runId);
  let text: string;
  let predict: string | null = null;
  if (final?.status === 'succeeded') {
    const label = a.ranked.find((c) => c.id === final.candidateId)?.label ?? final.candidateId;
    const why = final.bestEpochs?.length ? `, the median of the epochs its ${plural(final.bestEpochs.length, 'trial')} kept (${final.bestEpochs.join(', ')})` : '';
    const test = final.test
      ? ` Its ${a.metric} on the ${count(final.test.rows, 'test row')} — never used for choosing — is ${withUnit(fmtValue(final.test.metric), a.unit)}.`
      : ' This run held out no test split, so nothing estimates its performance on unseen data.';
    text = `${dir}: ${label} refit on ${count(final.trainRows, samples === 'rows' ? 'row' : 'window')} (every one but the test split) for ${plural(final.epochs, 'epoch')}${why}.${test} Its model card, ${dir}README.md, lists the inputs and how each is prepared, and how to predict in Node and in a browser.`;
    predict = `npx layerbench predict ${runId} new-rows.csv`;
  } else if (final?.error?.code === NO_RECOMMENDATION) {
    // Nothing to refit: the run's answer (the baseline, or no candidate succeeded), not a failure.
    text = `No final model: ${final.error.message}.`;
  } else if (final) {
    text = `The final model failed: ${final.error?.message ?? 'no reason recorded'}. The candidates' own models below still predict.`;
    if (rec) predict = `npx layerbench predict ${runId} new-rows.csv --candidate ${rec.id}`;
  } else {
    text = 'No final model: this run has none (it was made before layerbench refit the recommended candidate, or Finalize has not run yet).';
    if (rec) predict = `npx layerbench predict ${runId} new-rows.csv --candidate ${rec.id}`;
  }
  const saved = rec?.doc.savedModel;
  const example = saved
    ? ` ${rec!.label}'s, for example, is repeat ${saved.repeat}, fold ${saved.fold}: trained on ${count(saved.trainRows, samples === 'rows' ? 'row' : 'window')}, the weights of epoch ${saved.epoch}.`
    : '';
  const candidates = `${keys.model(runId, '<candidate>')}: each candidate's last trial's model, not one trained on all the data — the kept weights of one (repeat, fold), with the preprocessing fitted on that trial's training ${samples}.${example}`;
  return { final: text, predict, candidates };
}
