/**
 * The generated Keras code describes the network TensorFlow.js trains: for a dense, a CNN and an LSTM
 * candidate, the Python lists the same layers (type, units/filters, kernel, padding, activation,
 * return_sequences, pool size) and, by Keras' formulas applied to its own arguments, implies the same
 * output shapes and parameter count as the tfjs model `buildModel` builds for training.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataInfo } from '../src/data/types.js';
import { buildModel, layerSummaries } from '../src/model/build.js';
import { kerasCode } from '../src/report/keras.js';
import { loadModelFromStore, saveModelToStore } from '../src/artifacts/model.js';
import type { SweepSpec, SweepSpecInput } from '../src/spec/schema.js';
import { LocalStore } from '../src/store/local.js';
import { selectBackend } from '../src/train/backend.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

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

function parseSequential(code: string): PyLayer[] {
  const body = /model = keras\.Sequential\(\[\n([\s\S]*?)\n\]\)/.exec(code);
  if (!body) throw new Error('no keras.Sequential([...]) in the generated code');
  return body[1]!.split('\n').map((line) => {
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
}

const pair = (v: Py | undefined, fallback: [number, number]): [number, number] => (Array.isArray(v) ? [v[0] as number, v[1] as number] : fallback);
const outSize = (size: number, window: number, stride: number, padding: Py | undefined) =>
  padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;

/** Keras' output shapes and parameter counts for the parsed layers. */
function kerasShapesAndParams(layers: PyLayer[]): { outputShape: number[]; params: number }[] {
  let shape = (layers[0]!.kwargs['input_shape'] as number[]).slice();
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
        const py = parseSequential(code);
        const implied = kerasShapesAndParams(py);

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
    const spec = makeSpec({ model: { family: 'dense', depth: [1], width: [16] }, training: { epochs: 30, batchSize: 64, optimizer: 'sgd', learningRate: 0.05, earlyStopping: { patience: 3, monitor: 'val_metric' } } } as Partial<SweepSpecInput>);
    const code = kerasCode(makeDoc({ depth: 1, width: 16, values: [0.8, 0.82] }), spec);
    expect(code).toContain("    keras.layers.Dense(16, activation='relu', input_shape=(10,)),\n    keras.layers.Dense(1, activation='sigmoid')\n])");
    expect(code).toContain("model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05),\n              loss='binary_crossentropy',\n              metrics=['accuracy'])");
    expect(code).toContain("early_stopping = keras.callbacks.EarlyStopping(monitor='val_accuracy', patience=3, restore_best_weights=True)");
    expect(code).toContain('model.fit(X_train, y_train, epochs=30, batch_size=64, validation_split=0.2, callbacks=[early_stopping])');
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
