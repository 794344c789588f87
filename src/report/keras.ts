/**
 * The recommended architecture as a Keras 3 script that runs end to end, in the style of the seed
 * article's examples: pandas (or numpy for arrays) loading, the same column list and encoding layerbench
 * used — one-hot categories in its order, imputation with the training median and a was-missing input,
 * standardisation with statistics learned on the training split only, windows for forecasts, pixel
 * scaling for images, dates as their cyclic parts, capped categoricals with "(other)" — a held-out
 * test split and a shuffled validation split (time-ordered for forecasts, and for any run layerbench
 * evaluated in time order: the latest rows test, the latest of the rest validate), `keras.Sequential([keras.Input(shape=...), ...])`, compile, fit with early stopping,
 * evaluate on the test split and the ranking metric in the target's original units.
 *
 * The layers come from the candidate document's layer summaries (what the TensorFlow.js model actually
 * was), so the Keras model lists the same layers with the same units, filters, kernels, padding,
 * activations, return_sequences and pool sizes, and has the same parameter count. The data part comes
 * from the preprocessing layerbench saved (preprocessing.json): the columns, categories, lookback and
 * scaling — the script learns its own statistics, on its own training split, the way layerbench does.
 */
import type { CandidateDoc, LayerSummary } from '../results/document.js';
import { rankingMetric, type SweepSpec } from '../sweep/schema.js';
import type { Preprocessing } from '../data/preprocessing-schema.js';
import { fmtInt, fmtMeanSe, metricUnit, PLUS_MINUS } from '../format.js';
import { metricValues, parameterCount } from '../results/analysis.js';
import { summarize } from '../stats/index.js';
import { dataSection, isClassification } from './keras-data.js';
import { num, str, tuple } from './keras-python.js';

/** tfjs activation identifiers → Keras names (`hardSigmoid` → `hard_sigmoid`). */
function kerasActivation(a: string): string {
  return a.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asPair = (v: unknown): [number, number] | undefined => {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  return undefined;
};
const asShape = (v: unknown): (number | null)[] | undefined => (Array.isArray(v) && v.every((x) => x === null || typeof x === 'number') ? (v as (number | null)[]) : undefined);

/** One layer as a Keras constructor call, or null when it has no Keras line (InputLayer). */
export function kerasLayer(layer: LayerSummary): string | null {
  const c = layer.config;
  const args: string[] = [];
  const kw: string[] = [];
  const activation = asString(c['activation']);
  const addActivation = (omitLinear: boolean) => {
    if (activation && !(omitLinear && activation === 'linear')) kw.push(`activation=${str(kerasActivation(activation))}`);
  };
  const addCommon = () => {
    if (c['useBias'] === false) kw.push('use_bias=False');
    const l2 = asNumber(c['l2']);
    if (l2 !== undefined && l2 > 0) kw.push(`kernel_regularizer=keras.regularizers.l2(${num(l2)})`);
  };
  let name = layer.type;
  switch (layer.type) {
    case 'InputLayer':
      return null;
    case 'Dense':
      args.push(num(asNumber(c['units']) ?? Number(layer.outputShape.at(-1))));
      addActivation(true);
      addCommon();
      break;
    case 'Conv2D': {
      args.push(num(asNumber(c['filters']) ?? Number(layer.outputShape.at(-1))));
      args.push(tuple(asPair(c['kernelSize']) ?? [3, 3]));
      const strides = asPair(c['strides']);
      if (strides && (strides[0] !== 1 || strides[1] !== 1)) kw.push(`strides=${tuple(strides)}`);
      const padding = asString(c['padding']);
      if (padding && padding !== 'valid') kw.push(`padding=${str(padding)}`);
      addActivation(true);
      addCommon();
      break;
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const pool = asPair(c['poolSize']) ?? [2, 2];
      args.push(tuple(pool));
      const strides = asPair(c['strides']);
      // Keras' default strides are the pool size.
      if (strides && (strides[0] !== pool[0] || strides[1] !== pool[1])) kw.push(`strides=${tuple(strides)}`);
      const padding = asString(c['padding']);
      if (padding && padding !== 'valid') kw.push(`padding=${str(padding)}`);
      break;
    }
    case 'LSTM': {
      args.push(num(asNumber(c['units']) ?? Number(layer.outputShape.at(-1))));
      if (c['returnSequences'] === true) kw.push('return_sequences=True');
      // Only settings that differ from Keras' defaults (tanh, sigmoid, unit_forget_bias=True).
      if (activation && activation !== 'tanh') kw.push(`activation=${str(kerasActivation(activation))}`);
      const rec = asString(c['recurrentActivation']);
      if (rec && rec !== 'sigmoid') kw.push(`recurrent_activation=${str(kerasActivation(rec))}`);
      if (c['unitForgetBias'] === false) kw.push('unit_forget_bias=False');
      addCommon();
      break;
    }
    case 'Dropout':
      args.push(num(asNumber(c['rate']) ?? 0.5));
      break;
    case 'Flatten':
      break;
    case 'Reshape':
      args.push(tuple(asShape(c['targetShape']) ?? layer.outputShape.slice(1)));
      break;
    case 'Activation':
      if (activation) args.push(str(kerasActivation(activation)));
      break;
    default:
      name = layer.type;
      break;
  }
  const known = ['Dense', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'LSTM', 'Dropout', 'Flatten', 'Reshape', 'Activation'];
  const call = `keras.layers.${name}(${[...args, ...kw].join(', ')})`;
  return known.includes(layer.type) ? call : `${call}  # no automatic Keras mapping for ${layer.type}; check its settings`;
}

const OPTIMIZER_CLASS = { adam: 'Adam', sgd: 'SGD', rmsprop: 'RMSprop', adagrad: 'Adagrad' } as const;
/** Keras' default learning rates: the optimizer is written as a string when the rate is the default. */
const KERAS_DEFAULT_LR = { adam: 0.001, sgd: 0.01, rmsprop: 0.001, adagrad: 0.001 } as const;

function lossFor(task: SweepSpec['dataset']['task']): string {
  switch (task) {
    case 'binary':
      return 'binary_crossentropy';
    case 'multiclass':
      return 'sparse_categorical_crossentropy';
    default:
      return 'mse';
  }
}

/** The Keras metric for the ranking metric, and its name in Keras' history (for EarlyStopping). */
function kerasMetric(metric: string): { code: string | null; name: string } {
  switch (metric) {
    case 'accuracy':
      return { code: "'accuracy'", name: 'accuracy' };
    case 'rmse':
      return { code: 'keras.metrics.RootMeanSquaredError()', name: 'root_mean_squared_error' };
    case 'mae':
      return { code: "'mae'", name: 'mae' };
    case 'mse':
      return { code: "'mse'", name: 'mse' };
    default:
      return { code: null, name: 'loss' };
  }
}

/** The input shape of a document's network: the preprocessing's, else the first layer's, else the data's. */
function inputShapeOf(doc: CandidateDoc, prep: Preprocessing | null): (number | null)[] | undefined {
  if (prep) return [...prep.inputShape];
  const first = doc.layers.find((l) => l.type !== 'InputLayer');
  const fromLayer = asShape(first?.config['inputShape']);
  if (fromLayer) return fromLayer;
  const inputLayer = doc.layers.find((l) => l.type === 'InputLayer');
  if (inputLayer) return inputLayer.outputShape.slice(1);
  return doc.data?.inputShape;
}

/**
 * The candidate as a Keras 3 script that runs end to end: the data prepared as layerbench prepared it
 * (from `preprocessing`, the saved preprocessing.json of the model layerbench hands over), the
 * Sequential model built from the document's layer summaries, compile with the task's loss and the
 * ranking metric, fit with the sweep's epochs, batch size and early stopping on a validation split, and
 * evaluate once on a held-out test split, with the ranking metric in the target's units.
 */
export function kerasCode(doc: CandidateDoc, spec: SweepSpec, preprocessing: Preprocessing | null = null): string {
  const metric = rankingMetric(spec);
  const task = spec.dataset.task;
  const inputShape = inputShapeOf(doc, preprocessing);
  const layers = doc.layers.filter((l) => l.type !== 'InputLayer');
  const lines: string[] = [];
  const params = parameterCount(doc);
  const values = metricValues(doc);
  const c = doc.candidate;

  lines.push(`# layerbench: ${c.family} network, depth ${c.depth}, width ${c.width} (sweep '${c.sweep}', run ${doc.runId})`);
  if (values.length > 0) {
    const s = summarize(values);
    const what = s.se === null ? '' : ` (${PLUS_MINUS})`;
    lines.push(
      `# validation ${metric}: ${fmtMeanSe(s.mean, s.se, metricUnit(metric, spec.dataset.unit))}${what} over ${s.n} trial${s.n === 1 ? '' : 's'}, trained with TensorFlow.js (${doc.backend})`,
    );
  }
  if (params !== null) lines.push(`# model.summary() should report Total params: ${fmtInt(params)}`);
  const kind = preprocessing?.input.kind;
  const shuffled = kind !== 'series' && preprocessing?.order === undefined;
  const needs = ['numpy', ...(kind === 'array' ? [] : ['pandas']), ...(shuffled ? ['scikit-learn (train_test_split)'] : [])];
  lines.push(`# Keras 3; needs ${needs.slice(0, -1).join(', ')}${needs.length > 1 ? ' and ' : ''}${needs.at(-1)}.`);
  lines.push('import sys', 'import numpy as np');
  if (kind !== 'array') lines.push('import pandas as pd');
  lines.push('import keras');
  if (shuffled) lines.push('from sklearn.model_selection import train_test_split');
  lines.push('');

  lines.push(...dataSection(doc, spec, preprocessing), '');
  lines.push(`keras.utils.set_random_seed(${spec.training.seed})`);

  lines.push('model = keras.Sequential([');
  const calls: string[] = [];
  if (inputShape) calls.push(`keras.Input(shape=${tuple(inputShape)})`);
  for (const layer of layers) {
    const call = kerasLayer(layer);
    if (call) calls.push(call);
  }
  calls.forEach((call, i) => {
    const [code, comment] = call.split('  # ');
    lines.push(`    ${code}${i < calls.length - 1 ? ',' : ''}${comment ? `  # ${comment}` : ''}`);
  });
  lines.push('])', '');

  const t = spec.training;
  const optimizer = t.learningRate === KERAS_DEFAULT_LR[t.optimizer] ? str(t.optimizer) : `keras.optimizers.${OPTIMIZER_CLASS[t.optimizer]}(learning_rate=${num(t.learningRate)})`;
  const km = kerasMetric(metric);
  const compileArgs = [`optimizer=${optimizer}`, `loss=${str(lossFor(task))}`];
  if (km.code) compileArgs.push(`metrics=[${km.code}]`);
  lines.push(`model.compile(${compileArgs[0]},`);
  for (let i = 1; i < compileArgs.length; i++) lines.push(`              ${compileArgs[i]}${i < compileArgs.length - 1 ? ',' : ')'}`);
  if (compileArgs.length === 1) lines[lines.length - 1] += ')';
  lines.push('model.summary()', '');

  const fitArgs = ['X_train', 'y_train', 'validation_data=(X_val, y_val)', `epochs=${t.epochs}`, `batch_size=${t.batchSize}`];
  const es = t.earlyStopping;
  if (es.enabled) {
    const monitor = es.monitor === 'val_loss' ? 'val_loss' : `val_${km.name}`;
    const esArgs = [`monitor=${str(monitor)}`, `patience=${es.patience}`];
    if (es.minDelta > 0) esArgs.push(`min_delta=${num(es.minDelta)}`);
    if (es.restoreBestWeights) esArgs.push('restore_best_weights=True');
    lines.push(`early_stopping = keras.callbacks.EarlyStopping(${esArgs.join(', ')})`);
    fitArgs.push('callbacks=[early_stopping]');
  }
  lines.push(`model.fit(${fitArgs.join(', ')})`, '');

  lines.push('# The test split, once: never used for choosing or fitting.');
  lines.push('print(model.evaluate(X_test, y_test, return_dict=True))');
  if (!isClassification(task) && (metric === 'rmse' || metric === 'mae' || metric === 'mse')) {
    const unit = spec.dataset.unit ? ` ${spec.dataset.unit}${metric === 'mse' ? '²' : ''}` : '';
    const formula = metric === 'rmse' ? 'np.sqrt(np.mean(error ** 2))' : metric === 'mae' ? 'np.mean(np.abs(error))' : 'np.mean(error ** 2)';
    lines.push(`error = (model.predict(X_test).reshape(y_test.shape) - y_test) * y_std  # in the target's units`, `print(f"test ${metric}: {${formula}:.4g}${unit}")`);
  }
  return `${lines.join('\n')}\n`;
}
