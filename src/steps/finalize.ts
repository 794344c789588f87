/**
 * Finalize: per run, the model layerbench hands over. The candidate Aggregate recommended is trained once
 * more on every development sample (all but the test split, which nothing is ever chosen or fitted on)
 * for the median of the epochs its trials kept, with the preprocessing fitted on those samples — the
 * run's layout — then scored once on the test split. Saved under `runs/<runId>/model/`: model.json,
 * weights.bin, preprocessing.json, README.md (the model card), and last final.json
 * (layerbench.final.v1), so a final.json means everything else is there.
 *
 * A run without a recommendation (no candidate beats the baseline, or none succeeded) gets a failed
 * final.json with the code NO_RECOMMENDATION (src/errors.ts) and the reason, which readers show as the run's answer.
 *
 * A failure never sinks the run: a candidate-kind failure (NaN loss, a tfjs error) or a fatal one (the
 * dataset changed since planning) is written as a failed final.json with its reason, and Report says
 * so. Only a transient error (a store hiccup) is thrown, for the state's Retry; when the retries are
 * spent the state's Catch goes on to Report with the error.
 */
import { performance } from 'node:perf_hooks';
import { embedPreprocessing, saveModelToStore, type SavedModelKeys } from '../artifacts/model.js';
import { modelCard } from '../artifacts/card.js';
import { savePreprocessing } from '../artifacts/preprocessing.js';
import { dataLayout, refitData } from '../data/split.js';
import { DataError, errorMessage, failureKind, LayerbenchError, NO_RECOMMENDATION } from '../errors.js';
import { candidateDocSchema, type CandidateDoc } from '../results/document.js';
import { FINAL_MODEL_SCHEMA, finalModelDocSchema, type FinalModelDoc } from '../results/final-model.js';
import { keys } from '../store/keys.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { refitCandidate, type RefitResult } from '../train/refit.js';
import { currentBackend } from '../train/backend.js';
import { loadSweepDataset, type DatasetScope } from './dataset.js';
import { findCandidate, readManifest, type RunManifest } from '../results/manifest.js';
import { finalizeInputSchema, parsePayload, type FinalizeInput, type FinalizeOutput, type RunSummary } from './types.js';

export interface FinalizeOptions {
  /** Backend preference (tensorflow | wasm | cpu); default: the best available. */
  backend?: string;
  now?: () => Date;
  /** Where the sweep's dataset may live (src/steps/dataset.ts); default the store only, the local runner: anywhere. */
  datasetScope?: DatasetScope;
}

export async function finalize(store: Store, payload: FinalizeInput, opts: FinalizeOptions = {}): Promise<FinalizeOutput> {
  const input = parsePayload(finalizeInputSchema, payload, 'Finalize');
  const runs: RunSummary[] = [];
  for (const run of input.runs) runs.push(run.duplicate ? run : await finalizeRun(store, run, opts));
  return { runs };
}

/** The median of the epochs a candidate's trials kept, rounded to a whole epoch (halves up). */
export function medianBestEpoch(doc: Pick<CandidateDoc, 'trials'>): number {
  const xs = doc.trials.map((t) => t.bestEpoch).sort((a, b) => a - b);
  if (xs.length === 0) throw new DataError('the recommended candidate has no trials to take the number of epochs from');
  const m = xs.length % 2 === 1 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2;
  return Math.max(1, Math.round(m));
}

async function finalizeRun(store: Store, run: RunSummary, opts: FinalizeOptions): Promise<RunSummary> {
  const docKey = keys.finalModelDoc(run.runId);
  // A retried or resumed task whose final.json was written already has nothing left to do.
  if (await store.exists(docKey)) {
    const existing = finalModelDocSchema.safeParse(await getJson(store, docKey));
    if (existing.success) return withFinal(run, existing.data);
  }
  const now = opts.now ?? (() => new Date());
  const startMs = performance.now();
  const manifest = await readManifest(store, run.runId);
  const candidateId = run.recommended;
  let doc: FinalModelDoc;
  if (!candidateId) {
    doc = failed(manifest, '', NO_RECOMMENDATION, nothingToRefit(run), now());
  } else {
    try {
      doc = await refitAndSave(store, manifest, candidateId, opts, now, startMs);
    } catch (err) {
      if (failureKind(err) === 'transient') throw err;
      const code = err instanceof LayerbenchError ? err.code : 'E_CANDIDATE';
      doc = failed(manifest, candidateId, code, errorMessage(err), now());
    }
  }
  await putJson(store, docKey, doc);
  return withFinal(run, doc);
}

/** Why a run without a recommendation has no final model: Aggregate ranked candidates (`best`) but none beats the baseline, or none succeeded. */
function nothingToRefit(run: RunSummary): string {
  return run.best ? 'no candidate beats the baseline; the baseline is the answer' : 'no candidate succeeded, so there is nothing to refit';
}

function withFinal(run: RunSummary, doc: FinalModelDoc): RunSummary {
  return {
    ...run,
    finalModel: {
      key: keys.finalModelDoc(run.runId),
      status: doc.status,
      ...(doc.error ? { code: doc.error.code, error: doc.error.message } : {}),
    },
  };
}

function failed(manifest: RunManifest, candidateId: string, code: string, message: string, at: Date): FinalModelDoc {
  return {
    schema: FINAL_MODEL_SCHEMA,
    runId: manifest.runId,
    candidateId,
    status: 'failed',
    error: { code, message },
    epochs: 0,
    trainRows: 0,
    test: null,
    keys: {},
    backend: currentBackend() ?? 'none',
    fitSeconds: 0,
    finishedAt: at.toISOString(),
  };
}

async function readCandidateDoc(store: Store, runId: string, candidateId: string): Promise<CandidateDoc> {
  const key = keys.candidate(runId, candidateId);
  const parsed = candidateDocSchema.safeParse(await getJson(store, key));
  if (!parsed.success) throw new LayerbenchError(`${key}: not a candidate document`, { code: 'E_DOCUMENT', kind: 'fatal' });
  if (parsed.data.status !== 'succeeded') throw new LayerbenchError(`${key}: the recommended candidate did not succeed`, { code: 'E_DOCUMENT', kind: 'fatal' });
  return parsed.data;
}

async function refitAndSave(store: Store, manifest: RunManifest, candidateId: string, opts: FinalizeOptions, now: () => Date, startMs: number): Promise<FinalModelDoc> {
  const { runId, sweep: spec } = manifest;
  const candidate = findCandidate(manifest, candidateId);
  const candidateDoc = await readCandidateDoc(store, runId, candidateId);
  const epochs = medianBestEpoch(candidateDoc);
  const { parsed, version } = await loadSweepDataset(store, spec.dataset, { scope: opts.datasetScope });
  if (version !== manifest.dataset.version) {
    throw new DataError(`${spec.dataset.key}: changed since run ${runId} was planned (version ${manifest.dataset.version}, now ${version})`);
  }
  // Every development sample trains; the preprocessing is the run's layout, fitted on exactly those samples.
  const { split: testSplit, info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  const data = refitData(parsed, spec.evaluation, spec.training.seed);
  const noValidation = { n: 0, x: new Float32Array(0), y: new Float32Array(0) };
  const prefix = keys.finalModel(runId);
  let saved: SavedModelKeys | undefined;
  const refit: RefitResult = await refitCandidate({
    runId,
    spec,
    candidate,
    info,
    split: { fold: 0, repeat: 0, ...data, val: noValidation },
    epochs,
    backend: opts.backend,
    onModel: async (model) => {
      embedPreprocessing(model, data.preprocessing);
      saved = await saveModelToStore(model, store, prefix);
    },
  });
  if (!saved) throw new LayerbenchError('the refit model was not saved', { code: 'E_CANDIDATE', kind: 'candidate' });
  const preprocessingKey = await savePreprocessing(store, prefix, data.preprocessing);
  const cardKey = `${prefix}README.md`;
  const doc: FinalModelDoc = {
    schema: FINAL_MODEL_SCHEMA,
    runId,
    candidateId,
    status: 'succeeded',
    epochs,
    trainRows: data.train.n,
    test: refit.test ?? null,
    keys: { model: saved.modelKey, weights: saved.weightsKey, preprocessing: preprocessingKey, card: cardKey },
    backend: refit.backend,
    fitSeconds: refit.fitSeconds,
    finishedAt: now().toISOString(),
    bestEpochs: candidateDoc.trials.map((t) => t.bestEpoch),
    parameterCount: refit.parameterCount,
    dataset: { key: manifest.dataset.key, version: manifest.dataset.version },
    testRule: testSplit.rule,
    curve: refit.epochs,
    trainMetric: refit.trainMetric,
    wallSeconds: (performance.now() - startMs) / 1000,
  };
  await store.put(cardKey, modelCard({ manifest, candidateDoc, final: doc, preprocessing: data.preprocessing }), 'text/markdown');
  return doc;
}
