/**
 * Time-ordered evaluation for every task (src/data/split.ts): forward-chaining folds and a test split
 * of the latest rows, so no model trains on rows later than those it is scored on; statistics learned
 * on the past only; the baseline on the very same splits; and a warning when a table that looks
 * ordered is split at random.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineDoc } from '../src/data/baseline.js';
import { encodeNpz } from '../src/data/npy.js';
import { parseDataset } from '../src/data/parse.js';
import type { ParsedDataset } from '../src/data/dataset.js';
import { dataLayout, foldIndices, holdOutTest, splitDataset, splitOrder, targetRow } from '../src/data/split.js';
import { dataSummary } from '../src/data/summary.js';
import { dataBlock, dataFacts } from '../src/report/data-text.js';
import { plan } from '../src/steps/plan.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, putJson } from '../src/store/store.js';
import { datasetSchema, sweepSpecSchema, type SweepSpec, type SweepSpecInput } from '../src/sweep/schema.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const day = (i: number) => new Date(Date.UTC(2023, 0, 1 + i)).toISOString().slice(0, 10);
/** A permutation of 0…n−1 (k coprime to n): rows written out of time order. */
const shuffled = (n: number, k = 37) => Array.from({ length: n }, (_, i) => (i * k) % n);

function sweep(dataset: Record<string, unknown>, evaluation: Record<string, unknown> = {}): SweepSpec {
  const family = dataset['task'] === 'forecast' ? 'lstm' : 'dense';
  return sweepSpecSchema.parse({ name: 's', dataset: { key: 'd.csv', ...dataset }, model: { family, depth: [1], width: [2] }, evaluation } as SweepSpecInput);
}

const parse = (spec: SweepSpec, text: string | Uint8Array) => parseDataset(spec.dataset, typeof text === 'string' ? bytes(text) : text);

/** 100 days in a shuffled file, with a feature, a class among three and a value. */
function days(n = 100): string {
  const rows = shuffled(n).map((i) => `${day(i)},${(i * 13) % 17},${['a', 'b', 'c'][(i * 7) % 3]},${i % 4 === 0 ? 'yes' : 'no'},${(i * 0.5 + ((i * 31) % 9)).toFixed(2)}`);
  return `when,x,kind,rain,amount\n${rows.join('\n')}\n`;
}

/** The time of each sample: the row's date (tables), its target row (forecast windows), its index (arrays in file order). */
function timeOf(p: ParsedDataset): (i: number) => number {
  if (p.kind === 'series') return (w) => p.time[targetRow(p, w)]!;
  if (p.kind === 'tabular' && p.order) return (i) => p.order!.time[i]!;
  return (i) => i;
}

const latest = (xs: Int32Array, t: (i: number) => number) => Math.max(...Array.from(xs, t));
const earliest = (xs: Int32Array, t: (i: number) => number) => Math.min(...Array.from(xs, t));

const CASES: [string, () => { spec: SweepSpec; p: ParsedDataset }][] = [
  ['binary', () => (({ spec }) => ({ spec, p: parse(spec, days()) }))({ spec: sweep({ task: 'binary', target: 'rain' }) })],
  ['multiclass', () => (({ spec }) => ({ spec, p: parse(spec, days()) }))({ spec: sweep({ task: 'multiclass', target: 'kind' }) })],
  ['regression', () => (({ spec }) => ({ spec, p: parse(spec, days()) }))({ spec: sweep({ task: 'regression', target: 'amount' }) })],
  [
    'forecast',
    () => {
      const spec = sweep({ task: 'forecast', target: 'amount', time: 'when', features: ['amount', 'x'], lookback: 4 });
      return { spec, p: parse(spec, days()) };
    },
  ],
  [
    'arrays with evaluation.order "time"',
    () => {
      const spec = sweepSpecSchema.parse({
        name: 's',
        dataset: { key: 'd.npz', format: 'npz', task: 'binary' },
        model: { family: 'dense', depth: [1], width: [2] },
        evaluation: { order: 'time' },
      });
      const npz = encodeNpz({
        x: { data: Array.from({ length: 60 * 3 }, (_, i) => (i * 7) % 10), shape: [60, 3], dtype: 'f4' },
        y: { data: Array.from({ length: 60 }, (_, i) => i % 2), shape: [60], dtype: 'u1' },
      });
      return { spec, p: parse(spec, npz) };
    },
  ],
];

describe('time-ordered splits never train on rows later than those they are scored on', () => {
  for (const [task, make] of CASES) {
    describe(task, () => {
      const { spec, p } = make();
      const t = timeOf(p);

      it('is split in time', () => {
        expect(splitOrder(p, spec.evaluation).kind).toBe('time');
      });

      it('the test split is the latest samples', () => {
        const { test, dev } = holdOutTest(p, spec.evaluation, 42);
        expect(test.length).toBeGreaterThan(0);
        expect(latest(dev, t)).toBeLessThanOrEqual(earliest(test, t));
      });

      for (const strategy of ['holdout', 'kfold'] as const) {
        it(`${strategy}: every fold trains only on samples no later than its validation samples, and repeats do not change it`, () => {
          const evaluation = { ...spec.evaluation, strategy, folds: 4 };
          const folds = foldIndices(p, evaluation, 42, 0);
          expect(folds).toHaveLength(strategy === 'kfold' ? 4 : 1);
          for (const f of folds) {
            expect(f.train.length).toBeGreaterThan(0);
            expect(latest(f.train, t)).toBeLessThanOrEqual(earliest(f.val, t));
          }
          expect(foldIndices(p, evaluation, 42, 1)).toEqual(folds);
          if (strategy === 'kfold') {
            // Forward chaining: each fold trains on everything before its block, so the training sets grow.
            const sizes = folds.map((f) => f.train.length);
            expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
            expect(new Set(folds.flatMap((f) => Array.from(f.val))).size).toBe(folds.reduce((a, f) => a + f.val.length, 0));
          }
        });
      }
    });
  }
});

describe('a table with a date column, evaluation.order "auto"', () => {
  const spec = sweep({ task: 'binary', target: 'rain' }, { strategy: 'kfold', folds: 3 });
  const p = parse(spec, days());

  it('learns every statistic on the past: a fold standardises with the mean of its own (earlier) training rows', () => {
    const folds = foldIndices(p, spec.evaluation, 42, 0);
    splitDataset(p, spec.evaluation, 42, 0).forEach((s, i) => {
      const x = p.kind === 'tabular' ? p.columns.find((c) => c.name === 'x') : undefined;
      const train = Array.from(folds[i]!.train, (r) => (x?.type === 'numeric' ? x.values[r]! : Number.NaN));
      const feature = s.preprocessing!.input.kind === 'tabular' ? s.preprocessing!.input.features.find((f) => f.name === 'x') : undefined;
      expect(feature).toMatchObject({ mean: train.reduce((a, b) => a + b, 0) / train.length });
    });
  });

  it('the baseline is scored on the very same splits and test rows', () => {
    const doc = baselineDoc('run', p, spec);
    const repeats = Array.from({ length: spec.evaluation.repeats }, (_, r) => splitDataset(p, spec.evaluation, 42, r));
    expect(doc.trials.map((t) => t.split)).toEqual(repeats.flat().map((s) => s.splitId));
    expect(doc.test!.rows).toBe(holdOutTest(p, spec.evaluation, 42).test.length);
  });

  it('says so in the data summary and the saved preprocessing: the order, the rules, and that time order cannot be stratified', () => {
    const d = dataSummary(p, spec);
    expect(d.order).toEqual({ kind: 'time', column: 'when', reason: 'evaluation.order "auto": column "when" holds dates', signs: ['column "when" holds dates (2023-01-01 … 2023-04-10)'] });
    expect(d.splits.testRule).toBe('the latest 20 % of rows in time — not stratified, time comes first');
    expect(d.splits.validationRule).toBe("3 forward-chaining folds (as scikit-learn's TimeSeriesSplit): each validates on a block of rows later than all it trains on");
    expect(d.warnings).toEqual([]);
    expect(dataFacts(d).find((f) => f.label === 'Order')!.text).toBe(
      'in time, by "when" (evaluation.order "auto": column "when" holds dates): validation and test rows are always later than the rows a model trains on, and every statistic is learned on the earlier rows.',
    );
    expect(dataLayout(p, spec.evaluation, 42).layout.order).toEqual({ column: 'when', format: 'ymd' });
  });

  it('evaluation.order "random" splits it at random (stratified again), and lists the signs without a warning', () => {
    const random = sweep({ task: 'binary', target: 'rain' }, { order: 'random' });
    const d = dataSummary(parse(random, days()), random);
    expect(d.order).toMatchObject({ kind: 'random', reason: 'evaluation.order "random"', signs: ['column "when" holds dates (2023-01-01 … 2023-04-10)'] });
    expect(d.splits.testRule).toBe('stratified random 20 %');
    expect(d.warnings).toEqual([]);
  });

  it('dataset.time names the order column for any task; evaluation.order "time" without one keeps the file order', () => {
    const named = sweep({ task: 'regression', target: 'amount', time: 'x' });
    expect(splitOrder(parse(named, days()), named.evaluation)).toEqual({ kind: 'time', column: 'x', reason: 'dataset.time names "x"' });
    const plain = sweep({ task: 'regression', target: 'amount' }, { order: 'time' });
    const noDates = `x,amount\n${Array.from({ length: 30 }, (_, i) => `${(i * 7) % 5},${i}`).join('\n')}\n`;
    const q = parse(plain, noDates);
    expect(splitOrder(q, plain.evaluation)).toMatchObject({ kind: 'time', column: null });
    expect(Array.from(holdOutTest(q, plain.evaluation, 42).test)).toEqual([24, 25, 26, 27, 28, 29]);
  });
});

describe('a table that looks ordered but is split at random gets a warning', () => {
  const warned = (spec: SweepSpec, text: string) => dataSummary(parse(spec, text), spec).warnings.filter((w) => w.startsWith('The rows look time-ordered'));

  it('a column that only rises (a step counter)', () => {
    const spec = sweep({ task: 'regression', target: 'y' });
    const text = `step,x,y\n${Array.from({ length: 80 }, (_, i) => `${1000 + 3 * i},${(i * 7) % 5},${(i * 11) % 13}`).join('\n')}\n`;
    const [w] = warned(spec, text);
    expect(w).toBe(
      'The rows look time-ordered (column "step" rises from row to row (1000 … 1237)) but were split at random, so a model can be scored on rows earlier than some it trained on; if they are in time order, set evaluation.order "time" (or name the order column in dataset.time), else "random" to say they are not.',
    );
    // The terminal and the report say it too.
    const d = dataSummary(parse(spec, text), spec);
    expect(dataBlock(d)).toContain(`  warning: ${w}`);
    expect(dataBlock(d)).toContain('  order: random splits (evaluation.order "auto": no dataset.time and no column of dates)\n');
    expect(dataFacts(d).find((f) => f.label === 'Order')!.text).toBe(
      'random splits (evaluation.order "auto": no dataset.time and no column of dates). Signs of time order: column "step" rises from row to row (1000 … 1237).',
    );
  });

  it('a target that follows its previous row (an hourly temperature), but not a shuffled copy of it', () => {
    const spec = sweep({ task: 'regression', target: 'temp' });
    const series = Array.from({ length: 200 }, (_, h) => 10 + 5 * Math.sin((2 * Math.PI * h) / 24) + ((h * 7) % 3) / 10);
    const inOrder = `wind,temp\n${series.map((v, h) => `${(h * 13) % 7},${v.toFixed(2)}`).join('\n')}\n`;
    expect(warned(spec, inOrder)[0]).toMatch(/^The rows look time-ordered \(neighbouring rows' targets agree far more than chance \(lag-1 autocorrelation 0\.9\d\)\)/);
    const mixed = `wind,temp\n${shuffled(200, 77)
      .map((h) => `${(h * 13) % 7},${series[h]!.toFixed(2)}`)
      .join('\n')}\n`;
    expect(warned(spec, mixed)).toEqual([]);
  });

  it('classes in runs (rain follows rain), but not a file sorted by class', () => {
    const spec = sweep({ task: 'binary', target: 'rain' });
    const runs = `x,rain\n${Array.from({ length: 120 }, (_, i) => `${(i * 7) % 5},${Math.floor(i / 6) % 2 ? 'yes' : 'no'}`).join('\n')}\n`;
    expect(warned(spec, runs)).toHaveLength(1);
    const sorted = `x,rain\n${Array.from({ length: 120 }, (_, i) => `${(i * 7) % 5},${i < 60 ? 'no' : 'yes'}`).join('\n')}\n`;
    expect(warned(spec, sorted)).toEqual([]);
  });
});

describe('forecasts split exactly as before', () => {
  it('evaluation.order is "auto" or "time" alike, and "random" is refused', () => {
    const base = { task: 'forecast', target: 'amount', time: 'when', features: ['amount'], lookback: 3 };
    const auto = sweep(base, { strategy: 'kfold', folds: 3 });
    const time = sweep(base, { strategy: 'kfold', folds: 3, order: 'time' });
    expect(foldIndices(parse(auto, days()), auto.evaluation, 1, 0)).toEqual(foldIndices(parse(time, days()), time.evaluation, 1, 0));
    expect(holdOutTest(parse(auto, days()), auto.evaluation, 1).rule).toBe('the last 20 % of windows in time');
    const random = sweepSpecSchema.safeParse({ name: 's', dataset: { key: 'd.csv', ...base }, model: { family: 'lstm', depth: [1], width: [2] }, evaluation: { order: 'random' } });
    expect(random.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['evaluation.order: must not be "random" for a forecast: its windows are always split in time order']);
    expect(() => parseDataset(datasetSchema.parse({ key: 'd.csv', task: 'binary', target: 'rain', time: 'nope' }), bytes(days()))).toThrow('dataset.time: column "nope" is not in the header');
  });
});

describe('resuming a run planned before tables with dates were split in time', () => {
  it('is refused: the candidates still to train would not share the earlier ones’ splits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-order-'));
    try {
      const store = new LocalStore(dir);
      await store.put('datasets/days.csv', days());
      const spec = { name: 'days', dataset: { key: 'datasets/days.csv', task: 'binary', target: 'rain' }, model: { family: 'dense', depth: [1], width: [2] } };
      await putJson(store, keys.sweep('days'), spec);
      await plan(store, { trigger: 'cli', key: keys.sweep('days'), runId: 'old' });
      // As an earlier version wrote it: a v1 data summary, no order (its tables were split at random).
      const manifest = (await getJson(store, keys.runManifest('old'))) as { data: Record<string, unknown> };
      const { order: _order, columns: _columns, ...v1 } = manifest.data;
      await putJson(store, keys.runManifest('old'), { ...manifest, data: { ...v1, schema: 'layerbench.data.v1' } });
      await expect(plan(store, { trigger: 'cli', key: keys.sweep('days'), runId: 'old' })).rejects.toThrow(
        'runId: run old was split at random, and this version of layerbench splits its data otherwise; choose another run id',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
