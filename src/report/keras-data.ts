/**
 * The data part of the Keras scripts: reading the file (the path from the command line, else the
 * dataset's file name), the splits as layerbench made them, and each kind of input prepared as
 * layerbench prepared it — tables (numbers, categories, dates, missing cells), series windows and
 * image arrays — from the preprocessing layerbench saved with the model.
 */
import type { CandidateDoc } from '../results/document.js';
import type { SweepSpec } from '../sweep/schema.js';
import { MISSING_CATEGORY, OTHER_CATEGORY, type Preprocessing } from '../data/preprocessing-schema.js';
import { num, str, strList } from './keras-python.js';

/** The file name a script reads: the dataset key's last part. */

/** `python model.py data.csv` reads that file; without an argument, the file layerbench trained on. */
function dataLine(prep: Preprocessing): string {
  return `DATA = sys.argv[1] if len(sys.argv) > 1 else ${str(fileName(prep.source.key))}  # python model.py <data>; layerbench read ${prep.source.key}`;
}

function fileName(key: string): string {
  return key.split(/[/\\]/).pop() || key;
}

function classesComment(prep: Preprocessing): string {
  return prep.task === 'binary' ? 'the output is the probability of CLASSES[1]' : 'output unit k is CLASSES[k]';
}

export const isClassification = (task: SweepSpec['dataset']['task']) => task === 'binary' || task === 'multiclass';

/** Python that turns a frame's target column into class indices (`target(frame)`), by how layerbench read the labels. */
function classTargetCode(prep: Preprocessing): string[] {
  const t = prep.target;
  if (t.kind !== 'classes') return [];
  switch (t.labels) {
    case 'number':
      return [
        'def target(frame):',
        '    """Class indices: numbers compared as numbers ("1.0" is class "1"), as layerbench reads them."""',
        '    return pd.to_numeric(frame[TARGET]).map({float(c): k for k, c in enumerate(CLASSES)}).to_numpy()',
      ];
    case 'boolean':
      return [
        'def target(frame):',
        '    """Class indices: true/false in any case, as layerbench reads them."""',
        '    return frame[TARGET].str.lower().map({c: k for k, c in enumerate(CLASSES)}).to_numpy()',
      ];
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
        ? [
            `${frame} = ${frame}.assign(_order=read_dates(${frame}[${str(order.column)}], day_first=${order.format === 'dmy' ? 'True' : 'False'}, utc=True)).sort_values('_order', kind='stable')  # equal times keep file order`,
          ]
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
  const out: string[] = [dataLine(prep), `TARGET = ${str(classification ? t.name : t.names[0]!)}`];
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
    ...(dates.length > 0 ? ['    if col in DATES:', '        column, part, day_first = DATES[col]', '        return date_part(read_dates(frame[column], day_first), part)'] : []),
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
      "# The target is standardised with the training split's mean and std too; outputs × y_std + y_mean are in its units.",
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
    dataLine(prep),
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
    "# Statistics of the training period only (every row up to the last training window's target), as layerbench learns them.",
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
  const out: string[] = [dataLine(prep)];
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
  out.push('', 'index = np.arange(len(x))', ...splitCode(prep, 'index', classification ? ['y', 'y[dev]'] : null), 'X_train, X_val, X_test = x[train], x[val], x[test]');
  if (input.standardise) {
    out.push(
      "# 2-D inputs are standardised per feature with the training split's mean and std, as layerbench does.",
      'mean, std = X_train.mean(axis=0), X_train.std(axis=0)',
      'std[std < 1e-12] = 1.0',
      'X_train, X_val, X_test = ((X - mean) / std for X in (X_train, X_val, X_test))',
    );
  }
  if (classification) out.push('y_train, y_val, y_test = y[train], y[val], y[test]');
  else {
    out.push("y_mean, y_std = y[train].mean(), y[train].std()  # outputs × y_std + y_mean are in the target's units", 'y_train, y_val, y_test = ((y[s] - y_mean) / y_std for s in (train, val, test))');
  }
  return out;
}

/** Without a saved preprocessing (runs made before layerbench saved one): what X and y must be. */
function undescribedData(spec: SweepSpec): string[] {
  return [
    `# This run saved no preprocessing.json, so the data part is yours to write: read ${spec.dataset.key},`,
    '# hold out a test split, then build X_train, y_train, X_val, y_val, X_test, y_test as layerbench did',
    '# (its report lists the encoded features): numbers standardised with training statistics, categories',
    `# one-hot, uint8 pixels × 1/255${spec.dataset.task === 'regression' || spec.dataset.task === 'forecast' ? ', the target standardised (y_mean, y_std).' : '.'}`,
    'X_train = y_train = X_val = y_val = X_test = y_test = None  # replace',
    ...(spec.dataset.task === 'regression' || spec.dataset.task === 'forecast' ? ['y_mean, y_std = 0.0, 1.0  # replace'] : []),
  ];
}

export function dataSection(_doc: CandidateDoc, spec: SweepSpec, prep: Preprocessing | null): string[] {
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
