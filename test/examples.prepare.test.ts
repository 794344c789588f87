import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DATASETS, loadExampleSweep, prepareExamples } from '../examples/prepare.js';
import { datasetInfo } from '../src/data/info.js';
import { clearDatasetCache, loadDataset } from '../src/data/load.js';
import { splitDataset } from '../src/data/split.js';
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
});
