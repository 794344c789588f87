import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_DATASETS, loadExampleSweep, prepareExamples } from '../examples/prepare.js';
import { datasetInfo } from '../src/data/info.js';
import { clearDatasetCache, loadDataset } from '../src/data/load.js';
import { splitDataset } from '../src/data/split.js';
import { dataSummary } from '../src/data/summary.js';
import { dataSummarySchema } from '../src/results/data-summary.js';
import { LocalStore } from '../src/store/local.js';
import { getText } from '../src/store/store.js';

let dir: string;
let store: LocalStore;
let written: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerbench-examples-'));
  store = new LocalStore(dir);
  written = await prepareExamples(store);
});

afterAll(async () => {
  clearDatasetCache();
  await rm(dir, { recursive: true, force: true });
});

describe('prepareExamples', () => {
  it('writes the three datasets once and skips them the second time', async () => {
    expect([...written].sort()).toEqual(Object.values(EXAMPLE_DATASETS).sort());
    expect(await store.list('datasets/')).toEqual(Object.values(EXAMPLE_DATASETS).sort());
    expect(await prepareExamples(store)).toEqual([]);
  });

  it('writes byte-for-byte the same datasets at another time, so their versions and candidate ids do not change', async () => {
    const again = new LocalStore(await mkdtemp(join(tmpdir(), 'layerbench-examples-again-')));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-07-15T13:45:30Z'));
    try {
      await prepareExamples(again);
    } finally {
      vi.useRealTimers();
    }
    try {
      for (const key of Object.values(EXAMPLE_DATASETS)) {
        expect(Buffer.from(await again.get(key)).equals(Buffer.from(await store.get(key))), key).toBe(true);
        expect(await again.version(key)).toBe(await store.version(key));
      }
    } finally {
      await rm(again.root, { recursive: true, force: true });
    }
  });

  it('labels each Seattle day with whether the next day has precipitation', async () => {
    const lines = (await getText(store, EXAMPLE_DATASETS.seattleWeather)).trim().split('\n');
    const header = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const [p, target, prev] = ['precipitation', 'rain_tomorrow', 'precipitation_prev'].map((c) => header.indexOf(c)) as [number, number, number];
    expect(rows.length).toBe(1461 - 2);
    for (let t = 0; t < rows.length - 1; t++) {
      expect(rows[t]![target]).toBe(Number(rows[t + 1]![p]) > 0 ? '1' : '0');
      expect(rows[t + 1]![prev]).toBe(rows[t]![p]);
    }
  });

  it('seattle-weather: a valid binary dense sweep of 12 candidates over 14 encoded features', async () => {
    const spec = await loadExampleSweep('seattle-weather');
    expect(spec.model.depth.length * spec.model.width.length).toBe(12);
    const { parsed, version } = await loadDataset(store, spec.dataset);
    expect(version).toBe(await store.version(spec.dataset.key));
    const info = datasetInfo(parsed);
    expect(info).toMatchObject({ task: 'binary', inputShape: [14], targetDim: 1, classes: ['0', '1'], rows: 1459, droppedRows: 0 });
    const [s] = splitDataset(parsed, spec.evaluation, spec.training.seed, 0);
    // 20 % of the 1,459 days are held out for the test split, the rest train and validate.
    expect(s!.test!.n).toBe(292);
    expect(s!.train.n + s!.val.n).toBe(1459 - 292);
    expect(s!.train.x.length).toBe(s!.train.n * 14);
    expect(Array.from(s!.val.x).every(Number.isFinite)).toBe(true);
    // A second load in the same process reuses the parse.
    expect((await loadDataset(store, spec.dataset)).parsed).toBe(parsed);
  });

  it('mnist: a valid cnn sweep over 10,000 28×28×1 digits in 10 classes', async () => {
    const spec = await loadExampleSweep('mnist');
    const { parsed } = await loadDataset(store, spec.dataset);
    const info = datasetInfo(parsed);
    expect(info).toMatchObject({ task: 'multiclass', inputShape: [28, 28, 1], targetDim: 10, rows: 10_000 });
    expect(info.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const [s] = splitDataset(parsed, spec.evaluation, spec.training.seed, 0);
    expect(s!.test!.n).toBe(2000);
    expect(s!.train.n).toBe(6400);
    expect(s!.val.x.length).toBe(1600 * 784);
    let max = 0;
    for (const v of s!.train.x) max = Math.max(max, v);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    const counts = new Array<number>(10).fill(0);
    for (const y of s!.val.y) counts[y]!++;
    expect(Math.min(...counts)).toBeGreaterThan(120); // stratified: every digit is validated (1,600 rows, ≈ 10 % each)
  });

  it('co2: a valid lstm forecast sweep over 24-month windows of monthly changes', async () => {
    const spec = await loadExampleSweep('co2');
    const { parsed } = await loadDataset(store, spec.dataset);
    // 741 months; the first and the 3 after a gap in the record have no change and are dropped.
    expect(datasetInfo(parsed)).toMatchObject({
      task: 'forecast',
      inputShape: [24, 2],
      targetDim: 1,
      featureNames: ['CO2 change', 'adjusted CO2 change'],
      rows: 737,
      droppedRows: 4,
    });
    // The last 143 of the 737 - 24 windows are the test split; 3 expanding time-ordered folds over the
    // 570 before them: each trains on more of the past.
    const folds = splitDataset(parsed, spec.evaluation, spec.training.seed, 0);
    expect(folds).toHaveLength(3);
    expect(folds.map((f) => f.train.n)).toEqual([...folds.map((f) => f.train.n)].sort((a, b) => a - b));
    const s = folds.at(-1);
    expect(s!.test!.n).toBe(143);
    expect(s!.train.n + s!.val.n).toBeLessThanOrEqual(737 - 24 - 143);
    expect(s!.train.n + s!.val.n).toBeGreaterThan(737 - 24 - 143 - 3);
    expect(s!.train.x.length).toBe(s!.train.n * 24 * 2);
    // ppm: the training std of the monthly change, the scale errors are reported in.
    expect(s!.targetScale![0]).toBeGreaterThan(0.5);
    expect(s!.targetScale![0]).toBeLessThan(3);
  });

  it('tells what was done to each example’s data (the run.json data summary)', async () => {
    const summary = async (name: 'seattle-weather' | 'mnist' | 'co2') => {
      const spec = await loadExampleSweep(name);
      return dataSummarySchema.parse(dataSummary((await loadDataset(store, spec.dataset)).parsed, spec));
    };
    const seattle = await summary('seattle-weather');
    expect(seattle).toMatchObject({ rowsRead: 1459, rowsUsed: 1459, dropped: { rows: 0 }, encodedWidth: 14, warnings: [] });
    expect(seattle.features.find((f) => f.name === 'weather')).toEqual({ kind: 'categorical', name: 'weather', categories: ['drizzle', 'fog', 'rain', 'snow', 'sun'], imputed: 0 });
    expect(seattle.target).toEqual({ kind: 'classes', name: 'rain_tomorrow', counts: { '0': 837, '1': 622 } });
    // One row per day, with its date: evaluated in time order (issue 19), the latest days as the test split.
    expect(seattle.order).toMatchObject({ kind: 'time', column: 'date', reason: 'evaluation.order "auto": column "date" holds dates' });
    expect(seattle.splits).toEqual({
      test: 292,
      testRule: 'the latest 20 % of rows in time — not stratified, time comes first',
      validationRule: 'the latest 20 % of the other rows in time validate, the earlier ones train',
      train: 934,
      validation: 233,
      trials: 3,
    });

    const mnist = await summary('mnist');
    expect(mnist.features).toEqual([{ kind: 'image', name: 'x', shape: [28, 28, 1], scale: 'uint8 × 1/255' }]);
    expect(Object.values(mnist.target.kind === 'classes' ? mnist.target.counts : {}).reduce((a, b) => a + b)).toBe(10_000);
    expect(mnist.splits).toMatchObject({ test: 2000, train: 6400, validation: 1600, trials: 2 });
    expect(mnist.order).toMatchObject({ kind: 'random' });

    const co2 = await summary('co2');
    expect(co2).toMatchObject({ rowsRead: 741, rowsUsed: 737, dropped: { rows: 4, byColumn: { 'CO2 change': 4, 'adjusted CO2 change': 4 } } });
    expect(co2.features).toEqual([
      { kind: 'series', name: 'CO2 change', target: true },
      { kind: 'series', name: 'adjusted CO2 change', target: false },
    ]);
    expect(co2.target).toMatchObject({ kind: 'numeric', name: 'CO2 change', unit: 'ppm', describes: 'the value of "CO2 change" (a change from the row before) 1 row after each window of 24' });
    expect(co2.splits).toMatchObject({ test: 143, testRule: 'the last 20 % of windows in time', train: 286, validation: 142, trials: 9 });
    expect(co2.warnings).toEqual(['4 of 741 rows (0.5 %) were dropped for missing cells (CO2 change: 4, adjusted CO2 change: 4).']);
  });
});
