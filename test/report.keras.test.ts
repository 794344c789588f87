/**
 * The generated Keras code describes the network TensorFlow.js trains: for a dense, a CNN and an LSTM
 * candidate, the Python lists the same layers (type, units/filters, kernel, padding, activation,
 * return_sequences, pool size) and, by Keras' formulas applied to its own arguments, implies the same
 * output shapes and parameter count as the tfjs model `buildModel` builds for training.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpz } from '../src/data/npy.js';
import { parseDataset } from '../src/data/parse.js';
import { fitPreprocessing } from '../src/data/preprocess.js';
import { encode } from '../src/data/encode.js';
import { dataLayout, foldIndices } from '../src/data/split.js';
import type { DataInfo } from '../src/data/types.js';
import { buildModel, layerSummaries } from '../src/model/build.js';
import { kerasCode } from '../src/report/keras.js';
import { loadModelFromStore, saveModelToStore } from '../src/artifacts/model.js';
import type { SweepSpec, SweepSpecInput } from '../src/sweep/schema.js';
import { LocalStore } from '../src/store/local.js';
import { selectBackend } from '../src/train/backend.js';
import { denseLayers, makeDoc, makeSpec } from './fixtures/report/factory.js';

// ------------------------------------------------------------------------------------------------
// A small reader of the generated Python: each `keras.layers.X(...)` line of the Sequential list,
// with its positional and keyword arguments, then Keras' shape and parameter formulas.
// ------------------------------------------------------------------------------------------------

type Py = number | string | boolean | null | Py[] | { call: string; args: Py[] };

interface PyLayer {
  type: string;
  args: Py[];
  kwargs: Record<string, Py>;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

function pyValue(s: string): Py {
  if (/^-?\d+$/.test(s)) return Number.parseInt(s, 10);
  if (/^-?[\d.]+(e-?\d+)?$/i.test(s)) return Number.parseFloat(s);
  if (s === 'True' || s === 'False') return s === 'True';
  if (s === 'None') return null;
  if (/^'.*'$/.test(s)) return s.slice(1, -1);
  if (s.startsWith('(') && s.endsWith(')')) return splitTopLevel(s.slice(1, -1)).map(pyValue);
  const call = /^([\w.]+)\((.*)\)$/.exec(s);
  if (call) return { call: call[1]!, args: splitTopLevel(call[2]!).map(pyValue) };
  throw new Error(`cannot read Python value ${s}`);
}

/** The Sequential list: `keras.Input(shape=...)` first (Keras 3), then the layers. */
function parseSequential(code: string): { inputShape: number[]; layers: PyLayer[] } {
  const body = /model = keras\.Sequential\(\[\n([\s\S]*?)\n\]\)/.exec(code);
  if (!body) throw new Error('no keras.Sequential([...]) in the generated code');
  const [first, ...rest] = body[1]!.split('\n');
  const input = /^\s+keras\.Input\(shape=(\(.*\))\),$/.exec(first!);
  if (!input) throw new Error(`the Sequential list does not start with keras.Input(shape=...): ${first}`);
  const layers = rest.map((line) => {
    const m = /^\s+keras\.layers\.(\w+)\((.*)\),?(\s+#.*)?$/.exec(line);
    if (!m) throw new Error(`not a layer line: ${line}`);
    const layer: PyLayer = { type: m[1]!, args: [], kwargs: {} };
    for (const part of splitTopLevel(m[2]!)) {
      const kw = /^(\w+)=(.*)$/.exec(part);
      if (kw) layer.kwargs[kw[1]!] = pyValue(kw[2]!);
      else layer.args.push(pyValue(part));
    }
    return layer;
  });
  return { inputShape: pyValue(input[1]!) as number[], layers };
}

const pair = (v: Py | undefined, fallback: [number, number]): [number, number] => (Array.isArray(v) ? [v[0] as number, v[1] as number] : fallback);
const outSize = (size: number, window: number, stride: number, padding: Py | undefined) => (padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1);

/** Keras' output shapes and parameter counts for the parsed layers. */
function kerasShapesAndParams(inputShape: number[], layers: PyLayer[]): { outputShape: number[]; params: number }[] {
  let shape = inputShape.slice();
  return layers.map((l) => {
    let params = 0;
    const bias = l.kwargs['use_bias'] === false ? 0 : 1;
    switch (l.type) {
      case 'Dense': {
        const units = l.args[0] as number;
        params = shape.at(-1)! * units + bias * units;
        shape = [...shape.slice(0, -1), units];
        break;
      }
      case 'Conv2D': {
        const filters = l.args[0] as number;
        const [kh, kw] = pair(l.args[1], [3, 3]);
        const [sh, sw] = pair(l.kwargs['strides'], [1, 1]);
        const [h, w, c] = shape as [number, number, number];
        params = kh * kw * c * filters + bias * filters;
        shape = [outSize(h, kh, sh, l.kwargs['padding']), outSize(w, kw, sw, l.kwargs['padding']), filters];
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const [ph, pw] = pair(l.args[0], [2, 2]);
        const [sh, sw] = pair(l.kwargs['strides'], [ph, pw]);
        shape = [outSize(shape[0]!, ph, sh, l.kwargs['padding']), outSize(shape[1]!, pw, sw, l.kwargs['padding']), shape[2]!];
        break;
      }
      case 'Flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'Reshape':
        shape = (l.args[0] as number[]).slice();
        break;
      case 'Dropout':
        break;
      case 'LSTM': {
        const units = l.args[0] as number;
        params = 4 * (units * (shape.at(-1)! + units) + bias * units);
        shape = l.kwargs['return_sequences'] === true ? [shape[0]!, units] : [units];
        break;
      }
      default:
        throw new Error(`the test knows no Keras formula for ${l.type}`);
    }
    return { outputShape: shape, params };
  });
}

// ------------------------------------------------------------------------------------------------

const info = (task: DataInfo['task'], inputShape: number[], targetDim: number): DataInfo => ({ task, inputShape, targetDim, rows: 100, droppedRows: 0 });

interface Case {
  name: string;
  spec: SweepSpec;
  units: number[];
  info: DataInfo;
  expectedTypes: string[];
}

const cases: Case[] = [
  {
    name: 'dense with dropout (binary)',
    spec: makeSpec({ model: { family: 'dense', depth: [2], width: [32], widthPattern: 'halving', dropout: 0.2 } }),
    units: [32, 16],
    info: info('binary', [10], 1),
    expectedTypes: ['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense'],
  },
  {
    name: 'CNN on 8×8 single-channel images, deep enough to need same padding (multiclass, L2)',
    spec: makeSpec({
      dataset: { key: 'datasets/digits.npz', format: 'npz', task: 'multiclass', target: 'y' },
      model: { family: 'cnn', depth: [3], width: [4], widthPattern: 'doubling', l2: 0.001, cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [16] } },
    }),
    units: [4, 8, 16],
    info: info('multiclass', [8, 8], 10),
    expectedTypes: ['Reshape', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense'],
  },
  {
    name: 'CNN like the seed example (28×28×1, average pooling)',
    spec: makeSpec({
      dataset: { key: 'datasets/mnist.npz', format: 'npz', task: 'multiclass', target: 'y' },
      model: { family: 'cnn', depth: [2], width: [32], widthPattern: 'doubling', cnn: { kernelSize: 3, pooling: 'avg', poolSize: 2, denseHead: [] } },
    }),
    units: [32, 64],
    info: info('multiclass', [28, 28, 1], 10),
    expectedTypes: ['Conv2D', 'AveragePooling2D', 'Conv2D', 'AveragePooling2D', 'Flatten', 'Dense'],
  },
  {
    name: 'stacked LSTM like the seed example (forecast)',
    spec: makeSpec({
      dataset: { key: 'datasets/weather.csv', task: 'forecast', target: 'temp', time: 'date', lookback: 24 },
      model: { family: 'lstm', depth: [2], width: [64], widthPattern: 'halving' },
      evaluation: { metric: 'rmse' },
    } as Partial<SweepSpecInput>),
    units: [64, 32],
    info: info('forecast', [24, 4], 1),
    expectedTypes: ['LSTM', 'LSTM', 'Dense'],
  },
];

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('kerasCode against the TensorFlow.js model', () => {
  for (const c of cases) {
    it(`${c.name}: same layers, shapes and parameter count`, () => {
      const net = buildModel({ family: c.spec.model.family, units: c.units }, c.spec.model, c.info, 42);
      try {
        const summaries = layerSummaries(net);
        const doc = makeDoc({
          family: c.spec.model.family,
          depth: c.units.length,
          width: c.units[0]!,
          values: [0.5, 0.6],
          metric: c.info.task === 'forecast' ? 'rmse' : 'accuracy',
          layers: summaries,
          params: net.countParams(),
        });
        const code = kerasCode(doc, c.spec);
        const { inputShape, layers: py } = parseSequential(code);
        expect(inputShape).toEqual(c.info.inputShape);
        const implied = kerasShapesAndParams(inputShape, py);

        // Same layers, in order, as the tfjs model.
        const tfLayers = net.layers;
        expect(py.map((l) => l.type)).toEqual(c.expectedTypes);
        expect(tfLayers.map((l) => l.getClassName())).toEqual(c.expectedTypes);
        // Same settings, layer by layer.
        tfLayers.forEach((layer, i) => {
          const cfg = layer.getConfig();
          const p = py[i]!;
          if ('units' in cfg) expect(p.args[0]).toBe(cfg['units']);
          if ('filters' in cfg) {
            expect(p.args[0]).toBe(cfg['filters']);
            expect(p.args[1]).toEqual(cfg['kernelSize']);
            expect(p.kwargs['padding'] ?? 'valid').toBe(cfg['padding']);
          }
          if ('poolSize' in cfg) {
            expect(p.args[0]).toEqual(cfg['poolSize']);
            expect(p.kwargs['padding'] ?? 'valid').toBe(cfg['padding']);
          }
          if (layer.getClassName() === 'LSTM') expect(p.kwargs['return_sequences'] ?? false).toBe(cfg['returnSequences']);
          if (layer.getClassName() === 'Dense' || layer.getClassName() === 'Conv2D') {
            expect(p.kwargs['activation'] ?? 'linear').toBe(cfg['activation']);
          }
          if (layer.getClassName() === 'Dropout') expect(p.args[0]).toBe(cfg['rate']);
        });
        // Same output shapes and the same parameter count, layer by layer and in total.
        expect(implied.map((l) => l.outputShape)).toEqual(tfLayers.map((l) => (l.outputShape as (number | null)[]).slice(1)));
        expect(implied.map((l) => l.params)).toEqual(tfLayers.map((l) => l.countParams()));
        expect(implied.reduce((s, l) => s + l.params, 0)).toBe(net.countParams());
        expect(code).toContain(`# model.summary() should report Total params: ${net.countParams().toLocaleString('en-US')}`);
      } finally {
        net.dispose();
      }
    });
  }

  it('writes compile and fit in the seed style, with the task’s loss and the sweep’s early stopping', () => {
    const spec = makeSpec({
      model: { family: 'dense', depth: [1], width: [16] },
      training: { epochs: 30, batchSize: 64, optimizer: 'sgd', learningRate: 0.05, earlyStopping: { patience: 3, monitor: 'val_metric' } },
    } as Partial<SweepSpecInput>);
    const code = kerasCode(makeDoc({ depth: 1, width: 16, values: [0.8, 0.82] }), spec);
    expect(code).toContain("    keras.Input(shape=(10,)),\n    keras.layers.Dense(16, activation='relu'),\n    keras.layers.Dense(1, activation='sigmoid')\n])");
    expect(code).not.toContain('input_shape=');
    expect(code).toContain("model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05),\n              loss='binary_crossentropy',\n              metrics=['accuracy'])");
    expect(code).toContain("early_stopping = keras.callbacks.EarlyStopping(monitor='val_accuracy', patience=3, restore_best_weights=True)");
    expect(code).toContain('model.fit(X_train, y_train, validation_data=(X_val, y_val), epochs=30, batch_size=64, callbacks=[early_stopping])');
    expect(code).not.toContain('validation_split');
  });

  it('uses the forecast loss and Keras’ RMSE metric', () => {
    const c = cases[3]!;
    const code = kerasCode(makeDoc({ family: 'lstm', depth: 2, width: 64, metric: 'rmse', values: [1, 2], layers: [] }), c.spec);
    expect(code).toContain("loss='mse'");
    expect(code).toContain('metrics=[keras.metrics.RootMeanSquaredError()]');
  });
});

describe('saveModelToStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'layerbench-report-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes model.json and weights.bin under the prefix, and they load back to the same weights', async () => {
    const c = cases[0]!;
    const net = buildModel({ family: 'dense', units: c.units }, c.spec.model, c.info, 42);
    const store = new LocalStore(dir);
    try {
      const saved = await saveModelToStore(net, store, 'runs/r1/models/dense-d2-w32/');
      expect(saved.modelKey).toBe('runs/r1/models/dense-d2-w32/model.json');
      expect(saved.weightsKey).toBe('runs/r1/models/dense-d2-w32/weights.bin');
      expect(await store.list('runs/r1/models/')).toEqual([saved.modelKey, saved.weightsKey]);
      // float32 weights: 4 bytes per parameter.
      expect(saved.weightBytes).toBe(net.countParams() * 4);
      const json = JSON.parse(new TextDecoder().decode(await store.get(saved.modelKey))) as { weightsManifest: { paths: string[] }[]; format: string };
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);

      const loaded = await loadModelFromStore(store, 'runs/r1/models/dense-d2-w32');
      try {
        expect(loaded.countParams()).toBe(net.countParams());
        const a = net.getWeights().map((w) => Array.from(w.dataSync()));
        const b = loaded.getWeights().map((w) => Array.from(w.dataSync()));
        expect(b).toEqual(a);
        const x = tf.ones([1, 10]);
        const pa = (net.predict(x) as tf.Tensor).dataSync()[0];
        const pb = (loaded.predict(x) as tf.Tensor).dataSync()[0];
        expect(pb).toBe(pa);
      } finally {
        loaded.dispose();
      }
    } finally {
      net.dispose();
    }
  });
});

// ------------------------------------------------------------------------------------------------
// The whole script: parsed by Python's own parser, its structure read back through Python's ast.
// ------------------------------------------------------------------------------------------------

interface PyStructure {
  /** Module-level names bound to literals (ast.literal_eval), tuple assignments unpacked. */
  consts: Record<string, unknown>;
  calls: { func: string; args: string[]; kwargs: Record<string, string> }[];
  imports: string[];
  functions: string[];
}

const PY_STRUCTURE = `
import ast, json, sys
tree = ast.parse(sys.stdin.read())
consts = {}
def bind(target, value):
    if isinstance(target, ast.Name):
        try:
            consts[target.id] = ast.literal_eval(value)
        except Exception:
            pass
    elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        for t, v in zip(target.elts, value.elts):
            bind(t, v)
for node in tree.body:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            bind(target, node.value)
calls = [{'func': ast.unparse(n.func), 'args': [ast.unparse(a) for a in n.args], 'kwargs': {k.arg: ast.unparse(k.value) for k in n.keywords if k.arg}}
         for n in ast.walk(tree) if isinstance(n, ast.Call)]
imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
print(json.dumps({'consts': consts, 'calls': calls, 'imports': imports, 'functions': functions}))
`;

/** Parse the script with Python (a syntax error fails the test with Python's message) and read its structure. */
function pyStructure(code: string): PyStructure {
  const out = execFileSync('python3', ['-c', PY_STRUCTURE], { input: code, encoding: 'utf8' });
  return JSON.parse(out) as PyStructure;
}

const callsOf = (s: PyStructure, func: string) => s.calls.filter((c) => c.func === func);

/** The structure every script shares: Keras 3 imports, Input first, fit on a validation split, evaluate on the test split. */
function expectKerasSkeleton(s: PyStructure, code: string, inputShape: number[]): void {
  expect(s.imports).toContain('import keras');
  expect(s.imports).toContain('import numpy as np');
  expect(code).not.toMatch(/input_shape=|validation_split|from tensorflow import keras/);
  expect(callsOf(s, 'keras.Input').map((c) => c.kwargs['shape'])).toEqual([`(${inputShape.join(', ')}${inputShape.length === 1 ? ',' : ''})`]);
  const fit = callsOf(s, 'model.fit');
  expect(fit).toHaveLength(1);
  expect(fit[0]!.args).toEqual(['X_train', 'y_train']);
  expect(fit[0]!.kwargs['validation_data']).toBe('(X_val, y_val)');
  expect(callsOf(s, 'model.compile')).toHaveLength(1);
  expect(callsOf(s, 'model.evaluate')[0]!.args).toEqual(['X_test', 'y_test']);
  expect(callsOf(s, 'keras.utils.set_random_seed')).toHaveLength(1);
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('kerasCode: a script that runs end to end, data prepared as layerbench prepared it', () => {
  it('a table: pandas loading, the column list, one-hot categories in layerbench’s order, imputation, training-split statistics, stratified shuffled splits', () => {
    const spec = makeSpec({
      dataset: { key: 'datasets/pets.csv', task: 'multiclass', target: 'kind' },
      model: { family: 'dense', depth: [1], width: [8] },
      evaluation: { strategy: 'holdout', validationSplit: 0.25, test: 0.2, metric: 'accuracy' },
    } as Partial<SweepSpecInput>);
    const csv = "weight,colour,kind\n4,black,cat\nNA,white,dog\n30,,dog\n5,it's grey,cat\n12,black,bird\n8,white,cat\n";
    const parsed = parseDataset(spec.dataset, utf8(csv));
    const prep = fitPreprocessing(parsed, [0, 1, 2, 3, 4, 5]);
    const doc = makeDoc({ depth: 1, width: 8, values: [0.7, 0.8], layers: denseLayers(prep.inputShape[0]!, [8], 3, 'softmax') });

    const code = kerasCode(doc, spec, prep);
    const s = pyStructure(code);

    expectKerasSkeleton(s, code, prep.inputShape);
    expect(s.imports).toEqual(expect.arrayContaining(['import pandas as pd', 'from sklearn.model_selection import train_test_split']));
    // The data file: the command line's first argument (python model.py data.csv), else the file layerbench read.
    expect(code).toMatch(/^DATA = sys\.argv\[1\] if len\(sys\.argv\) > 1 else 'pets\.csv' {2}# python model\.py <data>; layerbench read datasets\/pets\.csv$/m);
    expect(s.consts).toMatchObject({
      TARGET: 'kind',
      CLASSES: ['bird', 'cat', 'dog'],
      FEATURES: ['weight', 'colour'],
      NUMERIC: ['weight'],
      CATEGORIES: { colour: ['black', "it's grey", 'white', '(missing)'] },
      INDICATORS: ['weight'],
      MISSING_CATEGORY: '(missing)',
      TEST: 0.2,
      VALIDATION: 0.25,
      SEED: spec.training.seed,
    });
    expect(s.consts['MISSING']).toEqual([...new Set(prep.missingMarkers.map((m) => m.toLowerCase()))]);
    expect(s.functions).toEqual(['target', 'numbers', 'fit_statistics', 'encode']);
    const read = callsOf(s, 'pd.read_csv')[0]!;
    expect(read.kwargs).toMatchObject({ dtype: 'str', keep_default_na: 'False' });
    // The test split first, then validation from what is left; both stratified by class, both seeded.
    const splits = callsOf(s, 'train_test_split');
    expect(splits.map((c) => c.args[0])).toEqual(['df', 'dev']);
    expect(splits.map((c) => c.kwargs)).toEqual([
      { test_size: 'TEST', random_state: 'SEED', stratify: 'target(df)' },
      { test_size: 'VALIDATION', random_state: 'SEED', stratify: 'target(dev)' },
    ]);
    expect(callsOf(s, 'fit_statistics').map((c) => c.args)).toEqual([['train']]);
    expect(code).toContain("model.compile(optimizer='adam',\n              loss='sparse_categorical_crossentropy',\n              metrics=['accuracy'])");
  });

  it('regression: the target standardised with training statistics, the test error printed in the dataset’s unit', () => {
    const spec = makeSpec({
      dataset: { key: 'datasets/cars.csv', task: 'regression', target: 'mpg', unit: 'mpg', missing: 'drop' },
      model: { family: 'dense', depth: [1], width: [8] },
      evaluation: { strategy: 'kfold', folds: 3, metric: 'rmse' },
    } as Partial<SweepSpecInput>);
    const parsed = parseDataset(spec.dataset, utf8('hp,cyl,mpg\n100,4,30\n150,6,22\n200,8,15\n90,4,33\n130,6,24\n'));
    const prep = fitPreprocessing(parsed, [0, 1, 2, 3, 4]);
    const doc = makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [3, 3.2, 2.9], layers: denseLayers(2, [8], 1, 'linear') });

    const code = kerasCode(doc, spec, prep);
    const s = pyStructure(code);

    expectKerasSkeleton(s, code, [2]);
    expect(s.consts).toMatchObject({ TARGET: 'mpg', FEATURES: ['hp', 'cyl'], NUMERIC: ['hp', 'cyl'], CATEGORIES: {}, INDICATORS: [] });
    expect(callsOf(s, 'train_test_split').every((c) => !('stratify' in c.kwargs))).toBe(true);
    expect(callsOf(s, 'df.dropna').map((c) => c.kwargs['subset'])).toEqual(['[TARGET]', 'FEATURES']);
    expect(code).toContain('y_mean, y_std = target(train).mean(), target(train).std()');
    expect(code).toContain('print(f"test rmse: {np.sqrt(np.mean(error ** 2)):.4g} mpg")');
    expect(code).toContain('# layerbench scored candidates with 3-fold cross-validation × 3 repeats; one model here: one validation split.');
  });

  it('a forecast: time order, the channels, windows of lookback rows, time-ordered splits, training-period statistics', () => {
    const spec = makeSpec({
      dataset: { key: 'datasets/weather.csv', task: 'forecast', target: 'temp', time: 'date', features: ['temp', 'wind'], lookback: 3, horizon: 2 },
      model: { family: 'lstm', depth: [1], width: [4] },
      evaluation: { strategy: 'holdout', validationSplit: 0.2, metric: 'rmse' },
    } as Partial<SweepSpecInput>);
    const rows = Array.from({ length: 12 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},${10 + i},${i % 3 === 0 ? 'NA' : 5 + i}`);
    const parsed = parseDataset(spec.dataset, utf8(`date,temp,wind\n${rows.join('\n')}\n`));
    const prep = fitPreprocessing(parsed, [0, 1, 2, 3]);
    const doc = makeDoc({ family: 'lstm', depth: 1, width: 4, metric: 'rmse', values: [1, 1.1], layers: [] });

    const code = kerasCode(doc, spec, prep);
    const s = pyStructure(code);

    expectKerasSkeleton(s, code, prep.inputShape);
    expect(prep.inputShape).toEqual([3, 3]); // temp, wind and wind's was-missing channel
    expect(s.consts).toMatchObject({ TIME: 'date', CHANNELS: ['temp', 'wind'], TARGETS: ['temp'], INDICATORS: ['wind'], LOOKBACK: 3, HORIZON: 2 });
    expect(s.imports).not.toContain('from sklearn.model_selection import train_test_split');
    expect(callsOf(s, 'train_test_split')).toEqual([]);
    expect(s.calls.find((c) => c.func.endsWith('.sort_values'))).toMatchObject({ args: ["'_time'"], kwargs: { kind: "'stable'" } });
    expect(s.functions).toEqual(['window_set']);
    expect(code).toContain('period = values[: train_w[-1] + LOOKBACK + HORIZON]');
  });

  it('image arrays: np.load of the named arrays, pixel scaling, a channel axis, stratified splits', () => {
    const spec = makeSpec({
      dataset: { key: 'datasets/digits.npz', format: 'npz', task: 'multiclass', inputs: 'images', target: 'digits' },
      model: { family: 'cnn', depth: [1], width: [4], cnn: { kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] } },
    } as Partial<SweepSpecInput>);
    const x = new Uint8Array(6 * 4 * 4).map((_, i) => (i * 37) % 256);
    const npz = encodeNpz({ images: { data: x, shape: [6, 4, 4], dtype: 'u1' }, digits: { data: Uint8Array.from([0, 1, 2, 0, 1, 2]), shape: [6], dtype: 'u1' } });
    const parsed = parseDataset(spec.dataset, npz);
    const prep = fitPreprocessing(parsed, [0, 1, 2, 3, 4, 5]);
    const doc = makeDoc({ family: 'cnn', depth: 1, width: 4, values: [0.9, 0.95], layers: [] });

    const code = kerasCode(doc, spec, prep);
    const s = pyStructure(code);

    expectKerasSkeleton(s, code, [4, 4, 1]);
    expect(s.imports).not.toContain('import pandas as pd');
    expect(code).toMatch(/^DATA = sys\.argv\[1\] if len\(sys\.argv\) > 1 else 'digits\.npz'/m);
    expect(s.consts).toMatchObject({ CLASSES: ['0', '1', '2'] });
    expect(code).toContain("x, labels = data['images'], data['digits']");
    expect(code).toContain('SCALE = 1 / 255  # u1 pixels to [0, 1], as layerbench read them');
    expect(code).toContain('x = x[..., np.newaxis]');
    expect(callsOf(s, 'train_test_split').map((c) => c.kwargs['stratify'])).toEqual(['y', 'y[dev]']);
  });

  it('a table evaluated in time order, with dates and a capped column: sorted by the order column, the latest rows test, date parts, "(other)"', () => {
    const spec = makeSpec({
      dataset: { key: 'datasets/shops.csv', task: 'regression', target: 'sales', maxCategories: 3 },
      model: { family: 'dense', depth: [1], width: [8] },
      evaluation: { strategy: 'kfold', folds: 3, test: 0.2, metric: 'rmse' },
    } as Partial<SweepSpecInput>);
    const parsed = parseDataset(
      spec.dataset,
      utf8(
        shopsCsv()
          .split('\n')
          .filter((l) => !l.startsWith(','))
          .join('\n'),
      ),
    ); // every day known: it orders the rows
    const { layout: prep } = dataLayout(parsed, spec.evaluation, spec.training.seed);
    const doc = makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [1, 1.2], layers: denseLayers(prep.inputShape[0]!, [8], 1, 'linear') });

    const code = kerasCode(doc, spec, prep);
    const s = pyStructure(code);

    expectKerasSkeleton(s, code, prep.inputShape);
    expect(prep.order).toEqual({ column: 'day', format: 'dmy' });
    expect(s.imports).not.toContain('from sklearn.model_selection import train_test_split');
    expect(s.consts).toMatchObject({
      NUMERIC: ['day.week_sin', 'day.week_cos', 'price'], // in file order; 90 days: a week cycle, no year
      CAPPED: ['shop'],
      OTHER: '(other)',
    });
    expect(s.functions).toEqual(['target', 'read_dates', 'date_part', 'numbers', 'fit_statistics', 'encode']);
    expect(s.calls.find((c) => c.func.endsWith('.sort_values'))).toMatchObject({ args: ["'_order'"], kwargs: { kind: "'stable'" } });
    expect(code).toContain('# layerbench scored candidates with 3 forward-chaining folds × 3 repeats; one model here: one validation split.');
  });

  it('without a saved preprocessing (an older run) still parses, and says what X and y must be', () => {
    const spec = makeSpec({ model: { family: 'dense', depth: [1], width: [16] } });
    const code = kerasCode(makeDoc({ depth: 1, width: 16, values: [0.8] }), spec, null);
    const s = pyStructure(code);
    expectKerasSkeleton(s, code, [10]);
    expect(code).toContain('This run saved no preprocessing.json');
  });
});

// ------------------------------------------------------------------------------------------------
// The data part of a script, run for real where Python has pandas and scikit-learn (not Keras: the
// script is cut before the model). Its encode(), given layerbench's own statistics, must produce
// layerbench's encoded rows — the same columns, categories, imputation and indicator inputs.
// ------------------------------------------------------------------------------------------------

/** A Python with numpy, pandas and scikit-learn, if this machine has one. */
const dataPython = ['python3', '/usr/bin/python3'].find((py) => {
  try {
    execFileSync(py, ['-c', 'import numpy, pandas, sklearn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** 90 days of sales in a shuffled file: dates written day first, a shop among 12 (capped to 3 when asked), a price with gaps. */
function shopsCsv(): string {
  const rows = Array.from({ length: 90 }, (_, i) => {
    const day = new Date(Date.UTC(2023, 10, 20 + i));
    const d = `${String(day.getUTCDate()).padStart(2, '0')}.${String(day.getUTCMonth() + 1).padStart(2, '0')}.${day.getUTCFullYear()}`;
    const shop = `shop ${(i * 7) % 12 < 6 ? 'a' : String.fromCharCode(98 + ((i * 5) % 11))}`;
    return `${i % 13 === 0 ? '' : d},${shop},${i % 9 === 0 ? 'NA' : (10 + ((i * 37) % 17)).toFixed(1)},${(100 + i + ((i * 11) % 7)).toFixed(1)}`;
  });
  const order = rows.map((_, i) => (i * 47) % 90); // 47 and 90 are coprime: a permutation
  return `day,shop,price,sales\n${order.map((i) => rows[i]).join('\n')}\n`;
}

describe.skipIf(!dataPython)(`the script's data part under ${dataPython ?? 'a Python with pandas (none here)'}`, () => {
  it('a table: encode() with layerbench’s statistics reproduces layerbench’s inputs row by row; the splits partition the rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-keras-data-'));
    try {
      const spec = makeSpec({
        dataset: { key: 'datasets/pets.csv', task: 'multiclass', target: 'kind' },
        model: { family: 'dense', depth: [1], width: [8] },
        evaluation: { strategy: 'holdout', validationSplit: 0.25, test: 0.2 },
      } as Partial<SweepSpecInput>);
      const kinds = ['cat', 'dog', 'bird'];
      const rows = Array.from({ length: 60 }, (_, i) => [i % 7 === 0 ? 'NA' : String((i * 13) % 40), i % 11 === 0 ? '' : ['black', 'white', "it's grey"][i % 3]!, ` ${kinds[i % 3]}`].join(','));
      const csv = `weight,colour,kind\n${rows.join('\n')}\n`;
      const parsed = parseDataset(spec.dataset, utf8(csv));
      const all = Array.from({ length: parsed.rows }, (_, i) => i);
      const prep = fitPreprocessing(parsed, all);
      const expected = encode(prep, parsed, all);
      const doc = makeDoc({ depth: 1, width: 8, values: [0.7], layers: denseLayers(prep.inputShape[0]!, [8], 3, 'softmax') });
      const code = kerasCode(doc, spec, prep);
      const dataPart = code.split('keras.utils.set_random_seed')[0]!.replace('import keras\n', '');
      const stats = Object.fromEntries(prep.input.kind === 'tabular' ? prep.input.features.flatMap((f) => (f.kind === 'numeric' ? [[f.name, [f.impute, f.mean, f.std]]] : [])) : []);
      await writeFile(join(dir, 'pets.csv'), csv);
      const check = `${dataPart}
import json
print(json.dumps({
    'X': encode(df, ${JSON.stringify(stats)}).tolist(),
    'y': target(df).tolist(),
    'sizes': [len(train), len(val), len(test)],
    'disjoint': len(set(train.index) | set(val.index) | set(test.index)) == len(df),
    'shape': list(X_train.shape[1:]),
}))
`;
      const out = JSON.parse(execFileSync(dataPython!, ['-c', check], { cwd: dir, encoding: 'utf8' })) as { X: number[][]; y: number[]; sizes: number[]; disjoint: boolean; shape: number[] };
      expect(out.shape).toEqual(prep.inputShape);
      expect(out.X).toHaveLength(expected.n);
      const width = prep.inputShape[0]!;
      out.X.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected.x[i * width + j]!)).toBeLessThan(1e-5)));
      expect(out.y).toEqual(Array.from(expected.y!));
      expect(out.sizes).toEqual([36, 12, 12]);
      expect(out.disjoint).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('in time order, with dates and a capped column: encode() reproduces layerbench’s inputs, and the splits are layerbench’s time-ordered ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-keras-time-'));
    try {
      const spec = makeSpec({
        dataset: { key: 'datasets/shops.csv', task: 'regression', target: 'sales', time: 'day', maxCategories: 3 },
        model: { family: 'dense', depth: [1], width: [8] },
        evaluation: { strategy: 'holdout', validationSplit: 0.25, test: 0.2, metric: 'rmse' },
      } as Partial<SweepSpecInput>);
      const csv = shopsCsv()
        .split('\n')
        .filter((l) => !l.startsWith(','))
        .join('\n'); // dataset.time: rows need their day
      const parsed = parseDataset(spec.dataset, utf8(csv));
      const { layout: prep, split } = dataLayout(parsed, spec.evaluation, spec.training.seed);
      const [fold] = foldIndices(parsed, spec.evaluation, spec.training.seed, 0);
      const all = Array.from({ length: parsed.rows }, (_, i) => i);
      const expected = encode(prep, parsed, all);
      const doc = makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [1], layers: denseLayers(prep.inputShape[0]!, [8], 1, 'linear') });
      const code = kerasCode(doc, spec, prep);
      const dataPart = code.split('keras.utils.set_random_seed')[0]!.replace('import keras\n', '');
      const stats = Object.fromEntries(prep.input.kind === 'tabular' ? prep.input.features.flatMap((f) => (f.kind === 'numeric' ? [[f.name, [f.impute, f.mean, f.std]]] : [])) : []);
      await writeFile(join(dir, 'shops.csv'), csv);
      const check = `${dataPart}
import json
print(json.dumps({
    'X': encode(df.sort_index(), ${JSON.stringify(stats)}).tolist(),
    'test': sorted(test.index.tolist()),
    'val': sorted(val.index.tolist()),
}))
`;
      const out = JSON.parse(execFileSync(dataPython!, ['-c', check], { cwd: dir, encoding: 'utf8' })) as { X: number[][]; test: number[]; val: number[] };
      const width = prep.inputShape[0]!;
      expect(out.X).toHaveLength(expected.n);
      out.X.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected.x[i * width + j]!), `row ${i}, input ${prep.encodedNames![j]}`).toBeLessThan(1e-5)));
      expect(out.test).toEqual(Array.from(split.test).sort((a, b) => a - b));
      expect(out.val).toEqual(Array.from(fold!.val).sort((a, b) => a - b));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
