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
import { putJson, type Store } from '../store/store.js';
import { saveModelToStore } from '../artifacts/model.js';
import { failedDoc, trainCandidate } from '../train/train.js';
import { loadSweepDataset } from './dataset.js';
import { findCandidate, readManifest } from './manifest.js';
import type { TrainOutput, WorkItem } from './types.js';

export interface TrainOptions {
  /** Backend preference (tensorflow | wasm | cpu); default: the best available. */
  backend?: string;
}

export async function train(store: Store, item: WorkItem, opts: TrainOptions = {}): Promise<TrainOutput> {
  const { runId, candidateId } = item;
  const docKey = keys.candidate(runId, candidateId);
  // A retried or resumed task whose document was written already has nothing left to do.
  if (await store.exists(docKey)) return { runId, candidateId, status: 'skipped' };
  const manifest = await readManifest(store, runId);
  const candidate = findCandidate(manifest, candidateId);
  const spec = manifest.sweep;
  const { parsed, version } = await loadSweepDataset(store, spec.dataset);
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
    // The last trial's model (kept weights) is saved as tfjs model.json + weights.bin, so the
    // recommended architecture can be loaded without training again.
    onFinalModel: async (model: Parameters<typeof saveModelToStore>[0]) => {
      modelKey = (await saveModelToStore(model, store, keys.model(runId, candidateId))).modelKey;
    },
  };
  let modelKey: string | undefined;
  let doc;
  try {
    doc = await trainCandidate(args);
    if (modelKey) doc = { ...doc, modelKey };
  } catch (err) {
    if (failureKind(err) !== 'candidate') throw err;
    doc = failedDoc(args, err);
  }
  await putJson(store, docKey, doc);
  return { runId, candidateId, status: doc.status };
}
