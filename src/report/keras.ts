/**
 * The recommended architecture as Keras Python, in the style of the seed article's examples:
 * `keras.Sequential([...])`, `model.compile(...)`, `model.fit(..., callbacks=[EarlyStopping(...)])`.
 * Built from the candidate document's layer summaries (what the TensorFlow.js model actually was),
 * so the Keras model lists the same layers with the same units, filters, kernels, padding,
 * activations, return_sequences and pool sizes, and has the same parameter count.
 */
import type { CandidateDoc, LayerSummary } from '../results/document.js';
import { rankingMetric, type SweepSpec } from '../spec/schema.js';
import { fmt, fmtInt, metricValues, parameterCount, summarize } from './stats.js';

/** Python literal of a number: JavaScript's shortest round-trip form (`16`, `0.001`, `1e-7`) is valid Python. */
function num(x: number): string {
  return String(x);
}

function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A Python tuple: `(10,)`, `(28, 28, 1)`. */
function tuple(xs: readonly (number | null)[]): string {
  const items = xs.map((x) => (x === null ? 'None' : num(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

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
const asShape = (v: unknown): (number | null)[] | undefined =>
  Array.isArray(v) && v.every((x) => x === null || typeof x === 'number') ? (v as (number | null)[]) : undefined;

/** One layer as a Keras constructor call, or null when it has no Keras line (InputLayer). */
export function kerasLayer(layer: LayerSummary, inputShape: readonly (number | null)[] | undefined): string | null {
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
  if (inputShape) kw.push(`input_shape=${tuple(inputShape)}`);
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

/** The input shape of a document's network: the first layer's, else the data's. */
function inputShapeOf(doc: CandidateDoc): (number | null)[] | undefined {
  const first = doc.layers.find((l) => l.type !== 'InputLayer');
  const fromLayer = asShape(first?.config['inputShape']);
  if (fromLayer) return fromLayer;
  const inputLayer = doc.layers.find((l) => l.type === 'InputLayer');
  if (inputLayer) return inputLayer.outputShape.slice(1);
  return doc.data?.inputShape;
}

/**
 * The candidate's architecture as Keras Python: imports, the Sequential model built from its layer
 * summaries, compile with the task's loss and the ranking metric, and fit with the sweep's epochs,
 * batch size, validation and early stopping.
 */
export function kerasCode(doc: CandidateDoc, spec: SweepSpec): string {
  const metric = rankingMetric(spec);
  const inputShape = inputShapeOf(doc);
  const layers = doc.layers.filter((l) => l.type !== 'InputLayer');
  const lines: string[] = [];
  const params = parameterCount(doc);
  const values = metricValues(doc);
  const c = doc.candidate;

  lines.push(`# layerbench: ${c.family} network, depth ${c.depth}, width ${c.width} (sweep '${c.sweep}', run ${doc.runId})`);
  if (values.length > 0) {
    const s = summarize(values);
    const se = s.se === null ? '' : ` ± ${fmt(s.se)} (mean ± standard error)`;
    lines.push(`# validation ${metric}: ${fmt(s.mean)}${se} over ${s.n} trial${s.n === 1 ? '' : 's'}, trained with TensorFlow.js (${doc.backend})`);
  }
  if (params !== null) lines.push(`# model.summary() should report Total params: ${fmtInt(params)}`);
  lines.push('import tensorflow as tf', 'from tensorflow import keras', '');

  lines.push('model = keras.Sequential([');
  const calls: string[] = [];
  layers.forEach((layer, i) => {
    const call = kerasLayer(layer, i === 0 ? inputShape : undefined);
    if (call) calls.push(call);
  });
  calls.forEach((call, i) => {
    const [code, comment] = call.split('  # ');
    lines.push(`    ${code}${i < calls.length - 1 ? ',' : ''}${comment ? `  # ${comment}` : ''}`);
  });
  lines.push('])', '');

  const t = spec.training;
  const optimizer =
    t.learningRate === KERAS_DEFAULT_LR[t.optimizer]
      ? str(t.optimizer)
      : `keras.optimizers.${OPTIMIZER_CLASS[t.optimizer]}(learning_rate=${num(t.learningRate)})`;
  const km = kerasMetric(metric);
  const compileArgs = [`optimizer=${optimizer}`, `loss=${str(lossFor(spec.dataset.task))}`];
  if (km.code) compileArgs.push(`metrics=[${km.code}]`);
  lines.push(`model.compile(${compileArgs[0]},`);
  for (let i = 1; i < compileArgs.length; i++) lines.push(`              ${compileArgs[i]}${i < compileArgs.length - 1 ? ',' : ')'}`);
  if (compileArgs.length === 1) lines[lines.length - 1] += ')';
  lines.push('');

  const fitArgs = ['X_train', 'y_train', `epochs=${t.epochs}`, `batch_size=${t.batchSize}`];
  const e = spec.evaluation;
  if (e.strategy === 'kfold') {
    lines.push(`# layerbench scored this with ${e.folds}-fold cross-validation${e.repeats > 1 ? ` × ${e.repeats} repeats` : ''}; for a final model, one validation split:`);
    fitArgs.push('validation_split=0.2');
  } else {
    fitArgs.push(`validation_split=${num(e.validationSplit)}`);
  }
  if (spec.dataset.task === 'regression' || spec.dataset.task === 'forecast') {
    lines.push('# layerbench standardised inputs and targets with training statistics; do the same (e.g. sklearn StandardScaler).');
  }
  const es = t.earlyStopping;
  if (es.enabled) {
    const monitor = es.monitor === 'val_loss' ? 'val_loss' : `val_${km.name}`;
    const esArgs = [`monitor=${str(monitor)}`, `patience=${es.patience}`];
    if (es.minDelta > 0) esArgs.push(`min_delta=${num(es.minDelta)}`);
    if (es.restoreBestWeights) esArgs.push('restore_best_weights=True');
    lines.push(`early_stopping = keras.callbacks.EarlyStopping(${esArgs.join(', ')})`);
    fitArgs.push('callbacks=[early_stopping]');
  }
  lines.push(`model.fit(${fitArgs.join(', ')})`);
  return `${lines.join('\n')}\n`;
}
