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
import { MISSING_CATEGORY, OTHER_CATEGORY, type Preprocessing } from '../data/preprocessing-schema.js';
import { fmtInt, fmtMeanSe, metricUnit, PLUS_MINUS } from '../format.js';
import { metricValues, parameterCount } from '../results/analysis.js';
import { summarize } from '../stats/index.js';

/** Python literal of a number: JavaScript's shortest round-trip form (`16`, `0.001`, `1e-7`) is valid Python. */
function num(x: number): string {
  return String(x);
}

/** A Python string literal. */
function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A Python list of strings, wrapped to lines of about 100 characters after `indent`. */
function strList(xs: readonly string[], indent = '    '): string {
  const items = xs.map(str);
  const one = `[${items.join(', ')}]`;
  if (one.length <= 90) return one;
  const lines: string[] = [];
  let cur = '';
  for (const item of items) {
    if (cur && cur.length + item.length + 2 > 96) {
      lines.push(cur);
      cur = '';
    }
    cur += `${item}, `;
  }
  if (cur) lines.push(cur);
  return `[\n${lines.map((l) => `${indent}${l.trimEnd()}`).join('\n')}\n]`;
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

/** The file name a script reads: the dataset key's last part. */
function fileName(key: string): string {
  return key.split(/[/\\]/).pop() || key;
}

function classesComment(prep: Preprocessing): string {
  return prep.task === 'binary' ? 'the output is the probability of CLASSES[1]' : 'output unit k is CLASSES[k]';
}

const isClassification = (task: SweepSpec['dataset']['task']) => task === 'binary' || task === 'multiclass';

/** Python that turns a frame's target column into class indices (`target(frame)`), by how layerbench read the labels. */
function classTargetCode(prep: Preprocessing): string[] {
  const t = prep.target;
  if (t.kind !== 'classes') return [];
  switch (t.labels) {
    case 'number':
      return ['def target(frame):', '    """Class indices: numbers compared as numbers ("1.0" is class "1"), as layerbench reads them."""', '    return pd.to_numeric(frame[TARGET]).map({float(c): k for k, c in enumerate(CLASSES)}).to_numpy()'];
    case 'boolean':
      return ['def target(frame):', '    """Class indices: true/false in any case, as layerbench reads them."""', '    return frame[TARGET].str.lower().map({c: k for k, c in enumerate(CLASSES)}).to_numpy()'];
    default:
      return ['def target(frame):', '    """Class indices, in CLASSES order."""', '    return frame[TARGET].map({c: k for k, c in enumerate(CLASSES)}).to_numpy()'];
  }
}

/** The lines that read cells as layerbench does: text, trimmed, its missing markers as NaN. */
function readCsvCode(): string[] {
  return [
    '# Every cell as text, trimmed; the cells layerbench reads as missing become NaN.',
    'raw = pd.read_csv(DATA, dtype=str, keep_default_na=False).apply(lambda col: col.str.strip())',
    'df = raw.mask(raw.apply(lambda col: col.str.lower().isin(MISSING)))',
  ];
}

function missingConstant(prep: Preprocessing): string {
  return `MISSING = ${strList([...new Set(prep.missingMarkers.map((m) => m.toLowerCase()))])}  # compared in lower case`;
}

function splitConstants(spec: SweepSpec, timed = false): string[] {
  const e = spec.evaluation;
  const lines: string[] = [];
  if (e.strategy === 'kfold') {
    const folds = timed ? `${e.folds} forward-chaining folds` : `${e.folds}-fold cross-validation`;
    lines.push(`# layerbench scored candidates with ${folds}${e.repeats > 1 ? ` × ${e.repeats} repeats` : ''}; one model here: one validation split.`);
  }
  const test = e.test > 0 ? e.test : 0.2;
  if (e.test === 0) lines.push('# layerbench ran without a test split (evaluation.test 0); this script holds out 20 % anyway.');
  lines.push(`TEST, VALIDATION, SEED = ${num(test)}, ${num(e.validationSplit)}, ${spec.training.seed}`);
  return lines;
}

/** Python that reads cells as dates as layerbench does (the wall clock as written) and computes their cyclic parts. */
function dateCode(): string[] {
  return [
    'def read_dates(cells, day_first=False, utc=False):',
    '    """Dates as written (2012-01-31, 31.01.2012, 01/31/2012, Jan 31 2012, with a time or not).',
    '    The cycles use the wall clock as written (a zone suffix ignored); utc=True gives instants, for ordering."""',
    '    if not utc:',
    "        cells = cells.str.replace(r'\\s*(Z|[+-]\\d{2}(:?\\d{2})?)$', '', regex=True)",
    '    try:',
    "        return pd.to_datetime(cells, format='mixed', dayfirst=day_first, utc=utc)  # pandas 2",
    '    except (TypeError, ValueError):',
    '        return pd.to_datetime(cells, dayfirst=day_first, utc=utc)  # pandas 1',
    '',
    'def date_part(when, part):',
    '    """One cyclic input of a date, as layerbench computes it: sin or cos of the position in the year, week (Sunday first) or day."""',
    '    day = (when.dt.hour * 3600 + when.dt.minute * 60 + when.dt.second + when.dt.microsecond / 1e6) / 86400',
    "    if part.startswith('year'):",
    '        turn = (when.dt.dayofyear - 1 + day) / np.where(when.dt.is_leap_year, 366, 365)',
    "    elif part.startswith('week'):",
    '        turn = ((when.dt.dayofweek + 1) % 7 + day) / 7',
    '    else:',
    '        turn = day',
    "    return np.sin(2 * np.pi * turn) if part.endswith('sin') else np.cos(2 * np.pi * turn)",
    '',
  ];
}

/** The rows sorted by the order column (or kept in file order), then the latest as the test split and the latest of the rest as validation. */
function timeSplitCode(order: NonNullable<Preprocessing['order']>, frame: string): string[] {
  const sort =
    order.column === null
      ? ['# (layerbench had no column to order them by: the order of the file.)']
      : order.format
        ? [`${frame} = ${frame}.assign(_order=read_dates(${frame}[${str(order.column)}], day_first=${order.format === 'dmy' ? 'True' : 'False'}, utc=True)).sort_values('_order', kind='stable')  # equal times keep file order`]
        : [`${frame} = ${frame}.assign(_order=pd.to_numeric(${frame}[${str(order.column)}])).sort_values('_order', kind='stable')  # equal times keep file order`];
  return [
    '# In time order, as layerbench evaluated this run: the test split is the latest rows, the validation',
    '# split the latest of the rest, so no model sees rows later than those it is scored on.',
    ...sort,
    `n_test = max(1, int(len(${frame}) * TEST + 0.5))  # rounded half up, as layerbench rounds`,
    `dev, test = ${frame}[: len(${frame}) - n_test], ${frame}[len(${frame}) - n_test :]`,
    'n_val = max(1, int(len(dev) * VALIDATION + 0.5))',
    'train, val = dev[: len(dev) - n_val], dev[len(dev) - n_val :]',
  ];
}

/** The test and validation splits of `frame`: in time when the run was, else seeded shuffles (stratified by `stratify`, all rows' then dev's). */
function splitCode(prep: Preprocessing, frame: string, stratify: [string, string] | null): string[] {
  if (prep.order) return timeSplitCode(prep.order, frame);
  return [
    '# The test split first, kept out of everything below; then a shuffled validation split for early stopping.',
    `dev, test = train_test_split(${frame}, test_size=TEST, random_state=SEED${stratify ? `, stratify=${stratify[0]}` : ''})`,
    `train, val = train_test_split(dev, test_size=VALIDATION, random_state=SEED${stratify ? `, stratify=${stratify[1]}` : ''})`,
  ];
}

/** Tabular CSV: columns, categories, missing cells, splits, training-only statistics, encoding. */
function tabularData(prep: Preprocessing & { input: { kind: 'tabular' } }, spec: SweepSpec): string[] {
  const features = prep.input.features;
  const numeric = features.filter((f) => f.kind === 'numeric').map((f) => f.name);
  const indicators = features.filter((f) => f.kind === 'numeric' && f.indicator).map((f) => f.name);
  const categories = features.flatMap((f) => (f.kind === 'categorical' ? [[f.name, f.categories] as const] : []));
  const capped = features.filter((f) => f.kind === 'categorical' && f.other).map((f) => f.name);
  const dates = features.flatMap((f) => (f.kind === 'numeric' && f.from ? [[f.name, f.from] as const] : []));
  const t = prep.target;
  const classification = t.kind === 'classes';
  const out: string[] = [
    `DATA = ${str(fileName(prep.source.key))}  # ${prep.source.key} in the layerbench store`,
    `TARGET = ${str(classification ? t.name : t.names[0]!)}`,
  ];
  if (classification) out.push(`CLASSES = ${strList(t.classes)}  # ${classesComment(prep)}`);
  out.push(`FEATURES = ${strList(features.map((f) => f.name))}  # the network's inputs, in this order`);
  out.push(`NUMERIC = ${strList(numeric)}  # standardised with the training split's mean and std`);
  if (dates.length > 0) {
    out.push('DATES = {  # inputs computed from a column of dates: (column, cyclic part, day first)');
    for (const [name, from] of dates) out.push(`    ${str(name)}: (${str(from.column)}, ${str(from.part)}, ${from.format === 'dmy' ? 'True' : 'False'}),`);
    out.push('}');
  }
  out.push(`CATEGORIES = {  # one-hot: one input per category, in this order; any other category is all zeros${capped.length ? ' (in CAPPED: OTHER)' : ''}`);
  for (const [name, cats] of categories) out.push(`    ${str(name)}: ${strList(cats, '        ')},`);
  out.push('}');
  if (capped.length > 0) {
    out.push(`CAPPED = ${strList(capped)}  # only their most frequent values: any other value, unseen ones too, is OTHER`);
    out.push(`OTHER = ${str(OTHER_CATEGORY)}`);
  }
  out.push(`INDICATORS = ${strList(indicators)}  # numeric columns whose missing cells also get a 0/1 "was missing" input`);
  out.push(missingConstant(prep), `MISSING_CATEGORY = ${str(MISSING_CATEGORY)}  # what a missing categorical cell is`);
  out.push(...splitConstants(spec, prep.order !== undefined), '');
  out.push(...readCsvCode());
  out.push('df = df.dropna(subset=[TARGET])  # layerbench drops rows whose target is missing');
  if (prep.missing === 'drop') out.push('df = df.dropna(subset=FEATURES)  # dataset.missing "drop": rows with a missing cell are dropped');
  if (prep.missing === 'error') out.push('assert not df[FEATURES].isna().any().any(), "dataset.missing \\"error\\": the data must have no missing cells"');
  out.push('');
  if (classification) out.push(...classTargetCode(prep), '');
  else out.push('def target(frame):', '    return pd.to_numeric(frame[TARGET]).to_numpy(dtype="float64")', '');
  if (dates.length > 0 || prep.order?.format) out.push(...dateCode());
  out.push(
    ...splitCode(prep, 'df', classification ? ['target(df)', 'target(dev)'] : null),
    '',
    'def numbers(frame, col):',
    '    """A numeric input: the column as numbers, or a cyclic part of a date column (NaN where missing)."""',
    ...(dates.length > 0
      ? ['    if col in DATES:', '        column, part, day_first = DATES[col]', '        return date_part(read_dates(frame[column], day_first), part)']
      : []),
    '    return pd.to_numeric(frame[col])',
    '',
    'def fit_statistics(frame):',
    '    """Learned on the training split only, as layerbench does: the median (what a missing cell gets), then mean and std after imputing."""',
    '    stats = {}',
    '    for col in NUMERIC:',
    '        x = numbers(frame, col)',
    '        median = x.median() if x.notna().any() else 0.0',
    '        x = x.fillna(median)',
    '        std = x.std(ddof=0)',
    '        stats[col] = (median, x.mean(), std if std > 1e-12 else 1.0)',
    '    return stats',
    '',
    'def encode(frame, stats):',
    '    """The network\'s inputs: numbers imputed and standardised (with a was-missing input where layerbench had one), categories one-hot."""',
    '    inputs = []',
    '    for col in FEATURES:',
    '        if col in CATEGORIES:',
    '            cells = frame[col].fillna(MISSING_CATEGORY)',
    ...(capped.length > 0 ? ['            if col in CAPPED:', '                cells = cells.where(cells.isin(CATEGORIES[col]), OTHER)'] : []),
    "            inputs += [(cells == category).to_numpy(dtype='float32') for category in CATEGORIES[col]]",
    '        else:',
    '            median, mean, std = stats[col]',
    '            x = numbers(frame, col)',
    "            inputs.append(((x.fillna(median) - mean) / std).to_numpy(dtype='float32'))",
    '            if col in INDICATORS:',
    "                inputs.append(x.isna().to_numpy(dtype='float32'))",
    '    return np.stack(inputs, axis=1)',
    '',
    'stats = fit_statistics(train)',
    'X_train, X_val, X_test = (encode(frame, stats) for frame in (train, val, test))',
  );
  if (classification) out.push('y_train, y_val, y_test = (target(frame) for frame in (train, val, test))');
  else {
    out.push(
      '# The target is standardised with the training split\'s mean and std too; outputs × y_std + y_mean are in its units.',
      'y_mean, y_std = target(train).mean(), target(train).std()',
      'y_train, y_val, y_test = ((target(frame) - y_mean) / y_std for frame in (train, val, test))',
    );
  }
  return out;
}

/** Forecast CSV: time order, channels, windows, time-ordered splits, training-period statistics. */
function seriesData(prep: Preprocessing & { input: { kind: 'series' } }, spec: SweepSpec): string[] {
  const input = prep.input;
  const t = prep.target;
  const targets = t.kind === 'numeric' ? t.names : [];
  return [
    `DATA = ${str(fileName(prep.source.key))}  # ${prep.source.key} in the layerbench store`,
    `TIME = ${str(input.time)}  # rows are sorted by it`,
    `CHANNELS = ${strList(input.features.map((f) => f.name))}  # per time step, in this order`,
    `TARGETS = ${strList(targets)}  # forecast: their level HORIZON rows after a window's last row`,
    `INDICATORS = ${strList(input.features.filter((f) => f.indicator).map((f) => f.name))}  # channels whose missing cells also get a 0/1 "was missing" channel`,
    `LOOKBACK, HORIZON = ${input.lookback}, ${input.horizon}`,
    missingConstant(prep),
    ...splitConstants(spec, true),
    '',
    ...readCsvCode(),
    'time = pd.to_numeric(df[TIME], errors="coerce")',
    'if time.isna().any():',
    '    time = pd.to_datetime(df[TIME])',
    "df = df.assign(_time=time).sort_values('_time', kind='stable')  # equal times keep file order",
    'values = df[CHANNELS].apply(pd.to_numeric).to_numpy(dtype="float64")  # NaN where a cell is missing',
    'targets = [CHANNELS.index(c) for c in TARGETS]',
    '',
    '# Window w reads rows w … w + LOOKBACK − 1 and predicts the targets HORIZON rows after its last row.',
    '# Time-ordered splits, never training on the future: the last windows are the test split, the ones',
    '# before them validate (early stopping), the rest train.',
    'windows = len(values) - LOOKBACK - HORIZON + 1',
    'n_test = max(1, int(windows * TEST + 0.5))  # rounded half up, as layerbench rounds',
    'n_val = max(1, int((windows - n_test) * VALIDATION + 0.5))',
    'train_w = np.arange(0, windows - n_test - n_val)',
    'val_w = np.arange(windows - n_test - n_val, windows - n_test)',
    'test_w = np.arange(windows - n_test, windows)',
    '',
    '# Statistics of the training period only (every row up to the last training window\'s target), as layerbench learns them.',
    'period = values[: train_w[-1] + LOOKBACK + HORIZON]',
    'median = np.nanmedian(period, axis=0)',
    'filled = np.where(np.isnan(period), median, period)',
    'mean, std = filled.mean(axis=0), filled.std(axis=0)',
    'std[std < 1e-12] = 1.0',
    'scaled = (np.where(np.isnan(values), median, values) - mean) / std',
    'columns = []',
    'for j, c in enumerate(CHANNELS):',
    '    columns.append(scaled[:, j])',
    '    if c in INDICATORS:',
    '        columns.append(np.isnan(values[:, j]).astype("float64"))',
    'steps = np.stack(columns, axis=1)',
    '',
    'def window_set(ws):',
    '    X = np.stack([steps[w : w + LOOKBACK] for w in ws]).astype("float32")',
    '    y = np.stack([scaled[w + LOOKBACK - 1 + HORIZON, targets] for w in ws]).astype("float32")',
    '    return X, y',
    '',
    '(X_train, y_train), (X_val, y_val), (X_test, y_test) = (window_set(ws) for ws in (train_w, val_w, test_w))',
    "y_mean, y_std = mean[targets], std[targets]  # outputs × y_std + y_mean are in the targets' units",
  ];
}

/** NPY/NPZ arrays: pixel scaling, channel axis, labels, stratified splits, per-feature standardisation of 2-D inputs. */
function arrayData(prep: Preprocessing & { input: { kind: 'array' } }, spec: SweepSpec): string[] {
  const input = prep.input;
  const t = prep.target;
  const classification = t.kind === 'classes';
  const npz = prep.source.format === 'npz';
  const labelsName = t.kind === 'classes' ? t.name : t.names[0]!;
  const out: string[] = [`DATA = ${str(fileName(prep.source.key))}  # ${prep.source.key} in the layerbench store`];
  if (!npz) out.push(`LABELS = ${str(fileName(spec.dataset.format === 'npy' ? (spec.dataset.labelsKey ?? 'labels.npy') : 'labels.npy'))}  # the labels .npy`);
  if (classification) out.push(`CLASSES = ${strList(t.classes)}  # ${classesComment(prep)}`);
  out.push(
    `SCALE = ${input.scale === 1 ? '1.0' : `1 / ${Math.round(1 / input.scale)}`}  # ${input.scale === 1 ? 'values as they are' : `${input.dtype} pixels to [0, 1], as layerbench read them`}`,
    ...splitConstants(spec, prep.order !== undefined),
    '',
  );
  if (npz) out.push('data = np.load(DATA)', `x, labels = data[${str(input.array)}], data[${str(labelsName)}]`);
  else out.push('x, labels = np.load(DATA), np.load(LABELS)');
  out.push(
    'x = x.astype("float32") * SCALE',
    'if x.ndim == 3:',
    '    x = x[..., np.newaxis]  # N×H×W images get a channel axis of 1',
    'keep = ~np.isnan(x.reshape(len(x), -1)).any(axis=1)  # layerbench drops samples with a NaN',
    'x, labels = x[keep], labels[keep]',
  );
  if (classification) {
    out.push(
      'if labels.ndim > 1:',
      '    labels = labels.argmax(axis=1)  # one-hot rows',
      'name = lambda v: str(int(v)) if float(v).is_integer() else str(v)',
      'y = np.array([CLASSES.index(name(v)) for v in labels.tolist()])',
    );
  } else out.push('y = labels.astype("float64").reshape(len(labels))');
  out.push(
    '',
    'index = np.arange(len(x))',
    ...splitCode(prep, 'index', classification ? ['y', 'y[dev]'] : null),
    'X_train, X_val, X_test = x[train], x[val], x[test]',
  );
  if (input.standardise) {
    out.push(
      '# 2-D inputs are standardised per feature with the training split\'s mean and std, as layerbench does.',
      'mean, std = X_train.mean(axis=0), X_train.std(axis=0)',
      'std[std < 1e-12] = 1.0',
      'X_train, X_val, X_test = ((X - mean) / std for X in (X_train, X_val, X_test))',
    );
  }
  if (classification) out.push('y_train, y_val, y_test = y[train], y[val], y[test]');
  else {
    out.push(
      "y_mean, y_std = y[train].mean(), y[train].std()  # outputs × y_std + y_mean are in the target's units",
      'y_train, y_val, y_test = ((y[s] - y_mean) / y_std for s in (train, val, test))',
    );
  }
  return out;
}

/** Without a saved preprocessing (runs made before layerbench saved one): what X and y must be. */
function undescribedData(spec: SweepSpec): string[] {
  return [
    `# This run saved no preprocessing.json, so the data part is yours to write: read ${spec.dataset.key},`,
    '# hold out a test split, then build X_train, y_train, X_val, y_val, X_test, y_test as layerbench did',
    '# (its report lists the encoded features): numbers standardised with training statistics, categories',
    '# one-hot, uint8 pixels × 1/255' + (spec.dataset.task === 'regression' || spec.dataset.task === 'forecast' ? ', the target standardised (y_mean, y_std).' : '.'),
    'X_train = y_train = X_val = y_val = X_test = y_test = None  # replace',
    ...(spec.dataset.task === 'regression' || spec.dataset.task === 'forecast' ? ['y_mean, y_std = 0.0, 1.0  # replace'] : []),
  ];
}

function dataSection(doc: CandidateDoc, spec: SweepSpec, prep: Preprocessing | null): string[] {
  if (!prep) return undescribedData(spec);
  switch (prep.input.kind) {
    case 'tabular':
      return tabularData(prep as Preprocessing & { input: { kind: 'tabular' } }, spec);
    case 'series':
      return seriesData(prep as Preprocessing & { input: { kind: 'series' } }, spec);
    case 'array':
      return arrayData(prep as Preprocessing & { input: { kind: 'array' } }, spec);
  }
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
    lines.push(`# validation ${metric}: ${fmtMeanSe(s.mean, s.se, metricUnit(metric, spec.dataset.unit))}${what} over ${s.n} trial${s.n === 1 ? '' : 's'}, trained with TensorFlow.js (${doc.backend})`);
  }
  if (params !== null) lines.push(`# model.summary() should report Total params: ${fmtInt(params)}`);
  const kind = preprocessing?.input.kind;
  const shuffled = kind !== 'series' && preprocessing?.order === undefined;
  const needs = ['numpy', ...(kind === 'array' ? [] : ['pandas']), ...(shuffled ? ['scikit-learn (train_test_split)'] : [])];
  lines.push(`# Keras 3; needs ${needs.slice(0, -1).join(', ')}${needs.length > 1 ? ' and ' : ''}${needs.at(-1)}.`);
  lines.push('import numpy as np');
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
  const optimizer =
    t.learningRate === KERAS_DEFAULT_LR[t.optimizer]
      ? str(t.optimizer)
      : `keras.optimizers.${OPTIMIZER_CLASS[t.optimizer]}(learning_rate=${num(t.learningRate)})`;
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
    lines.push(
      `error = (model.predict(X_test).reshape(y_test.shape) - y_test) * y_std  # in the target's units`,
      `print(f"test ${metric}: {${formula}:.4g}${unit}")`,
    );
  }
  return `${lines.join('\n')}\n`;
}
