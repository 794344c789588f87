/**
 * The Finalize step: the recommended candidate refit on every development row for the median epoch its
 * trials kept, scored once on the test split, saved with its preprocessing and model card; a failure is
 * recorded in final.json with its reason (never thrown), a transient one is thrown for the Retry, and a
 * finished run is not refit again.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFromStore } from '../src/artifacts/model.js';
import { loadPreprocessing } from '../src/artifacts/preprocessing.js';
import { refitData } from '../src/data/split.js';
import { NO_RECOMMENDATION, TransientError } from '../src/errors.js';
import { finalModelDocSchema } from '../src/results/final-model.js';
import { candidateDocSchema } from '../src/results/document.js';
import { loadSweepDataset } from '../src/steps/dataset.js';
import { finalize, medianBestEpoch } from '../src/steps/finalize.js';
import { readManifest } from '../src/results/manifest.js';
import type { RunSummary } from '../src/steps/types.js';
import type { SweepSpecInput } from '../src/sweep/schema.js';
import { keys } from '../src/store/keys.js';
import { getJson, getText, type Store } from '../src/store/store.js';
import { finalizedRun, type FinalizedRun } from './helpers/finalized-run.js';

const runs: FinalizedRun[] = [];
afterAll(async () => {
  await Promise.all(runs.map((r) => rm(r.dir, { recursive: true, force: true })));
});

/** y = 2a − b, 40 rows; one dense candidate, 2 folds × 2 repeats. */
const CSV = `a,b,y\n${Array.from({ length: 40 }, (_, i) => `${(i % 10) / 10},${((i * 7) % 10) / 10},${(2 * ((i % 10) / 10) - ((i * 7) % 10) / 10).toFixed(3)}`).join('\n')}\n`;
const sweep: SweepSpecInput = {
  name: 'lin',
  dataset: { key: 'datasets/lin.csv', task: 'regression', target: 'y', unit: 'm' },
  model: { family: 'dense', depth: [1], width: [4] },
  training: { epochs: 30, batchSize: 8, learningRate: 0.05, earlyStopping: { patience: 3 } },
  evaluation: { strategy: 'kfold', folds: 2, repeats: 2, metric: 'rmse' },
};

async function run(name: string, opts: { skipFinalize?: boolean } = {}): Promise<FinalizedRun> {
  const r = await finalizedRun({ sweep, datasetKey: 'datasets/lin.csv', data: CSV, runId: name, backend: 'cpu', ...opts });
  runs.push(r);
  return r;
}

const summary = (runId: string, recommended?: string): RunSummary => ({
  runId,
  sweep: 'lin',
  leaderboardKey: keys.leaderboard(runId, 'json'),
  succeeded: 1,
  failed: 0,
  ...(recommended ? { recommended } : {}),
});

describe('medianBestEpoch', () => {
  it('is the median of the kept epochs, halves rounded up, at least 1', () => {
    const of = (...epochs: number[]) => medianBestEpoch({ trials: epochs.map((bestEpoch) => ({ bestEpoch }) as never) });
    expect(of(3, 5, 4)).toBe(4);
    expect(of(3, 4)).toBe(4);
    expect(of(2, 2, 9, 9)).toBe(6);
    expect(of(7)).toBe(7);
    expect(() => of()).toThrow(/no trials/);
  });
});

describe('finalize', () => {
  it('refits the recommended candidate on every development row and saves model, preprocessing, card and final.json', async () => {
    const r = await run('lin-ok');
    const out = r.finalized.runs[0]!;
    expect(out.finalModel).toEqual({ key: keys.finalModelDoc(r.runId), status: 'succeeded' });
    const doc = finalModelDocSchema.parse(await getJson(r.store, keys.finalModelDoc(r.runId)));
    const candidate = candidateDocSchema.parse(await getJson(r.store, keys.candidate(r.runId, out.recommended!)));
    expect(doc.candidateId).toBe(out.recommended);
    expect(doc.bestEpochs).toEqual(candidate.trials.map((t) => t.bestEpoch));
    expect(doc.epochs).toBe(medianBestEpoch(candidate));
    expect(doc.curve).toHaveLength(doc.epochs);
    // 40 rows: 8 held out for the test split, the other 32 train the final model; its score is on the 8.
    expect(doc.trainRows).toBe(32);
    expect(doc.test?.rows).toBe(8);
    expect(Number.isFinite(doc.test?.metric)).toBe(true);
    expect(doc.backend).toBe('cpu');
    // Its preprocessing is the run's layout: fitted on exactly those 32 rows.
    const manifest = await readManifest(r.store, r.runId);
    const { parsed } = await loadSweepDataset(r.store, manifest.sweep.dataset);
    const prep = await loadPreprocessing(r.store, keys.finalModel(r.runId));
    expect(prep).toEqual(refitData(parsed, manifest.sweep.evaluation, manifest.sweep.training.seed).preprocessing);
    expect(prep.fittedOn.rows).toBe(32);
    const model = await loadModelFromStore(r.store, keys.finalModel(r.runId));
    expect(model.countParams()).toBe(doc.parameterCount);
    model.dispose();
    // The card says what the model is, what goes in, and labels the test score.
    const card = await getText(r.store, doc.keys.card!);
    expect(card).toContain(`# Final model — lin, run ${r.runId}`);
    expect(card).toContain(`| trained on | 32 rows — every one but the test split — for ${doc.epochs} epoch`);
    expect(card).toContain(`version \`${manifest.dataset.version}\``);
    expect(card).toContain('| **test — never used for choosing: this final model** |');
    expect(card).toMatch(/\| a \| number \| \(x − [\d.]+\) \/ [\d.]+/);
    expect(card).toContain('rmse (m)');
    expect(card).toContain(`npx layerbench predict ${r.runId} new-rows.csv`);
    expect(card).toContain("tf.loadLayersModel(base + 'model.json')");
  }, 60_000);

  it('does not refit a run whose final.json is written (a retried or resumed task)', async () => {
    const r = await run('lin-again');
    const before = await getText(r.store, keys.finalModelDoc(r.runId));
    const again = await finalize(r.store, { runs: [summary(r.runId, r.finalized.runs[0]!.recommended)] }, { backend: 'cpu' });
    expect(again.runs[0]!.finalModel?.status).toBe('succeeded');
    expect(await getText(r.store, keys.finalModelDoc(r.runId))).toBe(before);
  }, 60_000);

  it('records, never throws, a refit that cannot run: the data changed since the run was planned', async () => {
    const r = await run('lin-changed', { skipFinalize: true });
    const recommended = r.finalized.runs[0]!.recommended!;
    await r.store.put('datasets/lin.csv', `${CSV}0.5,0.5,0.5\n`);
    const out = await finalize(r.store, { runs: [summary(r.runId, recommended)] }, { backend: 'cpu' });
    expect(out.runs[0]!.finalModel).toMatchObject({ status: 'failed', error: expect.stringMatching(/datasets\/lin\.csv: changed since run lin-changed was planned/) });
    const doc = finalModelDocSchema.parse(await getJson(r.store, keys.finalModelDoc(r.runId)));
    expect(doc).toMatchObject({ status: 'failed', candidateId: recommended, error: { code: 'E_DATA' }, keys: {} });
    expect(await r.store.exists(`${keys.finalModel(r.runId)}model.json`)).toBe(false);
  }, 60_000);

  it('records a run with no recommendation as its answer (the baseline, or nothing succeeded), and a recommendation that names no candidate', async () => {
    const r = await run('lin-none', { skipFinalize: true });
    const ranked = { ...summary(r.runId), best: { candidateId: 'dense-d1-w4-0000000000', metric: 'rmse', value: 1 } };
    const baseline = await finalize(r.store, { runs: [ranked] });
    expect(baseline.runs[0]!.finalModel).toEqual({
      key: keys.finalModelDoc(r.runId),
      status: 'failed',
      code: NO_RECOMMENDATION,
      error: 'no candidate beats the baseline; the baseline is the answer',
    });
    expect(await getJson(r.store, keys.finalModelDoc(r.runId))).toMatchObject({ status: 'failed', error: { code: NO_RECOMMENDATION } });
    await r.store.put(keys.finalModelDoc(r.runId), '{}');
    const none = await finalize(r.store, { runs: [{ ...summary(r.runId), succeeded: 0, failed: 1 }] });
    expect(none.runs[0]!.finalModel).toMatchObject({ code: NO_RECOMMENDATION, error: 'no candidate succeeded, so there is nothing to refit' });
    await r.store.put(keys.finalModelDoc(r.runId), '{}');
    const unknown = await finalize(r.store, { runs: [summary(r.runId, 'dense-d9-w9-0000000000')] });
    expect(unknown.runs[0]!.finalModel).toMatchObject({ status: 'failed', error: expect.stringContaining('no candidate dense-d9-w9-0000000000') });
  }, 60_000);

  it('throws a transient store failure for the Retry and writes no final.json', async () => {
    const r = await run('lin-flaky', { skipFinalize: true });
    const flaky: Store = Object.create(r.store) as Store;
    flaky.put = async (key, body, type) => {
      if (key.startsWith(keys.finalModel(r.runId))) throw new TransientError('SlowDown: please reduce your request rate');
      return (r.store as Store).put(key, body, type);
    };
    await expect(finalize(flaky, { runs: [summary(r.runId, r.finalized.runs[0]!.recommended)] }, { backend: 'cpu' })).rejects.toThrow(TransientError);
    expect(await r.store.exists(keys.finalModelDoc(r.runId))).toBe(false);
  }, 60_000);

  it('passes a duplicated run through untouched', async () => {
    const r = await run('lin-dup', { skipFinalize: true });
    const dup = { ...summary(r.runId, 'x'), duplicate: true };
    expect(await finalize(r.store, { runs: [dup] })).toEqual({ runs: [dup] });
    expect(await r.store.exists(keys.finalModelDoc(r.runId))).toBe(false);
  }, 60_000);
});
