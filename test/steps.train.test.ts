import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TransientError } from '../src/errors.js';
import { candidateDocSchema } from '../src/results/document.js';
import { plan } from '../src/steps/plan.js';
import { safetyMarginMs, train } from '../src/steps/train.js';
import { readTaskContext } from '../src/steps/train-context.js';
import { clearDatasetCache } from '../src/data/load.js';
import { loadModelFromStore } from '../src/artifacts/model.js';
import { loadPreprocessing } from '../src/artifacts/preprocessing.js';
import type { WorkItem } from '../src/steps/types.js';
import type { EpochEvent } from '../src/train/trial.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, putJson, type Store } from '../src/store/store.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** y = 2a - b + noise-free: a regression any small network fits, unless the learning rate is absurd. */
const CSV = `a,b,y\n${Array.from({ length: 40 }, (_, i) => {
  const a = (i % 10) / 10;
  const b = ((i * 7) % 10) / 10;
  return `${a},${b},${(2 * a - b).toFixed(3)}`;
}).join('\n')}\n`;

async function plannedStore(learningRate: number, name: string, widths = [4]): Promise<{ store: LocalStore; runId: string; candidateId: string; items: WorkItem[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-train-'));
  dirs.push(dir);
  const store = new LocalStore(dir);
  await store.put('datasets/lin.csv', CSV);
  await putJson(store, keys.sweep(name), {
    name,
    dataset: { key: 'datasets/lin.csv', task: 'regression', target: 'y' },
    model: { family: 'dense', depth: [1], width: widths },
    training: { epochs: 3, batchSize: 8, optimizer: 'sgd', learningRate, earlyStopping: { enabled: false } },
    evaluation: { strategy: 'kfold', folds: 2, repeats: 2 },
  });
  const out = await plan(store, { trigger: 'cli', key: keys.sweep(name), runId: `${name}-run` });
  return { store, runId: out.runs[0]!.runId, candidateId: out.items[0]!.candidateId, items: out.items };
}

describe('train', () => {
  it('trains a candidate, writes its document, and skips it when asked again', async () => {
    const { store, runId, candidateId } = await plannedStore(0.01, 'sane');
    const epochs: EpochEvent[] = [];
    const out = await train(store, { runId, candidateId }, { backend: 'cpu', onEpoch: (e) => epochs.push(e) });
    expect(out).toMatchObject({ runId, candidateId, status: 'succeeded' });
    // Where the task's time went, phase by phase (benchmarks/overhead.ts reads these).
    expect(out.phases?.training).toBeGreaterThan(0);
    expect(out.phases?.modelSave).toBeGreaterThan(0);
    const doc = candidateDocSchema.parse(await getJson(store, keys.candidate(runId, candidateId)));
    expect(doc.status).toBe('succeeded');
    expect(doc.candidate.id).toBe(candidateId);
    expect(doc.backend).toBe('cpu');
    expect(Number.isFinite(doc.metric.mean)).toBe(true);
    // Every epoch of every trial was announced as it ended (`layerbench train` shows them), with its losses.
    expect(epochs.map(({ repeat, fold, epoch, loss, valLoss }) => ({ repeat, fold, epoch, loss, valLoss }))).toEqual(
      doc.trials.flatMap((t) => t.epochs.map((e) => ({ repeat: t.repeat, fold: t.fold, epoch: e.epoch, loss: e.loss, valLoss: e.valLoss }))),
    );
    // Every trial is scored on the same 8 held-out test rows (20 % of 40), never used for choosing.
    expect(doc.trials.map((t) => t.test?.rows)).toEqual([8, 8, 8, 8]);
    expect(doc.trials.every((t) => Number.isFinite(t.test!.metric) && Number.isFinite(t.test!.loss))).toBe(true);
    // The trained model is saved beside the documents and loads back with the same parameter count;
    // the document says which trial it is, and its preprocessing is beside it and inside it.
    const prefix = keys.model(runId, candidateId);
    expect(doc.modelKey).toBe(`${prefix}model.json`);
    expect(doc.savedModel).toEqual({ modelKey: `${prefix}model.json`, preprocessingKey: `${prefix}preprocessing.json`, repeat: 1, fold: 1, trainRows: 16, epoch: 3 });
    const model = await loadModelFromStore(store, prefix);
    expect(model.countParams()).toBe(doc.parameterCount);
    const preprocessing = await loadPreprocessing(store, prefix);
    expect(preprocessing.fittedOn.samples).toBe(16);
    expect(model.getUserDefinedMetadata()).toEqual({ layerbench: { preprocessing } });
    model.dispose();
    expect(await train(store, { runId, candidateId })).toMatchObject({ runId, candidateId, status: 'skipped' });
  });

  it('trains every candidate on the same samples for the same (repeat, fold)', async () => {
    const { store, runId, items } = await plannedStore(0.01, 'paired', [2, 3]);
    const splits = [];
    for (const item of items) {
      await train(store, item, { backend: 'cpu' });
      const doc = candidateDocSchema.parse(await getJson(store, keys.candidate(runId, item.candidateId)));
      splits.push(doc.trials.map((t) => [t.repeat, t.fold, t.split]));
    }
    expect(splits[0]).toEqual(splits[1]);
    expect(new Set(splits[0]!.map((s) => s[2])).size).toBe(4);
  });

  it('turns a loss that diverges to NaN (absurd learning rate) into a failed document, without throwing', async () => {
    const { store, runId, candidateId } = await plannedStore(1e12, 'absurd');
    const out = await train(store, { runId, candidateId }, { backend: 'cpu' });
    expect(out.status).toBe('failed');
    const doc = candidateDocSchema.parse(await getJson(store, keys.candidate(runId, candidateId)));
    expect(doc.status).toBe('failed');
    expect(doc.error?.kind).toBe('candidate');
    expect(doc.error?.message).toMatch(/loss became (NaN|infinite)/);
  });

  it('at 10,000 candidates a task reads its item, the run context and the data — never run.json or the item list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-train-'));
    dirs.push(dir);
    const store = new LocalStore(dir);
    await store.put('datasets/lin.csv', CSV);
    await putJson(store, keys.sweep('wide'), {
      name: 'wide',
      dataset: { key: 'datasets/lin.csv', task: 'regression', target: 'y' },
      model: { family: 'dense', depth: Array.from({ length: 40 }, (_, i) => i + 1), width: Array.from({ length: 250 }, (_, i) => i + 1) },
      training: { epochs: 1, batchSize: 8 },
      evaluation: { strategy: 'holdout', repeats: 1 },
      search: { maxCandidates: 10_000 },
    });
    const out = await plan(store, { trigger: 'cli', key: keys.sweep('wide') });
    expect(out.items).toHaveLength(10_000);
    const runId = out.runs[0]!.runId;
    expect((await store.get(keys.runManifest(runId))).byteLength).toBeGreaterThan(4_000_000);
    const read: { key: string; bytes: number }[] = [];
    const recording: Store = Object.assign(Object.create(store) as Store, {
      get: async (key: string) => {
        const body = await store.get(key);
        read.push({ key, bytes: body.byteLength });
        return body;
      },
    });
    // What the Map passes a task: its item as the item list holds it (the smallest candidate: depth 1, width 1).
    const item = out.items.find((i) => i.candidate?.depth === 1 && i.candidate.width === 1)!;

    expect(await train(recording, item, { backend: 'cpu' })).toMatchObject({ status: 'succeeded' });

    expect(read.map((r) => r.key).filter((k) => k === keys.runManifest(runId) || k.startsWith('plans/'))).toEqual([]);
    expect(read.map((r) => r.key)).toContain(keys.trainContext(runId));
    expect(read.reduce((n, r) => n + r.bytes, 0)).toBeLessThan(64 * 1024);
  }, 60_000);

  it('throws a TransientError (for the Retry) and writes nothing', async () => {
    const { store, runId, candidateId } = await plannedStore(0.01, 'flaky');
    const inner: Store = store;
    const flaky: Store = {
      location: `${store.location}-flaky`,
      get: async (key) => {
        if (key.startsWith('datasets/') || key.startsWith('prepared/')) throw new TransientError(`${key}: SlowDown (throttled)`);
        return inner.get(key);
      },
      put: (k, b, t) => inner.put(k, b, t),
      putIfAbsent: (k, b, t) => inner.putIfAbsent(k, b, t),
      exists: (k) => inner.exists(k),
      list: (p) => inner.list(p),
      version: (k) => inner.version(k),
      delete: (k) => inner.delete(k),
    };
    const err = await train(flaky, { runId, candidateId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).name).toBe('TransientError');
    expect(await store.exists(keys.candidate(runId, candidateId))).toBe(false);
  });

  it('throws when the candidate is not in the run (fatal, for the Catch)', async () => {
    const { store, runId } = await plannedStore(0.01, 'lost');
    await expect(train(store, { runId, candidateId: 'dense-d9-w9-000' })).rejects.toThrow(/no candidate dense-d9-w9-000/);
  });

  it('a checkpoint cut short is no reason to fail: the candidate trains from its start, to the very metrics of an uninterrupted run', async () => {
    // Arrange: one run trained without a break, one that checkpointed after an epoch and whose checkpoint was then cut short
    const clean = await plannedStore(0.01, 'whole');
    const broken = await plannedStore(0.01, 'cut');
    expect(await train(broken.store, { runId: broken.runId, candidateId: broken.candidateId }, { backend: 'cpu', maxTaskSeconds: 0 })).toMatchObject({ status: 'continue' });
    const ckpt = keys.checkpoint(broken.runId, broken.candidateId);
    const bytes = await broken.store.get(ckpt);
    await broken.store.put(ckpt, bytes.subarray(0, Math.floor(bytes.length / 2)));

    // Act
    const out = await train(broken.store, { runId: broken.runId, candidateId: broken.candidateId }, { backend: 'cpu' });
    await train(clean.store, { runId: clean.runId, candidateId: clean.candidateId }, { backend: 'cpu' });

    // Assert
    expect(out.status).toBe('succeeded');
    const values = async (r: typeof clean) => candidateDocSchema.parse(await getJson(r.store, keys.candidate(r.runId, r.candidateId))).metric.values;
    expect(await values(broken)).toEqual(await values(clean));
  });

  it('hands over a safety margin before the task is stopped: a checkpoint and "continue", then the same metrics as a task that was not stopped', async () => {
    // Arrange: the task will be stopped in 1 s, less than the smallest safety margin (5 s)
    const stopped = await plannedStore(0.01, 'stopped');
    const whole = await plannedStore(0.01, 'unstopped');

    // Act
    const first = await train(stopped.store, { runId: stopped.runId, candidateId: stopped.candidateId }, { backend: 'cpu', stopsAt: Date.now() + 1000 });
    const then = await train(stopped.store, { runId: stopped.runId, candidateId: stopped.candidateId }, { backend: 'cpu' });
    await train(whole.store, { runId: whole.runId, candidateId: whole.candidateId }, { backend: 'cpu' });

    // Assert
    expect(first.status).toBe('continue');
    expect(then.status).toBe('succeeded');
    const doc = async (r: typeof whole) => candidateDocSchema.parse(await getJson(r.store, keys.candidate(r.runId, r.candidateId)));
    expect((await doc(stopped)).metric.values).toEqual((await doc(whole)).metric.values);
    expect((await doc(stopped)).compute?.tasks).toBe(2);
    expect(safetyMarginMs(15 * 60_000)).toBe(90_000);
    expect(safetyMarginMs(10_000)).toBe(5_000);
  });

  it('reads the data Plan prepared, and the dataset itself when that is gone or unreadable', async () => {
    // Arrange: a prepared object that is not one
    const r = await plannedStore(0.01, 'unprepared');
    const { context } = await readTaskContext(r.store, r.items[0]!);
    await r.store.put(context.dataset.prepared!, new TextEncoder().encode('not prepared'));
    clearDatasetCache();

    // Act
    const out = await train(r.store, r.items[0]!, { backend: 'cpu' });

    // Assert
    expect(out.status).toBe('succeeded');
  });
});
