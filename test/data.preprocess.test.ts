import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/data/csv.js';
import { encodeNpy, encodeNpz, decodeNpy } from '../src/data/npy.js';
import { parseDataset } from '../src/data/parse.js';
import type { ParsedDataset } from '../src/data/dataset.js';
import { fitPreprocessing } from '../src/data/preprocess.js';
import { encode, outputToOriginal } from '../src/data/encode.js';
import { MISSING_CATEGORY, parsePreprocessing, type Preprocessing } from '../src/data/preprocessing-schema.js';
import { readArrayRows, readCsvRows } from '../src/data/read-rows.js';
import { dataLayout, foldIndices, materialise, refitData, splitDataset } from '../src/data/split.js';
import { DataError } from '../src/errors.js';
import { datasetSchema, evaluationSchema } from '../src/sweep/schema.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (fields: Record<string, unknown>, text: string) => parseDataset(datasetSchema.parse({ key: 'd.csv', ...fields }), bytes(text));
const fold = (train: number[], val: number[]) => ({ train: Int32Array.from(train), val: Int32Array.from(val) });
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol);
};

/** A CSV of the given columns (header from the keys), rows as arrays of cells. */
const csvOf = (header: string[], rows: string[][]) => `${header.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`;

// Eight rows: numeric temp (two missing), categorical sky (one missing, "fog" only in rows 6–7), a regression target.
const HEADER = ['temp', 'sky', 'y'];
const ROWS = [
  ['1', 'sun', '10'],
  ['2', 'rain', '20'],
  ['NA', 'sun', '30'],
  ['4', '', '40'],
  ['5', 'rain', '50'],
  ['', 'sun', '60'],
  ['100', 'fog', '70'],
  ['200', 'fog', '80'],
];
const TEXT = csvOf(HEADER, ROWS);
const TRAIN = [0, 1, 2, 3, 4, 5];
const VAL = [6, 7];

describe('inputs of any magnitude are standardised', () => {
  it('columns of 1e200s and of 1e-160s get their spread, not Infinity or 0 (whose squares a double cannot hold)', () => {
    // Arrange: 1 … 6 times 1e200 and times 1e-160; population std of 1 … 6 is √(35/12)
    const rows = Array.from({ length: 6 }, (_, i) => [`${i + 1}e200`, `${i + 1}e-160`, String(i % 3)]);
    const p = parse({ task: 'regression', target: 'y' }, csvOf(['big', 'tiny', 'y'], rows));

    // Act
    const prep = fitPreprocessing(p, Int32Array.from([0, 1, 2, 3, 4, 5]));

    // Assert
    const [big, tiny] = prep.input.kind === 'tabular' ? prep.input.features : [];
    if (big?.kind !== 'numeric' || tiny?.kind !== 'numeric') throw new Error('expected two numeric inputs');
    expect(big.mean / 1e200).toBeCloseTo(3.5, 12);
    expect(big.std / 1e200).toBeCloseTo(Math.sqrt(35 / 12), 12);
    expect(tiny.mean / 1e-160).toBeCloseTo(3.5, 12);
    expect(tiny.std / 1e-160).toBeCloseTo(Math.sqrt(35 / 12), 12);
  });
});

describe('fitting a preprocessing: statistics of the training rows only', () => {
  const p = parse({ task: 'regression', target: 'y' }, TEXT);
  const prep = fitPreprocessing(p, Int32Array.from(TRAIN));

  it('imputes numeric cells with the training median and standardises after imputing', () => {
    // Observed training temps 1, 2, 4, 5: median 3; imputed column 1, 2, 3, 4, 5, 3.
    const [temp] = prep.input.kind === 'tabular' ? prep.input.features : [];
    const imputed = [1, 2, 3, 4, 5, 3];
    const mean = imputed.reduce((a, b) => a + b) / 6;
    const std = Math.sqrt(imputed.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
    expect(temp).toEqual({ kind: 'numeric', name: 'temp', mean, std, impute: 3, indicator: true });
  });

  it('lists the training categories, "(missing)" last, and scales the target with training statistics', () => {
    const sky = prep.input.kind === 'tabular' ? prep.input.features[1] : undefined;
    expect(sky).toEqual({ kind: 'categorical', name: 'sky', categories: ['rain', 'sun', MISSING_CATEGORY], inactive: [], other: false });
    expect(prep.encodedNames).toEqual(['temp', 'temp (missing)', 'sky=rain', 'sky=sun', 'sky=(missing)']);
    expect(prep.inputShape).toEqual([5]);
    expect(prep.target).toEqual({ kind: 'numeric', names: ['y'], mean: [35], std: [Math.sqrt(291.6666666666667)] });
    expect(prep.fittedOn).toEqual({ samples: 6, rows: 6 });
  });

  it('encodes a missing numeric cell as the median with its indicator, a missing category as "(missing)"', () => {
    const e = encode(prep, p, Int32Array.from([2, 3]));
    const [temp] = prep.input.kind === 'tabular' ? prep.input.features : [];
    const t = temp!.kind === 'numeric' ? temp! : undefined;
    close(e.x, [(3 - t!.mean) / t!.std, 1, 0, 1, 0, (4 - t!.mean) / t!.std, 0, 0, 0, 1]);
  });

  it('encodes a category its training rows never showed as all zeros and reports it', () => {
    const e = encode(prep, p, Int32Array.from(VAL));
    expect(Array.from(e.x.subarray(2, 5))).toEqual([0, 0, 0]);
    expect(e.unknown).toEqual([{ column: 'sky', category: 'fog', rows: 2 }]);
  });

  it('with a layout keeps its encoding and marks categories absent from the fit rows inactive', () => {
    const layout = fitPreprocessing(p, Int32Array.from([...TRAIN, ...VAL]));
    const fitted = fitPreprocessing(p, Int32Array.from(TRAIN), layout);
    const sky = fitted.input.kind === 'tabular' ? fitted.input.features[1] : undefined;
    expect(sky).toMatchObject({ categories: ['fog', 'rain', 'sun', MISSING_CATEGORY], inactive: ['fog'] });
    expect(fitted.inputShape).toEqual(layout.inputShape);
    const e = encode(fitted, p, Int32Array.from([6]));
    expect(Array.from(e.x.subarray(2, 6))).toEqual([0, 0, 0, 0]);
    expect(e.unknown).toEqual([{ column: 'sky', category: 'fog', rows: 1 }]);
  });
});

describe('applying a saved preprocessing to raw rows reproduces the training tensors', () => {
  const p = parse({ task: 'regression', target: 'y' }, TEXT);
  const split = materialise(p, fold(TRAIN, VAL));
  const prep = split.preprocessing;

  /** Rows `idx` of the file, its columns in `order`, through JSON and back, then read as prediction reads them. */
  function raw(idx: number[], order: string[], through: Preprocessing = prep) {
    const cols = order.map((c) => HEADER.indexOf(c));
    const text = csvOf(
      order,
      idx.map((i) => cols.map((c) => ROWS[i]![c]!)),
    );
    return encode(through, readCsvRows(through, readCsv(bytes(text), 'new.csv'), 'new.csv'), Int32Array.from(idx.map((_, k) => k)));
  }

  it('validation rows given as raw cells encode to the training path values (to 1e-6), target included', () => {
    const e = raw(VAL, HEADER);
    close(e.x, split.val.x);
    close(e.y!, split.val.y);
    close(raw(TRAIN, HEADER).x, split.train.x);
  });

  it('the order of columns in the file does not matter, extra columns are ignored, the target is optional', () => {
    const e = raw(TRAIN, ['sky', 'temp']);
    close(e.x, split.train.x);
    expect(e.y).toBeUndefined();
    const width = prep.inputShape[0]!;
    const extra = encode(prep, readCsvRows(prep, readCsv(bytes('note,sky,temp\nhello,rain,2\n'), 'x.csv'), 'x.csv'), [0]);
    close(extra.x, split.train.x.subarray(width, 2 * width));
  });

  it('the order in which categories first appear does not matter', () => {
    const reversed = [...TRAIN].reverse();
    const e = raw(reversed, HEADER);
    const width = prep.inputShape[0]!;
    reversed.forEach((_, k) => close(e.x.subarray(k * width, (k + 1) * width), split.train.x.subarray((TRAIN.length - 1 - k) * width, (TRAIN.length - k) * width)));
  });

  it('serialises to JSON and back to the same document and the same encoding', () => {
    const json = JSON.parse(JSON.stringify(prep)) as unknown;
    const back = parsePreprocessing(json);
    expect(back).toEqual(prep);
    close(raw(VAL, HEADER, back).x, split.val.x, 0);
  });

  it('names the training columns a file lacks, and a bad document by its path', () => {
    expect(() => readCsvRows(prep, readCsv(bytes('y\n1\n'), 'new.csv'), 'new.csv')).toThrow('new.csv: the training columns "temp", "sky" are missing (the header has y)');
    expect(() => parsePreprocessing({ ...prep, schema: 'layerbench.preprocessing.v0' })).toThrow(/^preprocessing\.json: not a layerbench\.preprocessing\.v2 \(or v1\) document \(schema: /);
  });

  it('turns outputs back into original units', () => {
    const t = prep.target.kind === 'numeric' ? prep.target : undefined;
    close(outputToOriginal(prep, split.val.y), [70, 80], 1e-4); // float32 targets
    expect(t!.mean[0]).toBe(35);
  });

  it('a model trained without imputation refuses a missing cell, naming the row and column', () => {
    const dropped = parse({ task: 'regression', target: 'y', missing: 'drop' }, TEXT);
    const m = materialise(dropped, fold([0, 1, 2], [3]));
    expect(m.preprocessing.input.kind === 'tabular' && m.preprocessing.input.features[0]).toMatchObject({ impute: null, indicator: false });
    const rows = readCsvRows(m.preprocessing, readCsv(bytes('temp,sky\n3,sun\nNA,rain\n'), 'new.csv'), 'new.csv');
    expect(() => encode(m.preprocessing, rows, [0, 1])).toThrow(DataError);
    expect(() => encode(m.preprocessing, rows, [0, 1])).toThrow('new.csv: row 3, column "temp": missing value, and the model was trained with dataset.missing "drop" (nothing to impute)');
  });

  it('classification: labels read as training read them, an unknown class named', () => {
    const text = 'x,label\n1,Yes\n2,No\n3,Yes\n4,No\n5,Yes\n';
    const c = parse({ task: 'binary', target: 'label' }, text);
    const m = materialise(c, fold([0, 1, 2], [3, 4]));
    expect(m.preprocessing.target).toEqual({ kind: 'classes', name: 'label', classes: ['No', 'Yes'], labels: 'string' });
    const rows = readCsvRows(m.preprocessing, readCsv(bytes('label,x\nNo,4\nYes,5\n'), 'n.csv'), 'n.csv');
    const e = encode(m.preprocessing, rows, [0, 1]);
    close(e.x, m.val.x);
    close(e.y!, m.val.y);
    expect(() => readCsvRows(m.preprocessing, readCsv(bytes('label,x\nMaybe,4\n'), 'n.csv'), 'n.csv')).toThrow('n.csv: row 2, column "label": "Maybe" is not one of the model\'s classes (No, Yes)');
  });
});

describe('forecast windows from raw rows', () => {
  // 30 days of two series with a gap in "w"; the file is in reverse time order.
  const days = Array.from({ length: 30 }, (_, i) => {
    const date = `2024-01-${String(i + 1).padStart(2, '0')}`;
    return [date, String(i * 2 + (i % 3)), i === 7 ? '' : String(Math.sin(i).toFixed(3))];
  });
  const header = ['d', 'v', 'w'];
  const text = csvOf(header, [...days].reverse());
  const spec = { task: 'forecast', target: 'v', time: 'd', lookback: 4, horizon: 2 };
  const p = parse(spec, text);

  it('imputes a missing input cell with the training period median and an indicator channel', () => {
    const split = materialise(p, fold([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [14, 15]));
    expect(split.preprocessing.encodedNames).toEqual(['v', 'w', 'w (missing)']);
    expect(split.preprocessing.input).toMatchObject({ kind: 'series', time: 'd', lookback: 4, horizon: 2 });
    expect(split.preprocessing.target).toMatchObject({ kind: 'numeric', names: ['v'], is: 'level' });
    // Window 4 reads days 4–7: day 7 (index 3 in the window) is the missing w.
    const x = split.train.x.subarray(4 * 4 * 3, 5 * 4 * 3);
    expect(x[3 * 3 + 2]).toBe(1);
    expect(x[2 * 3 + 2]).toBe(0);
  });

  it('reproduces the training windows from the raw file, columns in any order, and windows beyond the data', () => {
    const split = materialise(p, fold([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [14, 15]));
    const prep = parsePreprocessing(JSON.parse(JSON.stringify(split.preprocessing)));
    const shuffled = csvOf(
      ['w', 'd', 'v'],
      days.map(([d, v, w]) => [w!, d!, v!]),
    );
    const rows = readCsvRows(prep, readCsv(bytes(shuffled), 'new.csv'), 'new.csv');
    const e = encode(prep, rows, [14, 15]);
    close(e.x, split.val.x);
    close(e.y!, split.val.y);
    // The last window (days 27–30) predicts day 32, beyond the file: no target.
    const last = encode(prep, rows, [26]);
    expect(Number.isNaN(last.y![0]!)).toBe(true);
  });
});

describe('array samples from a raw .npy', () => {
  it('scales uint8 images as training did', () => {
    const x = Uint8Array.from({ length: 6 * 4 }, (_, i) => (i * 37) % 256);
    const npz = encodeNpz({ x: { data: x, shape: [6, 2, 2], dtype: 'u1' }, y: { data: [0, 1, 0, 1, 0, 1], shape: [6], dtype: 'u1' } });
    const p = parseDataset(datasetSchema.parse({ key: 'd.npz', format: 'npz', task: 'binary' }), npz);
    const m = materialise(p, fold([0, 1, 2, 3], [4, 5]));
    expect(m.preprocessing.input).toEqual({ kind: 'array', array: 'x', shape: [2, 2, 1], dtype: 'u1', scale: 1 / 255, standardise: null });
    const raw = decodeNpy(encodeNpy(x.subarray(16), [2, 2, 2], 'u1'));
    const labels = decodeNpy(encodeNpy([0, 1], [2], 'u1'));
    const e = encode(m.preprocessing, readArrayRows(m.preprocessing, raw, labels, 'new.npy'), [0, 1]);
    close(e.x, m.val.x, 0);
    close(e.y!, m.val.y, 0);
    expect(() => readArrayRows(m.preprocessing, decodeNpy(encodeNpy(x, [6, 4], 'u1')), undefined, 'flat.npy')).toThrow('flat.npy: samples of shape (4), the model takes (2, 2, 1)');
  });

  it('standardises 2-D arrays per feature with training statistics', () => {
    const x = Float32Array.from({ length: 5 * 2 }, (_, i) => i * i);
    const npz = encodeNpz({ x: { data: x, shape: [5, 2], dtype: 'f4' }, y: { data: [1, 2, 3, 4, 5], shape: [5], dtype: 'f4' } });
    const p = parseDataset(datasetSchema.parse({ key: 'd.npz', format: 'npz', task: 'regression' }), npz);
    const m = materialise(p, fold([0, 1, 2], [3, 4]));
    const st = m.preprocessing.input.kind === 'array' ? m.preprocessing.input.standardise : null;
    expect(st!.mean).toEqual([(0 + 4 + 16) / 3, (1 + 9 + 25) / 3]);
    const e = encode(m.preprocessing, readArrayRows(m.preprocessing, decodeNpy(encodeNpy(x.subarray(6), [2, 2], 'f4')), undefined, 'n.npy'), [0, 1]);
    close(e.x, m.val.x);
  });
});

describe('a run encodes every fold with the layout of its development rows', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${3 * i},${['a', 'b', 'c'][i % 3]},${i % 2}`);
  const p: ParsedDataset = parse({ task: 'binary', target: 'y' }, `x,k,y\n${rows.join('\n')}\n`);
  const evaluation = evaluationSchema.parse({ strategy: 'kfold', folds: 4 });

  it('same input shape for every fold, each fold with its own statistics, none learned from test rows', () => {
    const { split, layout, info } = dataLayout(p, evaluation, 3);
    expect(info.inputShape).toEqual(layout.inputShape);
    const folds = splitDataset(p, evaluation, 3, 0);
    const indices = foldIndices(p, evaluation, 3, 0);
    folds.forEach((f, i) => {
      const train = Array.from(indices[i]!.train);
      expect(f.preprocessing!.input.kind === 'tabular' && f.preprocessing!.input.features[0]).toMatchObject({ mean: train.reduce((a, r) => a + 3 * r, 0) / train.length });
    });
    for (const f of folds) {
      expect(f.train.x.length / f.train.n).toBe(layout.inputShape[0]);
      expect(f.test!.n).toBe(split.test.length);
    }
    const devMean = Array.from(split.dev).reduce((a, i) => a + 3 * i, 0) / split.dev.length;
    expect(layout.input.kind === 'tabular' && layout.input.features[0]).toMatchObject({ mean: devMean });
  });

  it('a refit on every development row uses the layout itself, and encodes the same test rows', () => {
    const { split, layout } = dataLayout(p, evaluation, 3);
    const refit = refitData(p, evaluation, 3);
    expect(refit.preprocessing).toBe(layout);
    expect(refit.preprocessing.fittedOn.samples).toBe(split.dev.length);
    expect(refit.train.n).toBe(split.dev.length);
    expect(refit.test!.n).toBe(split.test.length);
    close(refit.test!.x, encode(layout, p, split.test).x, 0);
  });
});
