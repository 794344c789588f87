/**
 * A model trained on a table with a capped categorical and a column of dates, evaluated in time order,
 * handed over and used: `predict` maps a value it never saw in a capped column to "(other)" instead of
 * refusing it, reads dates into the same cyclic inputs as training, and the model card's browser
 * snippet prepares rows exactly as layerbench does. One run through Plan, Train, Aggregate, Finalize.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserEncoder } from '../src/artifacts/card.js';
import { loadModelFromStore } from '../src/artifacts/model.js';
import { loadPredictor } from '../src/artifacts/predictor.js';
import { encode } from '../src/data/preprocess.js';
import { parsePreprocessing, type Preprocessing } from '../src/data/preprocessing-schema.js';
import { readCsvRows } from '../src/data/read-rows.js';
import { dataLayout, refitData } from '../src/data/split.js';
import { loadSweepDataset } from '../src/steps/dataset.js';
import { readManifest } from '../src/results/manifest.js';
import { keys } from '../src/store/keys.js';
import { selectBackend } from '../src/train/backend.js';
import { cli } from './helpers/cli.js';
import { finalizedRun, lcg, type FinalizedRun } from './helpers/finalized-run.js';

/** 240 days of sales at 30 shops (five of them busy), written out of order; sales follow the shop, the weekday and x. */
function salesCsv(): string {
  const r = lcg(5);
  const rows = Array.from({ length: 240 }, (_, i) => {
    const day = new Date(Date.UTC(2023, 0, 1 + i));
    const shop = r() < 0.6 ? `busy ${Math.floor(r() * 5)}` : `small ${Math.floor(r() * 25)}`;
    const x = r() * 4;
    const sales = x + (shop.startsWith('busy') ? 3 : 0) + (day.getUTCDay() === 6 ? 2 : 0);
    return `${day.toISOString().slice(0, 10)},${shop},${x.toFixed(3)},${sales.toFixed(3)}`;
  });
  const order = rows.map((_, i) => (i * 7) % 240); // 7 and 240 are coprime: a permutation
  return `day,shop,x,sales\n${order.map((i) => rows[i]).join('\n')}\n`;
}

describe('a capped column and dates, from training to prediction', () => {
  let run: FinalizedRun;
  let prep: Preprocessing;

  beforeAll(async () => {
    run = await finalizedRun({
      sweep: {
        name: 'sales',
        dataset: { key: 'datasets/sales.csv', task: 'regression', target: 'sales', maxCategories: 5 },
        model: { family: 'dense', depth: [1], width: [8] },
        training: { epochs: 10, batchSize: 16, learningRate: 0.02, seed: 3 },
        evaluation: { strategy: 'holdout', repeats: 1, metric: 'rmse' },
      },
      datasetKey: 'datasets/sales.csv',
      data: salesCsv(),
      runId: 'sales-run',
    });
    prep = parsePreprocessing(JSON.parse(await readFile(join(run.dir, keys.finalModel(run.runId), 'preprocessing.json'), 'utf8')));
  }, 120_000);

  afterAll(async () => {
    if (run) await rm(run.dir, { recursive: true, force: true });
  });

  it('saves a layerbench.preprocessing.v2 document: the busy shops and "(other)", the week cycle of the day, the time order', () => {
    expect(prep.schema).toBe('layerbench.preprocessing.v2');
    expect(prep.order).toEqual({ column: 'day', format: 'ymd' });
    const shop = prep.input.kind === 'tabular' ? prep.input.features.find((f) => f.name === 'shop') : undefined;
    expect(shop).toMatchObject({ kind: 'categorical', other: true });
    expect(shop?.kind === 'categorical' && [...shop.categories].sort()).toEqual(['(other)', 'busy 0', 'busy 1', 'busy 2', 'busy 3', 'busy 4']);
    // 240 days: the week cycle, not yet a year's.
    expect(prep.encodedNames!.filter((n) => n.startsWith('day.'))).toEqual(['day.week_sin', 'day.week_cos']);
  });

  it('predict reads the held-out rows as training did: the same outputs as the pipeline’s own tensors', async () => {
    const manifest = await readManifest(run.store, run.runId);
    const spec = manifest.sweep;
    const { parsed } = await loadSweepDataset(run.store, spec.dataset);
    const data = refitData(parsed, spec.evaluation, spec.training.seed);
    const { split } = dataLayout(parsed, spec.evaluation, spec.training.seed);
    await selectBackend();
    const model = await loadModelFromStore(run.store, keys.finalModel(run.runId));
    const x = tf.tensor(data.test!.x, [data.test!.n, ...data.preprocessing.inputShape]);
    const y = model.predict(x) as tf.Tensor;
    const outputs = Array.from(await y.data());
    tf.dispose([x, y]);
    model.dispose();
    // The test rows as raw cells, in the file's order.
    const lines = salesCsv().trim().split('\n');
    const file = join(run.dir, 'test-rows.csv');
    await writeFile(file, `${lines[0]}\n${Array.from(split.test, (i) => lines[i + 1]).join('\n')}\n`);
    const r = await cli('predict', run.runId, file, '--store', run.dir, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { predictions: { prediction: number }[] };
    const t = prep.target.kind === 'numeric' ? prep.target : undefined;
    expect(doc.predictions).toHaveLength(split.test.length);
    expect(outputs).toHaveLength(split.test.length);
    doc.predictions.forEach((p, k) => expect(Math.abs(p.prediction - (outputs[k]! * t!.std[0]! + t!.mean[0]!))).toBeLessThan(1e-4));
  });

  it('maps a shop it never saw to "(other)" — no error — like a small shop it did see', async () => {
    const predictor = await loadPredictor(run.store, run.runId);
    try {
      const unseen = await predictor.predictRecords([{ day: '2023-09-01', shop: 'brand new shop', x: 2 }]);
      const small = await predictor.predictRecords([{ day: '2023-09-01', shop: 'small 3', x: 2 }]);
      const busy = await predictor.predictRecords([{ day: '2023-09-01', shop: 'busy 1', x: 2 }]);
      expect(unseen.unknown).toEqual([]);
      expect(unseen.warnings).toEqual([]);
      expect(unseen.rows[0]![1]).toBe(small.rows[0]![1]);
      expect(busy.rows[0]![1]).not.toBe(small.rows[0]![1]);
      // A date that is not one is an error naming the row and column.
      await expect(predictor.predictRecords([{ day: 'someday', shop: 'busy 1', x: 2 }])).rejects.toThrow('records: row 1, column "day": "someday" is not a date like the column\'s others (ymd)');
    } finally {
      predictor.dispose();
    }
  });

  it('the model card’s browser snippet prepares records exactly as layerbench does', () => {
    const records = [
      { day: '2023-09-01', shop: 'busy 1', x: 2 },
      { day: '2024-02-29', shop: 'never seen', x: '' },
      { day: '', shop: '', x: 0.5 },
    ];
    const fakeTf = { tensor2d: (rows: number[][]) => rows };
    const encodeInBrowser = new Function('prep', 'tf', `${browserEncoder(prep)}\nreturn encode;`)(prep, fakeTf) as (rows: unknown[]) => number[][];
    const header = ['day', 'shop', 'x'];
    const table = { header, columns: header.map((h) => records.map((r) => String((r as Record<string, unknown>)[h]))), rowNumbers: [1, 2, 3] };
    const expected = encode(prep, readCsvRows(prep, table, 'records'), [0, 1, 2]);
    const width = prep.inputShape[0]!;
    expect(encodeInBrowser(records).map((row) => row.length)).toEqual([width, width, width]);
    encodeInBrowser(records).forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected.x[i * width + j]!), prep.encodedNames![j]).toBeLessThan(1e-6)));
  });
});
