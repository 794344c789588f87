/**
 * The bad-input corpus: every row is a user mistake — in the sweep, the CSV, the NPY/NPZ files, the
 * store path or an option — run through the CLI in-process as a user would type it. Each must end with
 * the expected exit code and one line on stderr that names the problem (no usage dump, no stack
 * trace), print nothing on stdout, and leave the store exactly as it was (no sweeps/, runs/ or
 * history/ written).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { encodeNpy, encodeNpz } from '../src/data/npy.js';
import { cli } from './helpers/cli.js';

// ------------------------------------------------------------------------------------------ inputs

/** 40 rows, two numeric features and a yes/no label: valid for binary and (y) regression. */
const CSV = `a,b,label,y\n${Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'yes' : 'no'},${(i % 9) / 3}`).join('\n')}\n`;
const SERIES = `t,v\n${Array.from({ length: 30 }, (_, i) => `2020-01-${String(i + 1).padStart(2, '0')},${Math.sin(i)}`).join('\n')}\n`;

type Json = Record<string, unknown>;

const BASE: Json = {
  name: 'bad',
  dataset: { key: 'datasets/d.csv', task: 'binary', target: 'label', features: ['a', 'b'] },
  model: { family: 'dense', depth: [1], width: [2] },
  training: { epochs: 1 },
};

/** The base sweep with some fields replaced (objects are merged one level deep; `undefined` removes). */
function sweep(patch: Json = {}): string {
  const out: Json = { ...BASE };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') {
      const merged: Json = { ...(out[k] as Json), ...(v as Json) };
      for (const [kk, vv] of Object.entries(v as Json)) if (vv === undefined) delete merged[kk];
      out[k] = merged;
    } else out[k] = v;
  }
  return JSON.stringify(out);
}

const images = (n: number) =>
  encodeNpy(
    Array.from({ length: n * 16 }, (_, i) => i % 255),
    [n, 4, 4],
    'u1',
  );
const labels = (n: number, classes = 2) =>
  encodeNpy(
    Array.from({ length: n }, (_, i) => i % classes),
    [n],
    'u1',
  );
const npz = (n = 12) =>
  encodeNpz({ x: { data: Array.from({ length: n * 16 }, (_, i) => i % 255), shape: [n, 4, 4], dtype: 'u1' }, y: { data: Array.from({ length: n }, (_, i) => i % 2), shape: [n], dtype: 'u1' } });
const NPY_SWEEP = {
  dataset: { key: 'datasets/x.npy', format: 'npy', task: 'binary', labelsKey: 'datasets/y.npy', target: undefined, features: undefined },
  model: { family: 'cnn', depth: [1], width: [2] },
};
const NPZ_SWEEP = { dataset: { key: 'datasets/d.npz', format: 'npz', task: 'binary', target: undefined, features: undefined }, model: { family: 'cnn', depth: [1], width: [2] } };

/** A .npy whose header says something else (the data stays). */
function npyWithHeader(header: string, body = new Uint8Array(64)): Uint8Array {
  const h = `${header}${' '.repeat(Math.max(0, 117 - header.length))}\n`;
  const out = new Uint8Array(10 + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(body, 10 + h.length);
  return out;
}

// ------------------------------------------------------------------------------------------- cases

interface Case {
  name: string;
  /** Files relative to the case's directory; `store/…` is inside the store. The sweep is sweep.json. */
  files?: Record<string, string | Uint8Array>;
  /** Arguments; `{sweep}`, `{dir}` and `{store}` are replaced. Default store: {dir}/store. */
  args: string[];
  env?: Record<string, string | undefined>;
  exit?: number;
  message: string | RegExp;
  /** Prepare the case's directory beyond its files (e.g. make something unwritable); returns its cleanup. */
  setup?: (dir: string) => Promise<(() => Promise<void>) | void>;
}

const withData = (sweepText: string, extra: Record<string, string | Uint8Array> = {}) => ({ 'sweep.json': sweepText, 'store/datasets/d.csv': CSV, ...extra });
const run = (...extra: string[]) => ['run', '{sweep}', '--store', '{store}', '--workers', '1', ...extra];
const plan = (...extra: string[]) => ['plan', '{sweep}', '--store', '{store}', ...extra];

const SPEC_CASES: Case[] = [
  { name: 'sweep file missing', files: {}, args: run(), message: /sweep\.json: cannot read the sweep \(ENOENT/ },
  { name: 'sweep not JSON', files: { 'sweep.json': '{"name": "bad",' }, args: run(), message: /sweep\.json: not valid JSON/ },
  { name: 'sweep is a list', files: { 'sweep.json': '[1, 2]' }, args: run(), message: /sweep\.json: \(spec\): must be an object$/ },
  { name: 'name missing', files: withData(sweep({ name: undefined })), args: run(), message: 'name: is required' },
  { name: 'name with capitals', files: withData(sweep({ name: 'Bad Name' })), args: run(), message: 'name: must be 1–64 lower-case letters' },
  { name: 'unknown top-level field', files: withData(sweep({ modle: {} })), args: run(), message: '(spec): unknown field "modle"' },
  { name: 'dataset missing', files: withData(sweep({ dataset: undefined })), args: run(), message: 'dataset: is required' },
  { name: 'unknown task', files: withData(sweep({ dataset: { task: 'ranking' } })), args: run(), message: 'dataset.task: must be one of "binary"' },
  { name: 'CSV without target', files: withData(sweep({ dataset: { target: undefined } })), args: run(), message: 'dataset.target: is required for CSV data' },
  { name: 'unknown family', files: withData(sweep({ model: { family: 'transformer' } })), args: run(), message: 'model.family: must be one of "dense"' },
  { name: 'depth 0', files: withData(sweep({ model: { depth: [0] } })), args: run(), message: 'model.depth[0]: must be ≥ 1' },
  { name: 'depth 65', files: withData(sweep({ model: { depth: [65] } })), args: run(), message: 'model.depth[0]: must be ≤ 64' },
  { name: 'depth empty', files: withData(sweep({ model: { depth: [] } })), args: run(), message: 'model.depth: must have at least 1 item' },
  { name: 'depth repeated', files: withData(sweep({ model: { depth: [2, 2] } })), args: run(), message: 'model.depth: must not repeat a value' },
  { name: 'width 0', files: withData(sweep({ model: { width: [0] } })), args: run(), message: 'model.width[0]: must be ≥ 1' },
  { name: 'width fractional', files: withData(sweep({ model: { width: [1.5] } })), args: run(), message: 'model.width[0]: must be an integer' },
  { name: 'width 5000', files: withData(sweep({ model: { width: [5000] } })), args: run(), message: 'model.width[0]: must be ≤ 4096' },
  { name: 'width a string', files: withData(sweep({ model: { width: '8' } })), args: run(), message: 'model.width: must be an array' },
  { name: 'dropout 1', files: withData(sweep({ model: { dropout: 1 } })), args: run(), message: 'model.dropout: must be < 1' },
  { name: 'unknown activation', files: withData(sweep({ model: { activation: 'gelu' } })), args: run(), message: 'model.activation: must be one of "relu"' },
  { name: 'cnn on CSV', files: withData(sweep({ model: { family: 'cnn' } })), args: run(), message: 'dataset.format: cnn needs image arrays (npy or npz)' },
  { name: 'lstm without forecast', files: withData(sweep({ model: { family: 'lstm' } })), args: run(), message: 'model.family: lstm needs a forecast task' },
  {
    name: 'forecast without time',
    files: withData(sweep({ dataset: { task: 'forecast', target: 'v', features: undefined, lookback: 3 } })),
    args: run(),
    message: 'dataset.time: is required for forecast',
  },
  {
    name: 'forecast without lookback',
    files: withData(sweep({ dataset: { task: 'forecast', target: 'v', features: undefined, time: 't' } })),
    args: run(),
    message: 'dataset.lookback: is required for forecast',
  },
  {
    name: 'time on array data',
    files: { 'sweep.json': sweep({ ...NPZ_SWEEP, dataset: { ...NPZ_SWEEP.dataset, time: 't' } }), 'store/datasets/d.npz': npz() },
    args: run(),
    message: 'dataset.time: is only for CSV data',
  },
  // Column roles and time order (issue 19): the new fields are checked like the others.
  { name: 'maxCategories 0', files: withData(sweep({ dataset: { maxCategories: 0 } })), args: run(), message: 'dataset.maxCategories: must be ≥ 1' },
  {
    name: 'maxCategories on a forecast',
    files: withData(sweep({ dataset: { task: 'forecast', target: 'v', features: undefined, time: 't', lookback: 3, maxCategories: 5 }, model: { family: 'lstm' } })),
    args: run(),
    message: 'dataset.maxCategories: is not for forecast tasks (forecast inputs are numeric)',
  },
  {
    name: 'dates on array data',
    files: { 'sweep.json': sweep({ ...NPZ_SWEEP, dataset: { ...NPZ_SWEEP.dataset, dates: ['t'] } }), 'store/datasets/d.npz': npz() },
    args: run(),
    message: 'dataset.dates: is only for CSV data',
  },
  {
    name: 'a column listed as dates and as categorical',
    files: withData(sweep({ dataset: { dates: ['a'], categorical: ['a'] } })),
    args: run(),
    message: 'dataset.dates[0]: column "a" is also in dataset.categorical; a column is dates or categories',
  },
  {
    name: 'the order column listed as categorical',
    files: withData(sweep({ dataset: { time: 'a', categorical: ['a'] } })),
    args: run(),
    message: 'dataset.time: column "a" is also in dataset.categorical; the order column holds dates or numbers',
  },
  { name: 'an unknown evaluation.order', files: withData(sweep({ evaluation: { order: 'sometimes' } })), args: run(), message: 'evaluation.order: must be one of "auto", "time", "random"' },
  {
    name: 'random order with an order column',
    files: withData(sweep({ dataset: { time: 'a' }, evaluation: { order: 'random' } })),
    args: run(),
    message: 'evaluation.order: "random" contradicts dataset.time ("a" orders the rows); drop one of them',
  },
  {
    name: 'random order for a forecast',
    files: withData(sweep({ dataset: { task: 'forecast', target: 'v', features: undefined, time: 't', lookback: 3 }, model: { family: 'lstm' }, evaluation: { order: 'random' } })),
    args: run(),
    message: 'evaluation.order: must not be "random" for a forecast: its windows are always split in time order',
  },
  { name: 'epochs 0', files: withData(sweep({ training: { epochs: 0 } })), args: run(), message: 'training.epochs: must be ≥ 1' },
  { name: 'batch size 0', files: withData(sweep({ training: { batchSize: 0 } })), args: run(), message: 'training.batchSize: must be ≥ 1' },
  { name: 'negative learning rate', files: withData(sweep({ training: { learningRate: -0.1 } })), args: run(), message: 'training.learningRate: must be > 0' },
  { name: 'unknown optimizer', files: withData(sweep({ training: { optimizer: 'lbfgs' } })), args: run(), message: 'training.optimizer: must be one of "adam"' },
  { name: 'negative patience', files: withData(sweep({ training: { earlyStopping: { patience: -1 } } })), args: run(), message: 'training.earlyStopping.patience: must be ≥ 0' },
  { name: 'validation split 1', files: withData(sweep({ evaluation: { validationSplit: 1 } })), args: run(), message: 'evaluation.validationSplit: must be < 1' },
  { name: 'one fold', files: withData(sweep({ evaluation: { strategy: 'kfold', folds: 1 } })), args: run(), message: 'evaluation.folds: must be ≥ 2' },
  {
    name: 'accuracy on regression',
    files: withData(sweep({ dataset: { task: 'regression', target: 'y' }, evaluation: { metric: 'accuracy' } })),
    args: run(),
    message: 'evaluation.metric: accuracy does not apply to a regression task',
  },
  { name: 'rmse on binary', files: withData(sweep({ evaluation: { metric: 'rmse' } })), args: run(), message: 'evaluation.metric: rmse does not apply to a binary task' },
  { name: 'random search without count', files: withData(sweep({ search: { strategy: 'random' } })), args: run(), message: 'search.count: is required for random search' },
  { name: 'grid search with count', files: withData(sweep({ search: { count: 2 } })), args: run(), message: 'search.count: is only for random search' },
  {
    name: 'more candidates than the cap',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4] }, search: { maxCandidates: 5 } })),
    args: run(),
    message: 'search.maxCandidates: the sweep expands to 6 candidates, more than the cap of 5',
  },
  // Halving and hyperband (issue 14): what cannot be halved is refused before anything is written.
  {
    name: 'halving with eta below 2',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 9 }, search: { strategy: 'halving', eta: 1 } })),
    args: run(),
    message: 'search.eta: must be ≥ 2',
  },
  {
    name: 'halving whose minimum budget is above the maximum',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 9 }, search: { strategy: 'halving', minEpochs: 12 } })),
    args: run(),
    message: 'search.minEpochs: 12 is above training.epochs (9), the budget of the last rung',
  },
  {
    name: 'halving with a budget below one rung',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 9 }, search: { strategy: 'halving', budget: { epochs: 5 } } })),
    args: run(),
    message: 'search.budget.epochs: 5 is less than the first rung alone (9 candidates × 3 trials × 1 epochs = 27)',
  },
  {
    name: 'halving a single candidate',
    files: withData(sweep({ training: { epochs: 9 }, search: { strategy: 'halving' } })),
    args: run(),
    message: 'search.strategy: halving needs at least 2 candidates to choose between; the sweep has 1 (list more depths or widths, or use strategy "grid")',
  },
  // Settings that cannot end used to spin at 100 % CPU inside validation (issue 21).
  {
    name: 'halving with minEpochs 0 (used to spin)',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 9 }, search: { strategy: 'halving', minEpochs: 0 } })),
    args: run(),
    message: 'search.minEpochs: must be ≥ 1',
  },
  {
    name: 'plan of hyperband with minEpochs 0 (used to spin)',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 9 }, search: { strategy: 'hyperband', minEpochs: 0 } })),
    args: plan(),
    message: 'search.minEpochs: must be ≥ 1',
  },
  {
    name: 'halving with a vanishing minEpochs',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 9 }, search: { strategy: 'halving', minEpochs: 5e-324 } })),
    args: run(),
    message: 'search.minEpochs: must be an integer',
  },
  {
    name: 'halving with a budget of 0 epochs',
    files: withData(sweep({ model: { depth: [1, 2], width: [2, 4] }, search: { strategy: 'halving', budget: { epochs: 0 } } })),
    args: plan(),
    message: 'search.budget.epochs: must be ≥ 1',
  },
  {
    name: 'halving with epochs 1e308',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 1e308 }, search: { strategy: 'halving', minEpochs: 1 } })),
    args: run(),
    message: 'training.epochs: must be ≤ 10000',
  },
  {
    name: 'hyperband with eta 1e308',
    files: withData(sweep({ model: { depth: [1, 2, 3], width: [2, 4, 8] }, training: { epochs: 9 }, search: { strategy: 'hyperband', eta: 1e308 } })),
    args: run(),
    message: 'search.eta: must be ≤ 16',
  },
  { name: 'hyperband options on a grid sweep', files: withData(sweep({ search: { eta: 3 } })), args: run(), message: 'search.eta: is only for strategy "halving" or "hyperband"' },
  { name: 'prices that are not JSON', files: withData(sweep()), args: run('--prices', '{region'), message: /^layerbench: --prices: not valid JSON/ },
  { name: 'an unknown price', files: withData(sweep()), args: run('--prices', '{"lambdaGbSecond":1}'), message: /^layerbench: --prices: unknown price "lambdaGbSecond"; known: region, date, / },
  {
    name: 'npy without labelsKey',
    files: withData(sweep({ ...NPY_SWEEP, dataset: { ...NPY_SWEEP.dataset, labelsKey: undefined } })),
    args: run(),
    message: 'dataset.labelsKey: is required for npy data',
  },
];

const CSV_CASES: Case[] = [
  { name: 'dataset not in the store', files: { 'sweep.json': sweep() }, args: run(), message: /datasets\/d\.csv: not found in .*store/ },
  { name: 'empty CSV', files: withData(sweep(), { 'store/datasets/d.csv': '' }), args: run(), message: 'datasets/d.csv: the file is empty' },
  { name: 'CSV with only a header', files: withData(sweep(), { 'store/datasets/d.csv': 'a,b,label\n' }), args: run(), message: 'datasets/d.csv: the file has a header but no data rows' },
  { name: 'duplicate column', files: withData(sweep(), { 'store/datasets/d.csv': 'a,a,label\n1,2,yes\n' }), args: run(), message: 'datasets/d.csv: row 1: column "a" appears twice' },
  { name: 'ragged row', files: withData(sweep(), { 'store/datasets/d.csv': 'a,b,label\n1,2,yes\n3,no\n' }), args: run(), message: 'datasets/d.csv: row 3: has 2 cells, the header has 3' },
  { name: 'unterminated quote', files: withData(sweep(), { 'store/datasets/d.csv': 'a,b,label\n1,2,yes\n3,"4,no\n' }), args: run(), message: /datasets\/d\.csv: .*(Quote|quote)/ },
  { name: 'target column missing', files: withData(sweep({ dataset: { target: 'rain' } })), args: run(), message: 'dataset.target: column "rain" is not in the header (columns: a, b, label, y)' },
  { name: 'feature column missing', files: withData(sweep({ dataset: { features: ['a', 'wind'] } })), args: run(), message: 'dataset.features: column "wind" is not in the header' },
  { name: 'feature is the target', files: withData(sweep({ dataset: { features: ['a', 'label'] } })), args: run(), message: 'dataset.features: column "label" is the target' },
  // Neighbours of the second hidden set's classes (issue 21): cells no number parser should take, a target with nothing to learn.
  {
    name: 'an Infinity cell',
    files: withData(sweep(), { 'store/datasets/d.csv': 'a,b,label\n1,Infinity,yes\n2,3,no\n' }),
    args: plan(),
    message: 'datasets/d.csv: row 2, column "b": "Infinity" is not a finite number; leave the cell empty if its value is unknown',
  },
  { name: 'a cell of 1e999', files: withData(sweep(), { 'store/datasets/d.csv': 'a,b,label\n1,1e999,yes\n2,3,no\n' }), args: plan(), message: 'row 2, column "b": "1e999" is not a finite number' },
  {
    name: 'a NUL byte in a number',
    files: withData(sweep(), { 'store/datasets/d.csv': 'a,b,label\n1,2\u0000,yes\n3,4,no\n' }),
    args: plan(),
    message: 'row 2, column "b": "2\\u0000" is not a number',
  },
  {
    // An empty header cell is named as pandas names it (csv.ts): here as the next column is named.
    name: 'an unnamed column beside its pandas name',
    files: withData(sweep({ dataset: { features: ['a'] } }), { 'store/datasets/d.csv': 'a,,Unnamed: 1,label\n1,2,3,yes\n' }),
    args: plan(),
    message: 'row 1: column "Unnamed: 1" appears twice (columns 2 and 3)',
  },
  {
    name: 'binary with one class',
    files: withData(sweep(), { 'store/datasets/d.csv': 'a,b,label\n1,2,yes\n3,4,yes\n' }),
    args: plan(),
    message: 'column "label" has 1 distinct value (yes); binary needs exactly two',
  },
  {
    name: 'binary with five classes',
    files: withData(sweep({ dataset: { target: 'b', features: ['a'] } })),
    args: run(),
    message: 'dataset.target: column "b" has 5 distinct values (0, 1, 2, 3, 4); binary needs exactly two',
  },
  {
    name: 'multiclass with one class',
    files: withData(sweep({ dataset: { task: 'multiclass' } }), { 'store/datasets/d.csv': 'a,b,label\n1,2,x\n3,4,x\n' }),
    args: run(),
    message: 'dataset.target: column "label" has only one distinct value (x); multiclass needs at least two',
  },
  {
    name: 'regression on a constant target',
    files: withData(sweep({ dataset: { task: 'regression', target: 'y' } }), { 'store/datasets/d.csv': 'a,b,y\n1,2,3\n3,4,3\n5,6,3\n' }),
    args: plan(),
    message: 'dataset.target: column "y" is 3 in every row; regression needs a target that varies',
  },
  {
    name: 'regression target not a number',
    files: withData(sweep({ dataset: { task: 'regression' } })),
    args: run(),
    message: 'datasets/d.csv: row 2, column "label": "no" is not a number (a regression target must be numeric)',
  },
  {
    name: 'missing value with missing "error"',
    files: withData(sweep({ dataset: { missing: 'error' } }), { 'store/datasets/d.csv': 'a,b,label\n1,2,yes\n3,,no\n' }),
    args: run(),
    message: 'datasets/d.csv: row 3, column "b": missing value and dataset.missing is "error"',
  },
  {
    name: 'every row missing a value with missing "drop"',
    files: withData(sweep({ dataset: { missing: 'drop' } }), { 'store/datasets/d.csv': 'a,b,label\n1,,yes\n,4,no\n' }),
    args: run(),
    message: 'datasets/d.csv: every row has a missing value in a used column (dataset.missing "drop")',
  },
  {
    name: 'dates that are not dates',
    files: withData(sweep({ dataset: { dates: ['a'] } })),
    args: run(),
    message: 'datasets/d.csv: row 2, column "a": "0" is not a date (dataset.dates lists the column;',
  },
  {
    name: 'an order column of neither dates nor numbers',
    files: withData(sweep({ dataset: { time: 'when' } }), {
      'store/datasets/d.csv': `when,a,b,label\n${Array.from({ length: 20 }, (_, i) => `${['mon', 'tue', 'wed'][i % 3]},${i % 7},${i % 5},${i % 2 ? 'yes' : 'no'}`).join('\n')}\n`,
    }),
    args: run(),
    message: 'datasets/d.csv: row 2, column "when": "mon" is not a date or a number (dataset.time orders the rows by it)',
  },
  {
    name: 'an order column not in the file',
    files: withData(sweep({ dataset: { time: 'when' } })),
    args: run(),
    message: 'dataset.time: column "when" is not in the header (columns: a, b, label, y)',
  },
  { name: 'the order column is the target', files: withData(sweep({ dataset: { time: 'label' } })), args: run(), message: 'dataset.time: column "label" is the target' },
  {
    name: 'forecast time not a date',
    files: withData(sweep({ dataset: { key: 'datasets/s.csv', task: 'forecast', target: 'v', features: undefined, time: 't', lookback: 3 }, model: { family: 'lstm' } }), {
      'store/datasets/s.csv': 't,v\nmonday,1\ntuesday,2\nwednesday,3\nthursday,4\nfriday,5\n',
    }),
    args: run(),
    message: 'datasets/s.csv: row 2, column "t": "monday" is not a date or a number',
  },
  {
    name: 'forecast lookback longer than the series',
    files: withData(sweep({ dataset: { key: 'datasets/s.csv', task: 'forecast', target: 'v', features: undefined, time: 't', lookback: 40 }, model: { family: 'lstm' } }), {
      'store/datasets/s.csv': SERIES,
    }),
    args: run(),
    message: 'datasets/s.csv: 30 rows make 0 windows of dataset.lookback 40 + dataset.horizon 1; at least 2 are needed',
  },
  {
    name: 'forecast target not numeric',
    files: withData(sweep({ dataset: { key: 'datasets/s.csv', task: 'forecast', target: 'v', features: undefined, time: 't', lookback: 2 }, model: { family: 'lstm' } }), {
      'store/datasets/s.csv': 't,v\n1,a\n2,b\n3,c\n4,d\n5,e\n',
    }),
    args: run(),
    message: 'datasets/s.csv: row 2, column "v": "a" is not a number (a forecast target must be numeric)',
  },
];

const ARRAY_CASES: Case[] = [
  {
    name: 'npz that is not a zip',
    files: { 'sweep.json': sweep(NPZ_SWEEP), 'store/datasets/d.npz': 'this is not a zip file' },
    args: run(),
    message: 'datasets/d.npz: not a readable .npz (zip) file',
  },
  {
    name: '.npz key without format is read as npz',
    files: { 'sweep.json': sweep({ ...NPZ_SWEEP, dataset: { ...NPZ_SWEEP.dataset, format: undefined } }), 'store/datasets/d.npz': 'this is not a zip file' },
    args: run(),
    message: 'datasets/d.npz: not a readable .npz (zip) file',
  },
  {
    name: 'npz without the inputs array',
    files: { 'sweep.json': sweep({ ...NPZ_SWEEP, dataset: { ...NPZ_SWEEP.dataset, inputs: 'images' } }), 'store/datasets/d.npz': npz() },
    args: run(),
    message: 'dataset.inputs: array "images" is not in datasets/d.npz (arrays: x, y)',
  },
  {
    name: 'npz without the labels array',
    files: { 'sweep.json': sweep({ ...NPZ_SWEEP, dataset: { ...NPZ_SWEEP.dataset, target: 'labels' } }), 'store/datasets/d.npz': npz() },
    args: run(),
    message: 'dataset.target: array "labels" is not in datasets/d.npz (arrays: x, y)',
  },
  {
    name: 'npy without the magic',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': 'hello, I am not numpy', 'store/datasets/y.npy': labels(8) },
    args: run(),
    message: 'datasets/x.npy: not a .npy file (no \\x93NUMPY magic)',
  },
  {
    name: 'npy truncated',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': images(8).subarray(0, 200), 'store/datasets/y.npy': labels(8) },
    args: run(),
    message: /datasets\/x\.npy: truncated: shape \(8, 4, 4\) needs 128 bytes of data, the file has \d+/,
  },
  {
    name: 'npy with a negative dimension',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': npyWithHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (-3, 4, 4), }"), 'store/datasets/y.npy': labels(8) },
    args: run(),
    message: 'datasets/x.npy: shape (-3, 4, 4): dimension 0 is "-3", not a size',
  },
  {
    name: 'npy labels with a negative dimension',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': images(8), 'store/datasets/y.npy': npyWithHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (-8,), }") },
    args: run(),
    message: 'datasets/y.npy: shape (-8): dimension 0 is "-8", not a size',
  },
  {
    name: 'npy with zero samples',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': encodeNpy([], [0, 4, 4], 'u1'), 'store/datasets/y.npy': encodeNpy([], [0], 'u1') },
    args: run(),
    message: 'datasets/x.npy: has no samples (shape (0, 4, 4))',
  },
  {
    name: 'npy with an empty sample',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': encodeNpy([], [8, 0, 4], 'u1'), 'store/datasets/y.npy': labels(8) },
    args: run(),
    message: 'datasets/x.npy: a sample has no values (shape (8, 0, 4))',
  },
  {
    name: 'npy in Fortran order',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': npyWithHeader("{'descr': '|u1', 'fortran_order': True, 'shape': (4, 4, 4), }"), 'store/datasets/y.npy': labels(4) },
    args: run(),
    message: 'datasets/x.npy: Fortran-order arrays are not supported',
  },
  {
    name: 'npy big-endian',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': npyWithHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (4, 2, 2), }"), 'store/datasets/y.npy': labels(4) },
    args: run(),
    message: 'datasets/x.npy: big-endian dtype >f4 is not supported',
  },
  {
    name: 'npy complex dtype',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': npyWithHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (4, 2, 2), }"), 'store/datasets/y.npy': labels(4) },
    args: run(),
    message: 'datasets/x.npy: dtype "<c8" is not supported',
  },
  {
    name: 'npy unreadable header',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': npyWithHeader('garbage'), 'store/datasets/y.npy': labels(4) },
    args: run(),
    message: 'datasets/x.npy: unreadable .npy header "garbage"',
  },
  {
    name: 'labels and inputs of different lengths',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': images(10), 'store/datasets/y.npy': labels(5) },
    args: run(),
    message: 'datasets/y.npy: has 5 rows, the inputs have 10',
  },
  {
    name: 'inputs of one dimension',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': encodeNpy([1, 2, 3, 4], [4], 'u1'), 'store/datasets/y.npy': labels(4) },
    args: run(),
    message: 'datasets/x.npy: inputs must be N×features, N×H×W or N×H×W×C; got shape (4)',
  },
  { name: 'labels file missing', files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': images(8) }, args: run(), message: /datasets\/y\.npy: not found in / },
  {
    name: 'binary labels with three values',
    files: { 'sweep.json': sweep(NPY_SWEEP), 'store/datasets/x.npy': images(9), 'store/datasets/y.npy': labels(9, 3) },
    args: run(),
    message: 'datasets/y.npy: labels have 3 distinct values; binary needs exactly two',
  },
];

const STORE_CASES: Case[] = [
  {
    name: 'store under /proc (used to hang)',
    files: withData(sweep()),
    args: ['run', '{sweep}', '--store', '/proc/layerbench-store'],
    message: 'store /proc/layerbench-store: /proc is on procfs (/proc), which cannot hold files',
  },
  {
    name: 'store under /sys',
    files: withData(sweep()),
    args: ['run', '{sweep}', '--store', '/sys/layerbench-store'],
    message: 'store /sys/layerbench-store: /sys is on sysfs (/sys), which cannot hold files',
  },
  {
    name: 'store under a regular file',
    files: withData(sweep(), { 'a-file': 'x' }),
    args: ['run', '{sweep}', '--store', '{dir}/a-file/store'],
    message: /store .*\/a-file\/store: .*\/a-file is a file, not a directory/,
  },
  { name: 'store is a regular file', files: withData(sweep(), { 'a-file': 'x' }), args: ['run', '{sweep}', '--store', '{dir}/a-file'], message: /store .*\/a-file: is a file, not a directory/ },
  {
    name: 'store in a directory nobody may write',
    files: withData(sweep()),
    args: ['run', '{sweep}', '--store', '{dir}/locked/store'],
    setup: lockedDirectory,
    message: /store .*\/locked\/store: .*\/locked is not writable \(E(ACCES|PERM)\)/,
  },
  {
    name: 'store from LAYERBENCH_STORE under a file',
    files: withData(sweep(), { 'a-file': 'x' }),
    args: ['run', '{sweep}'],
    env: { LAYERBENCH_STORE: '{dir}/a-file/store' },
    message: /a-file is a file, not a directory/,
  },
  { name: 'plan with a store under a file', files: withData(sweep(), { 'a-file': 'x' }), args: ['plan', '{sweep}', '--store', '{dir}/a-file/store'], message: /a-file is a file, not a directory/ },
  {
    name: 'unsupported store scheme',
    files: withData(sweep()),
    args: ['run', '{sweep}', '--store', 'ftp://host/store'],
    message: '"ftp://host/store": unsupported store, expected a directory or s3://bucket/prefix',
  },
  { name: 'malformed S3 URI', files: withData(sweep()), args: ['run', '{sweep}', '--store', 's3://Bad_Bucket/x'], message: '"s3://Bad_Bucket/x": not an S3 URI, expected s3://bucket/prefix' },
  {
    name: 'S3 store with no region',
    files: withData(sweep()),
    args: ['run', '{sweep}', '--store', 's3://some-bucket/x'],
    env: NO_AWS_REGION(),
    message: 'store s3://some-bucket/x: no AWS region (Region is missing); set AWS_REGION',
  },
  {
    name: 'S3 endpoint that is not a URL',
    files: withData(sweep()),
    args: ['run', '{sweep}', '--store', 's3://some-bucket/x'],
    env: { AWS_ENDPOINT_URL_S3: 'not a url', AWS_REGION: 'us-east-1' },
    message: 'AWS_ENDPOINT_URL_S3: not a URL ("not a url")',
  },
];

const OPTION_CASES: Case[] = [
  {
    name: '--workers 0',
    files: withData(sweep()),
    args: ['run', '{sweep}', '--workers', '0'],
    message: "option '--workers <n>' argument '0' is invalid. must be an integer ≥ 1 (see layerbench run --help)",
  },
  { name: '--workers not a number', files: withData(sweep()), args: ['run', '{sweep}', '--workers', 'many'], message: "argument 'many' is invalid. must be an integer ≥ 1" },
  { name: '--workers fractional', files: withData(sweep()), args: ['run', '{sweep}', '--workers', '1.5'], message: "argument '1.5' is invalid. must be an integer ≥ 1" },
  { name: '--backend unknown', files: withData(sweep()), args: run('--backend', 'gpu'), message: "option '--backend <name>' argument 'gpu' is invalid. Allowed choices are tensorflow, wasm, cpu." },
  { name: '--run-id with a slash', files: withData(sweep()), args: run('--run-id', 'a/b'), message: '--run-id: must be letters, digits, ".", "_" or "-" (at most 128), got "a/b"' },
  { name: '--train-timeout 0', files: withData(sweep()), args: run('--train-timeout', '0'), message: "option '--train-timeout <seconds>' argument '0' is invalid" },
  {
    name: '--train-timeout past what a timer counts (was an internal RangeError after the sweep was written)',
    files: withData(sweep()),
    args: run('--train-timeout', '5000000'),
    message: "argument '5000000' is invalid. must be at most 604800 seconds (a week)",
  },
  { name: '--max-memory without a unit it knows', files: withData(sweep()), args: run('--max-memory', 'lots'), message: "argument 'lots' is invalid. must be a size such as 2GiB" },
  { name: '--max-memory below 1 MiB', files: withData(sweep()), args: run('--max-memory', '12'), message: 'must be at least 1 MiB' },
  { name: '--retry-failed without --run-id', files: withData(sweep()), args: run('--retry-failed'), message: '--retry-failed: needs --run-id' },
  { name: 'unknown option', files: withData(sweep()), args: run('--epochs', '3'), message: "unknown option '--epochs' (see layerbench run --help)" },
  { name: 'missing sweep argument', files: {}, args: ['run'], message: "missing required argument 'sweep' (see layerbench run --help)" },
  { name: 'unknown command', files: {}, args: ['runn', 'sweep.json'], message: "unknown command 'runn' (Did you mean run?) (see layerbench --help)" },
  { name: 'train without --candidate', files: withData(sweep()), args: ['train', '{sweep}', '--store', '{store}'], message: "required option '--candidate <id>' not specified" },
  {
    name: 'train with an unknown candidate',
    files: withData(sweep()),
    args: ['train', '{sweep}', '--store', '{store}', '--candidate', 'dense-d9-w9-0000000000'],
    message: '--candidate: "dense-d9-w9-0000000000" is not a candidate of bad',
  },
  {
    name: '--run-id of a run with another sweep',
    files: withData(sweep(), {
      'store/runs/taken/run.json': JSON.stringify({
        schema: 'layerbench.run.v1',
        runId: 'taken',
        sweep: { ...JSON.parse(sweep({ name: 'other' })) },
        trigger: 'cli',
        dataset: { key: 'datasets/d.csv', version: 'v' },
        candidates: [],
        createdAt: '2026-01-01T00:00:00Z',
      }),
    }),
    args: run('--run-id', 'taken'),
    message: 'runId: run taken already exists with a different sweep; choose another run id',
  },
];

const RESOURCE_CASES: Case[] = [
  {
    name: 'dense depth 64 × width 4096 over the wasm heap',
    files: withData(sweep({ model: { depth: [1, 64], width: [4, 4096] } })),
    args: run(),
    message:
      /model: depth 64 × width 4096 needs about \d+(\.\d)? GiB to train \(weights .*\), more than a worker's 4\.0 GiB \(the wasm backend's heap; --max-memory sets another\); drop it from model\.depth or model\.width$/,
  },
  {
    name: 'cnn doubling to 3.8e22 filters',
    files: { 'sweep.json': sweep({ ...NPZ_SWEEP, model: { family: 'cnn', depth: [64], width: [4096], widthPattern: 'doubling' } }), 'store/datasets/d.npz': npz() },
    args: run(),
    message: 'model: depth 64 × width 4096, doubling to 3.8e+22 filters needs about',
  },
  { name: 'plan refuses it too', files: withData(sweep({ model: { depth: [64], width: [4096] } })), args: plan(), message: 'model: depth 64 × width 4096 needs about' },
  {
    name: 'a candidate over --max-memory',
    files: withData(sweep({ model: { depth: [1, 4], width: [512] } })),
    args: run('--max-memory', '8MiB'),
    message: "more than a worker's 8.0 MiB (--max-memory)",
  },
];

/** Data-size cases: too little data for the splits is found at plan time (src/data/split.ts). */
const rowsOf = (n: number, label: (i: number) => string) => `a,b,y,label\n${Array.from({ length: n }, (_, i) => `${i},${i % 3},${i / 2},${label(i)}`).join('\n')}\n`;
const DATA_SIZE_CASES: Case[] = [
  {
    name: 'more folds than rows',
    files: withData(sweep({ dataset: { task: 'regression', target: 'y' }, evaluation: { strategy: 'kfold', folds: 10, test: 0 } }), { 'store/datasets/d.csv': rowsOf(6, () => 'x') }),
    args: run(),
    message: 'datasets/d.csv: 6 rows are fewer than evaluation.folds (10)',
  },
  {
    name: 'a one-row regression',
    files: withData(sweep({ dataset: { task: 'regression', target: 'y' } }), { 'store/datasets/d.csv': rowsOf(1, () => 'x') }),
    args: run(),
    message: /datasets\/d\.csv: 1 rows? (is|are) too few: the test split \(evaluation\.test 0\.2\) holds out 1, leaving 0/,
  },
  {
    name: 'a two-row binary table',
    files: withData(sweep(), { 'store/datasets/d.csv': rowsOf(2, (i) => (i ? 'yes' : 'no')) }),
    args: run(),
    message: 'datasets/d.csv: 2 rows are too few: the test split (evaluation.test 0.2) holds out 1, leaving 1 for training and validation (at least 2 are needed)',
  },
  {
    name: 'more forecast folds than windows',
    files: withData(
      sweep({
        dataset: { key: 'datasets/s.csv', task: 'forecast', target: 'v', features: undefined, time: 't', lookback: 3 },
        model: { family: 'lstm' },
        evaluation: { strategy: 'kfold', folds: 20, test: 0 },
      }),
      { 'store/datasets/s.csv': SERIES.split('\n').slice(0, 21).join('\n') },
    ),
    args: run(),
    message: /datasets\/s\.csv: 1[78] windows are too few for evaluation\.folds 20 \(time-ordered folds need at least 21\)/,
  },
  {
    name: 'too few rows of a class for the folds',
    files: withData(sweep({ evaluation: { strategy: 'kfold', folds: 5, test: 0 } }), { 'store/datasets/d.csv': rowsOf(10, (i) => (i < 8 ? 'yes' : 'no')) }),
    args: run(),
    message: 'datasets/d.csv: class "no" has 2 rows, fewer than evaluation.folds (5); use fewer folds or a holdout split',
  },
];

/** N×3 samples: a table stored as arrays (for a cnn, which needs images). */
const tableNpz = (n = 12) =>
  encodeNpz({ x: { data: Array.from({ length: n * 3 }, (_, i) => i % 7), shape: [n, 3], dtype: 'f4' }, y: { data: Array.from({ length: n }, (_, i) => i % 2), shape: [n], dtype: 'u1' } });
const HUGE = 'x'.repeat(10_000_000);

/** Issue 21's second hidden set: paths out of the store, folders for files, unbounded quotes, stores that are not, splits too small. */
const PATH_CASES: Case[] = [
  {
    name: 'labelsKey climbing out of the store',
    files: { 'sweep.json': sweep({ ...NPY_SWEEP, dataset: { ...NPY_SWEEP.dataset, labelsKey: '../../etc/passwd' } }), 'store/datasets/x.npy': images(8) },
    args: run(),
    message:
      'dataset.labelsKey: must be a key inside the bucket under datasets/, such as datasets/data.csv (no absolute path, no "." or ".." segment, no URI, no other prefix), got "../../etc/passwd"',
  },
  {
    name: 'labelsKey an absolute path',
    files: { 'sweep.json': sweep({ ...NPY_SWEEP, dataset: { ...NPY_SWEEP.dataset, labelsKey: '/etc/passwd' } }), 'store/datasets/x.npy': images(8) },
    args: run(),
    message: 'dataset.labelsKey: must be a key inside the bucket',
  },
  {
    name: 'labelsKey climbing inside a key',
    files: { 'sweep.json': sweep({ ...NPY_SWEEP, dataset: { ...NPY_SWEEP.dataset, labelsKey: 'datasets/../../y.npy' } }), 'store/datasets/x.npy': images(8) },
    args: plan(),
    message: 'dataset.labelsKey: must be a key inside the bucket',
  },
  {
    name: 'labelsKey an S3 URI of another bucket',
    files: { 'sweep.json': sweep({ ...NPY_SWEEP, dataset: { ...NPY_SWEEP.dataset, labelsKey: 's3://other/y.npy' } }), 'store/datasets/x.npy': images(8) },
    args: run(),
    message: 'dataset.labelsKey: must be a key inside the bucket',
  },
  {
    name: 'labelsKey outside datasets/ (a sweep)',
    files: { 'sweep.json': sweep({ ...NPY_SWEEP, dataset: { ...NPY_SWEEP.dataset, labelsKey: 'sweeps/bad.json' } }), 'store/datasets/x.npy': images(8), 'store/sweeps/bad.json': '{"name": "bad"}' },
    args: run(),
    message: 'dataset.labelsKey: must be a key inside the bucket under datasets/',
  },
  {
    name: 'dataset.key a sweep in the store (never read as data)',
    files: { 'sweep.json': sweep({ dataset: { key: 'sweeps/other.json' } }), 'store/sweeps/other.json': '{"secret": "not for a dataset"}' },
    args: run(),
    message:
      /^layerbench: dataset\.key: "sweeps\/other\.json" is neither a key under datasets\/ in the store \(.*\) nor a file here; name a file \(\.\/data\.csv, an absolute path\) or s3:\/\/bucket\/key$/,
  },
  {
    name: 'dataset.key a run document in the store',
    files: withData(sweep({ dataset: { key: 'runs/r1/run.json' } }), { 'store/runs/r1/run.json': '{"schema": "layerbench.run.v1"}' }),
    args: plan(),
    message: 'dataset.key: "runs/r1/run.json" is neither a key under datasets/ in the store',
  },
  { name: 'dataset.key with an empty segment', files: withData(sweep({ dataset: { key: 'datasets//d.csv' } })), args: run(), message: 'dataset.key: must be a key inside the bucket under datasets/' },
  {
    name: 'labelsKey a folder',
    files: { 'sweep.json': sweep({ ...NPY_SWEEP, dataset: { ...NPY_SWEEP.dataset, labelsKey: 'datasets/labels' } }), 'store/datasets/x.npy': images(8), 'store/datasets/labels/y.npy': labels(8) },
    args: run(),
    message: /^layerbench: datasets\/labels: is a directory in .*, not a file$/,
  },
  {
    name: 'dataset.key a folder in the store',
    files: withData(sweep({ dataset: { key: 'datasets/sub' } }), { 'store/datasets/sub/d.csv': CSV }),
    args: run(),
    message: /^layerbench: datasets\/sub: is a directory in .*store, not a file$/,
  },
  {
    name: 'dataset.key a folder outside the store',
    files: withData(sweep({ dataset: { key: '{dir}/outside' } }), { 'outside/d.csv': CSV }),
    args: plan(),
    message: /^layerbench: outside: is a directory in .*, not a file$/,
  },
  { name: 'a device as the sweep file', files: withData(sweep()), args: ['plan', '/dev/zero', '--store', '{store}'], message: '/dev/zero: not a regular file; a sweep is a JSON file' },
  {
    name: 'a sweep file of 2 MB',
    files: withData(`${' '.repeat(2 << 20)}${sweep()}`),
    args: run(),
    message: /sweep\.json: \d+ bytes is not a sweep \(a sweep is a small JSON file, at most 1048576 bytes\)$/,
  },
  { name: 'an empty sweep file', files: withData(''), args: run(), message: /sweep\.json: empty$/ },
  {
    name: 'train --run-id climbing out (nothing written first)',
    files: withData(sweep()),
    args: ['train', '{sweep}', '--store', '{store}', '--candidate', 'dense-d1-w2-0000000000', '--run-id', '../x'],
    message: '--run-id: must be letters, digits, ".", "_" or "-" (at most 128), got "../x"',
  },
  {
    name: 'train --run-id with a slash',
    files: withData(sweep()),
    args: ['train', '{sweep}', '--store', '{store}', '--candidate', 'dense-d1-w2-0000000000', '--run-id', 'a/b'],
    message: '--run-id: must be letters',
  },
  {
    name: 'predict with a run id climbing out',
    files: { 'rows.csv': 'a,b\n1,2\n' },
    args: ['predict', '../x', '{dir}/rows.csv', '--store', '{store}'],
    message: 'runId: must be letters, digits, ".", "_" or "-" (at most 128), got "../x"',
  },
  { name: 'predict with an absolute run id', files: { 'rows.csv': 'a,b\n1,2\n' }, args: ['predict', '/etc', '{dir}/rows.csv', '--store', '{store}'], message: 'runId: must be letters' },
  {
    name: 'a 10 MB quoted cell is cut in the message',
    files: withData(sweep(), { 'store/datasets/d.csv': `${CSV}1,"${HUGE}",yes,1\n` }),
    args: run(),
    message: /^layerbench: datasets\/d\.csv: row 42, column "b": "x{80}…" is not a number .{0,300}$/,
  },
  {
    name: 'a 10 MB column name is cut in the message',
    files: withData(sweep({ dataset: { target: 'rain' } }), { 'store/datasets/d.csv': `a,b,label,"${HUGE}"\n1,2,yes,3\n` }),
    args: run(),
    message: /^layerbench: dataset\.target: column "rain" is not in the header .{0,1000}$/,
  },
  { name: 'a 10 MB unknown option is cut', files: withData(sweep()), args: run(`--${'x'.repeat(100_000)}`), message: /^layerbench: unknown option '--x+….{0,40}$/ },
  {
    name: 'cnn on a table of arrays (was "needs about NaN B")',
    files: { 'sweep.json': sweep({ ...NPZ_SWEEP }), 'store/datasets/d.npz': tableNpz() },
    args: run(),
    message: 'model.family: cnn needs images, samples of shape [height, width] or [height, width, channels]; the dataset\'s samples have shape [3] (a table: use family "dense")',
  },
  {
    name: 'plan of cnn on a table of npy',
    files: {
      'sweep.json': sweep(NPY_SWEEP),
      'store/datasets/x.npy': encodeNpy(
        Array.from({ length: 24 }, (_, i) => i),
        [8, 3],
        'f4',
      ),
      'store/datasets/y.npy': labels(8),
    },
    args: plan(),
    message: 'model.family: cnn needs images',
  },
  {
    name: 'cnn on 5-dimensional arrays',
    files: {
      'sweep.json': sweep(NPY_SWEEP),
      'store/datasets/x.npy': encodeNpy(
        Array.from({ length: 8 * 16 }, (_, i) => i % 255),
        [8, 2, 2, 2, 2],
        'u1',
      ),
      'store/datasets/y.npy': labels(8),
    },
    args: run(),
    message: 'datasets/x.npy: inputs must be N×features, N×H×W or N×H×W×C; got shape (8, 2, 2, 2, 2)',
  },
];

const STORE_URI_CASES: Case[] = [
  { name: '--store s3:/bucket (one slash)', files: withData(sweep()), args: ['run', '{sweep}', '--store', 's3:/bucket'], message: '"s3:/bucket": not an S3 URI, expected s3://bucket/prefix' },
  { name: '--store s3:bucket', files: withData(sweep()), args: ['plan', '{sweep}', '--store', 's3:bucket'], message: '"s3:bucket": not an S3 URI, expected s3://bucket/prefix' },
  { name: '--store S3://bucket (upper case)', files: withData(sweep()), args: ['run', '{sweep}', '--store', 'S3://bucket'], message: '"S3://bucket": not an S3 URI' },
  { name: '--store ""', files: withData(sweep()), args: ['run', '{sweep}', '--store', ''], message: '--store "": empty; expected a directory or s3://bucket/prefix' },
  { name: '--store of blanks', files: withData(sweep()), args: ['train', '{sweep}', '--store', '  ', '--candidate', 'x'], message: '--store "  ": empty' },
  { name: 'predict --store s3:/bucket', files: { 'rows.csv': 'a,b\n1,2\n' }, args: ['predict', 'some-run', '{dir}/rows.csv', '--store', 's3:/bucket'], message: '"s3:/bucket": not an S3 URI' },
  { name: '--store s3:// (no bucket)', files: withData(sweep()), args: ['plan', '{sweep}', '--store', 's3://'], message: '"s3://": not an S3 URI' },
  { name: '--store s3://bucket/../x', files: withData(sweep()), args: ['plan', '{sweep}', '--store', 's3://bucket/../x'], message: '"s3://bucket/../x": not an S3 URI' },
  { name: '--store http://…', files: withData(sweep()), args: ['plan', '{sweep}', '--store', 'http://localhost:9000/b'], message: '"http://localhost:9000/b": unsupported store' },
  { name: '--run-id ..', files: withData(sweep()), args: run('--run-id', '..'), message: '--run-id: must be letters, digits, ".", "_" or "-" (at most 128), got ".."' },
  { name: '--run-id of 300 characters is cut in the message', files: withData(sweep()), args: run('--run-id', 'x'.repeat(300)), message: /--run-id: must be .* got "x{80}…"$/ },
  { name: 'LAYERBENCH_STORE=s3:/bucket', files: withData(sweep()), args: ['run', '{sweep}'], env: { LAYERBENCH_STORE: 's3:/bucket' }, message: '"s3:/bucket": not an S3 URI' },
];

const TOO_SMALL_CASES: Case[] = [
  {
    name: 'a holdout leaving 1 training row',
    files: withData(sweep(), { 'store/datasets/d.csv': rowsOf(3, (i) => (i % 2 ? 'yes' : 'no')) }),
    args: run(),
    message: 'datasets/d.csv: 2 rows (after holding out 1 for the test split) leave 1 to train on (evaluation.validationSplit 0.2 takes 1 to validate); at least 2 are needed',
  },
  {
    name: 'a validation split leaving 1 training row',
    files: withData(sweep({ evaluation: { validationSplit: 0.9, test: 0 } }), { 'store/datasets/d.csv': rowsOf(4, (i) => (i % 2 ? 'yes' : 'no')) }),
    args: plan(),
    message: 'leave 1 to train on (evaluation.validationSplit 0.9 takes 3 to validate)',
  },
  {
    name: 'two folds of two rows',
    files: withData(sweep({ dataset: { task: 'regression', target: 'y' }, evaluation: { strategy: 'kfold', folds: 2, test: 0 } }), { 'store/datasets/d.csv': rowsOf(2, () => 'x') }),
    args: run(),
    message: 'datasets/d.csv: 2 rows leave 1 to train on (in each of evaluation.folds 2); at least 2 are needed',
  },
  {
    name: 'time-ordered folds leaving 1 training window',
    files: withData(
      sweep({
        dataset: { key: 'datasets/s.csv', task: 'forecast', target: 'v', features: undefined, time: 't', lookback: 3 },
        model: { family: 'lstm' },
        evaluation: { strategy: 'kfold', folds: 3, test: 0 },
      }),
      { 'store/datasets/s.csv': SERIES.split('\n').slice(0, 8).join('\n') },
    ),
    args: run(),
    message: /windows leave 1 to train on \(in the first of evaluation\.folds 3 time-ordered folds\)/,
  },
];

const CORPUS: [string, Case[]][] = [
  ['sweep spec', SPEC_CASES],
  ['CSV data', CSV_CASES],
  ['NPY and NPZ data', ARRAY_CASES],
  ['store paths', STORE_CASES],
  ['options', OPTION_CASES],
  ['resources', RESOURCE_CASES],
  ['data size', DATA_SIZE_CASES],
  ['paths, folders and quotes', PATH_CASES],
  ['store URIs', STORE_URI_CASES],
  ['splits too small to train', TOO_SMALL_CASES],
];

// ------------------------------------------------------------------------------------------ harness

function NO_AWS_REGION(): Record<string, string | undefined> {
  return {
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_ENDPOINT_URL_S3: undefined,
    AWS_ENDPOINT_URL: undefined,
  };
}

/** A directory no one may create files in: mode 0555, and (as root, who ignores modes) the immutable flag. */
async function lockedDirectory(dir: string): Promise<() => Promise<void>> {
  const locked = join(dir, 'locked');
  await mkdir(locked, { mode: 0o555 });
  if (process.getuid?.() === 0) execFileSync('chattr', ['+i', locked]);
  return async () => {
    if (process.getuid?.() === 0) execFileSync('chattr', ['-i', locked]);
  };
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function listTree(dir: string): Promise<string[] | 'absent' | 'file'> {
  if (!existsSync(dir)) return 'absent';
  if (!statSync(dir).isDirectory()) return 'file';
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

const fill = (s: string, dir: string) => s.replaceAll('{sweep}', join(dir, 'sweep.json')).replaceAll('{store}', join(dir, 'store')).replaceAll('{dir}', dir);

describe('bad input: one line naming the problem, exit 2, nothing written', () => {
  it('has at least 60 cases', () => {
    expect(CORPUS.reduce((n, [, cases]) => n + cases.length, 0)).toBeGreaterThanOrEqual(60);
  });

  for (const [group, cases] of CORPUS) {
    if (cases.length === 0) continue;
    describe(group, () => {
      it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        const dir = await mkdtemp(join(tmpdir(), 'layerbench-bad-'));
        dirs.push(dir);
        for (const [path, content] of Object.entries(c.files ?? {})) {
          await mkdir(dirname(join(dir, path)), { recursive: true });
          await writeFile(join(dir, path), typeof content === 'string' && content.includes('{dir}') ? fill(content, dir) : content);
        }
        const cleanup = await c.setup?.(dir);
        const stores = [join(dir, 'store'), ...c.args.filter((a) => a.startsWith('{dir}/')).map((a) => fill(a, dir))];
        const before = await Promise.all(stores.map(listTree));
        for (const [k, v] of Object.entries(c.env ?? {})) vi.stubEnv(k, v === undefined ? undefined : fill(v, dir));
        if (!c.env || !('LAYERBENCH_STORE' in c.env)) vi.stubEnv('LAYERBENCH_STORE', join(dir, 'store'));
        try {
          const out = await cli(...c.args.map((a) => fill(a, dir)));

          expect(out.code).toBe(c.exit ?? 2);
          expect(out.stdout).toBe('');
          const lines = out.stderr.split('\n').filter((l) => l !== '');
          expect(lines, out.stderr).toHaveLength(1);
          expect(lines[0]).toMatch(/^layerbench: /);
          if (typeof c.message === 'string') expect(lines[0]).toContain(c.message);
          else expect(lines[0]).toMatch(c.message);
          expect(out.stderr).not.toMatch(/\n\s+at /);
          expect(await Promise.all(stores.map(listTree))).toEqual(before);
        } finally {
          await cleanup?.();
        }
      });
    });
  }
});

describe('inputs that look wrong but are right', () => {
  it('a sweep file with a byte-order mark is read as one without (as a CSV with one is)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-bom-'));
    dirs.push(dir);
    await mkdir(join(dir, 'store', 'datasets'), { recursive: true });
    await writeFile(join(dir, 'store', 'datasets', 'd.csv'), `\ufeff${CSV}`);
    await writeFile(join(dir, 'sweep.json'), `\ufeff${sweep()}`);
    vi.stubEnv('LAYERBENCH_STORE', join(dir, 'store'));

    const out = await cli('plan', join(dir, 'sweep.json'), '--store', join(dir, 'store'), '--json');

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).map((c: { depth: number; width: number }) => [c.depth, c.width])).toEqual([[1, 2]]);
  });
});
