/**
 * Train: one candidate of one run. Reads the run manifest and the dataset (parsed once per process),
 * trains, and writes `runs/<runId>/candidates/<id>.json`.
 *
 * Failures are classified for the state machine: a candidate failure (NaN loss, a tfjs error) is
 * written as a failed document and returned as status 'failed' — the Map goes on; a TransientError
 * is thrown for the Retry; anything fatal is thrown for the Catch.
 */
import { dataLayout, splitDataset } from '../data/split.js';
import { DataError, failureKind } from '../errors.js';
import { keys } from '../store/keys.js';
import { putJson, putJsonIfAbsent, type Store } from '../store/store.js';
import { saveModelToStore } from '../artifacts/model.js';
import { savePreprocessing } from '../artifacts/preprocessing.js';
import type { SplitData } from '../data/types.js';
import type { CandidateDoc } from '../results/document.js';
import { failedDoc, trainCandidate } from '../train/train.js';
import { resetPeakRss } from '../train/peak-rss.js';
import { loadSweepDataset, type DatasetScope } from './dataset.js';
import { findCandidate, readManifest } from './manifest.js';
import type { TrainOutput, WorkItem } from './types.js';

export interface TrainOptions {
  /** Where the sweep's dataset may live (src/steps/dataset.ts); default anywhere, the deployed Train: the store only. */
  datasetScope?: DatasetScope;
  /** Backend preference (tensorflow | wasm | cpu); default: the best available. */
  backend?: string;
}

export async function train(store: Store, item: WorkItem, opts: TrainOptions = {}): Promise<TrainOutput> {
  const { runId, candidateId } = item;
  const docKey = keys.candidate(runId, candidateId);
  // A retried or resumed task whose document was written already has nothing left to do, unless Plan
  // asked for the document to be replaced (a resumed run retraining a failed or unreadable one).
  if (!item.retrain && (await store.exists(docKey))) return { runId, candidateId, status: 'skipped' };
  const manifest = await readManifest(store, runId);
  const candidate = findCandidate(manifest, candidateId);
  const spec = manifest.sweep;
  const { parsed, version } = await loadSweepDataset(store, spec.dataset, { scope: opts.datasetScope });
  if (version !== manifest.dataset.version) {
    throw new DataError(`${spec.dataset.key}: changed since run ${runId} was planned (version ${manifest.dataset.version}, now ${version})`);
  }
  const { info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  const args = {
    runId,
    spec,
    candidate,
    info,
    splits: (repeat: number) => splitDataset(parsed, spec.evaluation, spec.training.seed, repeat),
    backend: opts.backend,
    // The last trial's model (kept weights) is saved as tfjs model.json + weights.bin with the
    // preprocessing fitted on that trial's training rows beside it (preprocessing.json, and in the
    // model's userDefinedMetadata), so it can be loaded and fed raw rows without training again.
    onFinalModel: async (model: Parameters<typeof saveModelToStore>[0], split: SplitData) => {
      const prefix = keys.model(runId, candidateId);
      if (split.preprocessing) model.setUserDefinedMetadata({ layerbench: { preprocessing: split.preprocessing } });
      const { modelKey } = await saveModelToStore(model, store, prefix);
      const preprocessingKey = split.preprocessing ? await savePreprocessing(store, prefix, split.preprocessing) : undefined;
      saved = { modelKey, preprocessingKey, repeat: split.repeat, fold: split.fold, trainRows: split.train.n };
    },
  };
  let saved: { modelKey: string; preprocessingKey?: string; repeat: number; fold: number; trainRows: number } | undefined;
  let doc: CandidateDoc;
  // The peak RSS in the document is this candidate's, not the process's lifetime peak (where the OS allows).
  const peakRssScope = resetPeakRss();
  try {
    doc = await trainCandidate(args);
    if (saved) {
      const { modelKey, preprocessingKey, ...trial } = saved;
      const epoch = doc.trials.find((t) => t.repeat === trial.repeat && t.fold === trial.fold)?.bestEpoch;
      doc = { ...doc, modelKey, ...(preprocessingKey && epoch !== undefined ? { savedModel: { modelKey, preprocessingKey, ...trial, epoch } } : {}) };
    }
  } catch (err) {
    if (failureKind(err) !== 'candidate') throw err;
    doc = failedDoc(args, err);
  }
  doc = { ...doc, memory: { ...doc.memory, peakRssScope } };
  // A retrained candidate replaces its old document; otherwise written only if absent, so a task that
  // ran twice at once (a retried invocation) keeps the first document.
  if (item.retrain) await putJson(store, docKey, doc);
  else if (!(await putJsonIfAbsent(store, docKey, doc))) return { runId, candidateId, status: 'skipped' };
  return { runId, candidateId, status: doc.status };
}
