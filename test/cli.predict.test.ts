/**
 * `layerbench predict` on rows the final model never saw: a table with a categorical column and missing
 * cells, a forecast series, image arrays. Each run goes through Plan, Train, Aggregate and Finalize; then
 * the command, fed the held-out test rows as raw cells (columns in another order, rows shuffled), must
 * reproduce to 1e-5 what the model gives on the training pipeline's own tensors (refitData: what
 * Finalize scored), and the metric it prints must equal one computed here from the file and the CSV it
 * wrote. Bad input: one line, exit 2, nothing written.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFromStore } from '../src/artifacts/model.js';
import { readCsv } from '../src/data/csv.js';
import { decodeNpz, encodeNpz } from '../src/data/npy.js';
import { dataLayout, refitData } from '../src/data/split.js';
import { finalModelDocSchema } from '../src/results/final-model.js';
import { loadSweepDataset } from '../src/steps/dataset.js';
import { finalize } from '../src/steps/finalize.js';
import { readManifest } from '../src/results/manifest.js';
import type { SweepSpecInput } from '../src/sweep/schema.js';
import { keys } from '../src/store/keys.js';
import { getJson } from '../src/store/store.js';
import { selectBackend } from '../src/train/backend.js';
import { cli } from './helpers/cli.js';
import { finalizedRun, lcg, type FinalizedRun } from './helpers/finalized-run.js';

const runs: FinalizedRun[] = [];
afterAll(async () => {
  await Promise.all(runs.map((r) => rm(r.dir, { recursive: true, force: true })));
});

/** What the final model outputs on the tensors Finalize scored it on (the test split, encoded by the training pipeline). */
async function pipelineOutputs(run: FinalizedRun): Promise<{ outputs: number[][]; testSamples: Int32Array }> {
  const manifest = await readManifest(run.store, run.runId);
  const spec = manifest.sweep;
  const { parsed } = await loadSweepDataset(run.store, spec.dataset);
  const data = refitData(parsed, spec.evaluation, spec.training.seed);
  const { split } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  await selectBackend();
  const model = await loadModelFromStore(run.store, keys.finalModel(run.runId));
  try {
    const x = tf.tensor(data.test!.x, [data.test!.n, ...data.preprocessing.inputShape]);
    const y = model.predict(x) as tf.Tensor;
    const outputs = (await y.array()) as number[][];
    tf.dispose([x, y]);
    return { outputs, testSamples: split.test };
  } finally {
    model.dispose();
  }
}

/** A CSV written by predict, as records keyed by its header. */
async function readPredictions(file: string): Promise<Record<string, string>[]> {
  const table = readCsv(await readFile(file), file);
  return table.rowNumbers.map((_, r) => Object.fromEntries(table.header.map((h, c) => [h, table.columns[c]![r]!])));
}

/** The number in the line predict prints: `<metric> on the N <samples> whose target the file holds: <value>`. */
function printedMetric(stdout: string, metric: string): { samples: number; value: number } {
  const m = new RegExp(`^${metric} on the (\\d+) \\w+ whose target the file holds: (\\S+)$`, 'm').exec(stdout);
  if (!m) throw new Error(`no ${metric} line in: ${stdout}`);
  return { samples: Number(m[1]), value: Number(m[2]) };
}

const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);

// ------------------------------------------------------------------------------------------------
// A table: two numbers (one with missing cells), a category (with missing cells), three classes.
// ------------------------------------------------------------------------------------------------

const TABLE_HEADER = ['id', 'x1', 'x2', 'color', 'label'];
function tableRows(): string[][] {
  const r = lcg(11);
  const colors = ['red', 'green', 'blue'];
  return Array.from({ length: 240 }, (_, i) => {
    const x1 = r() * 10;
    const x2 = r() * 10;
    const color = colors[Math.floor(r() * 3)]!;
    const label = color === 'red' ? 'a' : x1 > 5 ? 'b' : 'c';
    return [`row${i}`, r() < 0.1 ? 'NA' : x1.toFixed(3), x2.toFixed(3), r() < 0.06 ? '' : color, label];
  });
}
const csvOf = (header: string[], rows: string[][]) => `${header.join(',')}\n${rows.map((row) => row.join(',')).join('\n')}\n`;

const tableSweep: SweepSpecInput = {
  name: 'colors',
  dataset: { key: 'datasets/colors.csv', task: 'multiclass', target: 'label', features: ['x1', 'x2', 'color'] },
  model: { family: 'dense', depth: [1], width: [16] },
  training: { epochs: 40, batchSize: 16, learningRate: 0.02, earlyStopping: { patience: 8 }, seed: 7 },
  evaluation: { strategy: 'holdout', validationSplit: 0.25, test: 0.25, repeats: 1 },
};

describe('predict on a table with a categorical column and missing cells', () => {
  const rows = tableRows();
  let run: FinalizedRun;
  let expected: { outputs: number[][]; testSamples: Int32Array };
  /** The held-out test rows as raw cells, columns reordered: label first, the category before the numbers, id in the middle. */
  let testFile: string;
  const order = ['label', 'color', 'id', 'x2', 'x1'];
  let testRows: string[][];

  beforeAll(async () => {
    run = await finalizedRun({ sweep: tableSweep, datasetKey: 'datasets/colors.csv', data: csvOf(TABLE_HEADER, rows), runId: 'colors-run' });
    runs.push(run);
    expected = await pipelineOutputs(run);
    // Parsing kept every row (the target is never missing), so test sample i is file row i.
    testRows = Array.from(expected.testSamples, (i) => order.map((c) => rows[i]![TABLE_HEADER.indexOf(c)]!));
    testFile = join(run.dir, 'new-rows.csv');
    await writeFile(testFile, csvOf(order, testRows));
  }, 120_000);

  it('Finalize saved the five files and says what the model is', async () => {
    const doc = finalModelDocSchema.parse(await getJson(run.store, keys.finalModelDoc(run.runId)));
    expect(doc.status).toBe('succeeded');
    expect(await run.store.list(keys.finalModel(run.runId))).toEqual(['README.md', 'final.json', 'model.json', 'preprocessing.json', 'weights.bin'].map((f) => `${keys.finalModel(run.runId)}${f}`));
    // Refit on every development row (240 − 60 test rows) for the epoch its one trial kept.
    expect(doc.trainRows).toBe(180);
    expect(doc.epochs).toBe(doc.bestEpochs![0]);
    expect(doc.test?.rows).toBe(60);
    const prep = JSON.parse(await readFile(join(run.dir, keys.finalModel(run.runId), 'preprocessing.json'), 'utf8'));
    expect(prep.input.features.map((f: { name: string }) => f.name)).toEqual(['x1', 'x2', 'color']);
    expect(prep.input.features[2].categories).toEqual(['blue', 'green', 'red', '(missing)']);
    expect(prep.input.features[0].indicator).toBe(true);
  });

  it('reproduces the training pipeline to 1e-5 on rows it never saw, and prints the metric computed from the file', async () => {
    const out = join(run.dir, 'predictions.csv');
    const r = await cli('predict', run.runId, testFile, '--store', run.dir, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const predicted = await readPredictions(out);
    expect(Object.keys(predicted[0]!)).toEqual(['row', 'prediction', 'p_a', 'p_b', 'p_c']);
    expect(predicted.map((p) => Number(p.row))).toEqual(testRows.map((_, k) => k + 2));
    predicted.forEach((p, k) => {
      ['a', 'b', 'c'].forEach((c, j) => close(Number(p[`p_${c}`]), expected.outputs[k]![j]!, 1e-5));
      const probs = expected.outputs[k]!;
      expect(p.prediction).toBe(['a', 'b', 'c'][probs.indexOf(Math.max(...probs))]);
    });
    // Accuracy, independently: predicted label against the file's label column.
    const correct = predicted.filter((p, k) => p.prediction === testRows[k]![0]).length;
    const printed = printedMetric(r.stdout, 'accuracy');
    expect(printed.samples).toBe(testRows.length);
    close(printed.value, correct / testRows.length, 1e-6);
    // … and it is the test score Finalize recorded for the final model.
    const doc = finalModelDocSchema.parse(await getJson(run.store, keys.finalModelDoc(run.runId)));
    close(doc.test!.metric, correct / testRows.length, 1e-12);
  });

  it('gives the same predictions when the rows (so the categories) arrive in another order and the target is absent', async () => {
    const shuffled = [...testRows.keys()].reverse();
    const file = join(run.dir, 'shuffled.csv');
    const noTarget = order.filter((c) => c !== 'label');
    await writeFile(
      file,
      csvOf(
        noTarget,
        shuffled.map((k) => testRows[k]!.slice(1)),
      ),
    );
    const r = await cli('predict', run.runId, file, '--store', run.dir);
    expect(r.code).toBe(0);
    const table = readCsv(new TextEncoder().encode(r.stdout), 'stdout');
    expect(table.header).toEqual(['row', 'prediction', 'p_a', 'p_b', 'p_c']);
    shuffled.forEach((k, i) => {
      ['a', 'b', 'c'].forEach((_, j) => close(Number(table.columns[2 + j]![i]), expected.outputs[k]![j]!, 1e-5));
    });
    expect(r.stderr).not.toMatch(/accuracy/);
  });

  it('--json prints one document with the predictions and the metric', async () => {
    const r = await cli('predict', run.runId, testFile, '--store', run.dir, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { model: { kind: string }; samples: number; metric: { name: string; value: number }; predictions: Record<string, unknown>[] };
    expect(doc.model.kind).toBe('final');
    expect(doc.samples).toBe(testRows.length);
    expect(doc.predictions[0]).toMatchObject({ row: 2, prediction: expect.any(String), p_a: expect.any(Number) });
    expect(doc.metric.name).toBe('accuracy');
  });

  it('--candidate predicts with that candidate’s saved model (one trial’s) and says so', async () => {
    const manifest = await readManifest(run.store, run.runId);
    const r = await cli('predict', run.runId, testFile, '--store', run.dir, '--candidate', manifest.candidates[0]!.id, '--out', join(run.dir, 'cand.csv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`candidate ${manifest.candidates[0]!.id}'s saved model (one trial's kept weights)`);
  });

  describe('bad input: one line naming the problem, exit 2, nothing written', () => {
    const cases: { name: string; args: (dir: string, runId: string) => Promise<string[]>; message: RegExp }[] = [
      { name: 'an unknown run id', args: async (dir) => ['no-such-run', join(dir, 'new-rows.csv')], message: /^layerbench: run "no-such-run": not found in / },
      {
        name: 'a file missing training columns',
        args: async (dir) => {
          await writeFile(join(dir, 'no-color.csv'), 'x1,x2\n1,2\n');
          return [join(dir, 'no-color.csv')];
        },
        message: /no-color\.csv: the training column "color" is missing \(the header has x1, x2\)$/,
      },
      {
        name: 'a category never seen in training',
        args: async (dir) => {
          await writeFile(join(dir, 'purple.csv'), 'x1,x2,color\n1,2,red\n3,4,purple\n');
          return [join(dir, 'purple.csv')];
        },
        message: /purple\.csv: row 3, column "color": "purple" was never seen in training \(known: blue, green, red, \(missing\)\)/,
      },
      {
        name: 'the wrong file type',
        args: async (dir) => {
          await writeFile(join(dir, 'rows.json'), '[]');
          return [join(dir, 'rows.json')];
        },
        message: /rows\.json: not a CSV, NPY or NPZ file \(by its extension \.json\)/,
      },
      {
        name: 'arrays for a table model',
        args: async (dir) => {
          await writeFile(join(dir, 'x.npz'), encodeNpz({ x: { data: new Float32Array(6), shape: [2, 3], dtype: 'f4' } }));
          return [join(dir, 'x.npz')];
        },
        message: /x\.npz: arrays, but the model takes a CSV table/,
      },
      { name: 'a missing file', args: async (dir) => [join(dir, 'nowhere.csv')], message: /nowhere\.csv: no such file$/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const extra = await c.args(run.dir, run.runId);
        const args = extra.length === 1 ? [run.runId, ...extra] : extra;
        const out = join(run.dir, `out-${c.name.replace(/\W+/g, '-')}.csv`);
        const r = await cli('predict', ...args, '--store', run.dir, '--out', out);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(r.stderr.trimEnd()).toMatch(c.message);
        expect(existsSync(out)).toBe(false);
      });
    }

    it('a run with no final model yet names what to do instead', async () => {
      const unfinished = await finalizedRun({ sweep: tableSweep, datasetKey: 'datasets/colors.csv', data: csvOf(TABLE_HEADER, rows.slice(0, 80)), runId: 'unfinished', skipFinalize: true });
      runs.push(unfinished);
      const out = join(unfinished.dir, 'out.csv');
      const r = await cli('predict', 'unfinished', testFile, '--store', unfinished.dir, '--out', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("layerbench: run unfinished has no final model (Finalize has not saved it yet); --candidate <id> predicts with one candidate's saved model\n");
      expect(existsSync(out)).toBe(false);
      // A run whose answer is the baseline: no final model, and that is the answer, not a failed step.
      const best = { candidateId: 'dense-d1-w4-0000000000', metric: 'accuracy', value: 0.5 };
      await finalize(unfinished.store, { runs: [{ runId: 'unfinished', sweep: 'colors', leaderboardKey: keys.leaderboard('unfinished', 'json'), succeeded: 1, failed: 0, best }] });
      const b = await cli('predict', 'unfinished', testFile, '--store', unfinished.dir, '--out', out);
      expect(b.stderr).toBe(
        "layerbench: run unfinished has no final model (no candidate beats the baseline; the baseline is the answer); --candidate <id> predicts with one candidate's saved model\n",
      );
    }, 60_000);

    it('--unknown-categories zero encodes an unseen category as all zeros, with a warning', async () => {
      const r = await cli('predict', run.runId, join(run.dir, 'purple.csv'), '--store', run.dir, '--unknown-categories', 'zero');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('layerbench: warning: column "color": "purple" (1 row) was never seen in training; encoded as all zeros');
    });
  });
});

// ------------------------------------------------------------------------------------------------
// A forecast: two channels (one with missing cells), numeric time. The next `a` is today's `b`, so a
// network beats "no change" (the baseline it must beat to be recommended) by far.
// ------------------------------------------------------------------------------------------------

const SERIES_HEADER = ['t', 'a', 'b'];
function seriesRows(): string[][] {
  const r = lcg(5);
  return Array.from({ length: 140 }, (_, i) => [String(i + 1), (Math.sin((i * Math.PI) / 2) + 0.05 * r()).toFixed(4), r() < 0.05 ? 'NA' : Math.cos((i * Math.PI) / 2).toFixed(4)]);
}

const seriesSweep: SweepSpecInput = {
  name: 'waves',
  dataset: { key: 'datasets/waves.csv', task: 'forecast', target: 'a', features: ['a', 'b'], time: 't', lookback: 8, horizon: 1, unit: 'm' },
  model: { family: 'lstm', depth: [1], width: [4] },
  training: { epochs: 15, batchSize: 16, learningRate: 0.03, seed: 3 },
  evaluation: { strategy: 'holdout', validationSplit: 0.2, test: 0.2, repeats: 1, metric: 'rmse' },
};

describe('predict on a forecast series', () => {
  const rows = seriesRows();
  let run: FinalizedRun;
  let expected: { outputs: number[][]; testSamples: Int32Array };

  beforeAll(async () => {
    run = await finalizedRun({ sweep: seriesSweep, datasetKey: 'datasets/waves.csv', data: csvOf(SERIES_HEADER, rows), runId: 'waves-run' });
    runs.push(run);
    expected = await pipelineOutputs(run);
  }, 120_000);

  it('one row per window end reproduces the training pipeline, in the target’s units, from rows in any order', async () => {
    // From the first test window's first row to the end: the test windows, plus one predicting beyond the file.
    const first = expected.testSamples[0]!;
    const tail = rows.slice(first);
    const order = ['b', 't', 'a'];
    const shuffled = tail.map((row) => order.map((c) => row[SERIES_HEADER.indexOf(c)]!)).reverse();
    const file = join(run.dir, 'tail.csv');
    await writeFile(file, csvOf(order, shuffled));
    const out = join(run.dir, 'forecast.csv');
    const r = await cli('predict', run.runId, file, '--store', run.dir, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const predicted = await readPredictions(out);
    expect(Object.keys(predicted[0]!)).toEqual(['row', 't', 'prediction']);
    expect(predicted).toHaveLength(expected.testSamples.length + 1);
    const prep = JSON.parse(await readFile(join(run.dir, keys.finalModel(run.runId), 'preprocessing.json'), 'utf8'));
    const [mean, std] = [prep.target.mean[0], prep.target.std[0]];
    // Window k ends at time first + k + lookback (1-based times); its prediction is that output in metres.
    predicted.slice(0, -1).forEach((p, k) => {
      expect(Number(p.t)).toBe(first + k + 8);
      close(Number(p.prediction), expected.outputs[k]![0]! * std + mean, 1e-5);
    });
    // RMSE, independently: each window's prediction against `a` one row after its end, read from the file.
    const aAt = new Map(tail.map((row) => [Number(row[0]), Number(row[1])]));
    const errors = predicted.slice(0, -1).map((p) => Number(p.prediction) - aAt.get(Number(p.t) + 1)!);
    const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    const printed = printedMetric(r.stdout, 'rmse');
    expect(printed.samples).toBe(expected.testSamples.length);
    close(printed.value, rmse, 1e-5);
  });
});

// ------------------------------------------------------------------------------------------------
// Image arrays: 8×8 uint8, a bright block in one of three places.
// ------------------------------------------------------------------------------------------------

function blocks(n: number, seed: number): { x: Uint8Array; y: Uint8Array } {
  const r = lcg(seed);
  const x = new Uint8Array(n * 64);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = Math.floor(r() * 60);
    const [r0, c0] = [
      [0, 0],
      [0, 4],
      [4, 2],
    ][c]!;
    for (let dr = 0; dr < 4; dr++) for (let dc = 0; dc < 4; dc++) x[i * 64 + (r0! + dr) * 8 + c0! + dc] = 200 + Math.floor(r() * 55);
  }
  return { x, y };
}

const imageSweep: SweepSpecInput = {
  name: 'blocks',
  dataset: { key: 'datasets/blocks.npz', format: 'npz', task: 'multiclass', inputs: 'x', target: 'y' },
  model: { family: 'cnn', depth: [1], width: [4], cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] } },
  training: { epochs: 4, batchSize: 16, learningRate: 0.01, seed: 9 },
  evaluation: { strategy: 'holdout', validationSplit: 0.2, test: 0.25, repeats: 1 },
};

describe('predict on image arrays', () => {
  const data = blocks(96, 21);
  let run: FinalizedRun;
  let expected: { outputs: number[][]; testSamples: Int32Array };

  beforeAll(async () => {
    const npz = encodeNpz({ x: { data: data.x, shape: [96, 8, 8], dtype: 'u1' }, y: { data: data.y, shape: [96], dtype: 'u1' } });
    run = await finalizedRun({ sweep: imageSweep, datasetKey: 'datasets/blocks.npz', data: npz, runId: 'blocks-run' });
    runs.push(run);
    expected = await pipelineOutputs(run);
  }, 120_000);

  it('an .npz of unseen samples with their labels reproduces the training pipeline and its accuracy', async () => {
    const test = Array.from(expected.testSamples);
    const x = new Uint8Array(test.length * 64);
    test.forEach((i, k) => x.set(data.x.subarray(i * 64, (i + 1) * 64), k * 64));
    const y = Uint8Array.from(test, (i) => data.y[i]!);
    const file = join(run.dir, 'unseen.npz');
    await writeFile(file, encodeNpz({ x: { data: x, shape: [test.length, 8, 8], dtype: 'u1' }, y: { data: y, shape: [test.length], dtype: 'u1' } }));
    expect(decodeNpz(await readFile(file)).x!.shape).toEqual([test.length, 8, 8]);
    const out = join(run.dir, 'classes.csv');
    const r = await cli('predict', run.runId, file, '--store', run.dir, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const predicted = await readPredictions(out);
    expect(Object.keys(predicted[0]!)).toEqual(['row', 'prediction', 'p_0', 'p_1', 'p_2']);
    predicted.forEach((p, k) => {
      expect(Number(p.row)).toBe(k);
      [0, 1, 2].forEach((c) => close(Number(p[`p_${c}`]), expected.outputs[k]![c]!, 1e-5));
    });
    const correct = predicted.filter((p, k) => Number(p.prediction) === y[k]).length;
    close(printedMetric(r.stdout, 'accuracy').value, correct / test.length, 1e-6);
  });
});
