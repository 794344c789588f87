/**
 * The sweep spec: which dataset, which model family with which depth and width axes, how to train,
 * how to evaluate and how to search. Validated with zod; `sweepJsonSchema()` publishes it.
 */
import { z } from 'zod';
import { searchProblems } from './search-rules.js';

const int = (min: number) => z.number().int().min(min);
const nonEmptyUnique = <T extends z.ZodTypeAny>(item: T) =>
  z
    .array(item)
    .min(1)
    .refine((xs) => new Set(xs).size === xs.length, { message: 'must not repeat a value' });

/** A sweep's name: it becomes a key (`sweeps/<name>.json`) and the prefix of its run ids. */
export const SWEEP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const TASKS = ['binary', 'multiclass', 'regression', 'forecast'] as const;
export type Task = (typeof TASKS)[number];

export const DATASET_FORMATS = ['csv', 'npy', 'npz'] as const;

/** A dataset's format from its key's extension: `.npz` and `.npy` say so, anything else is read as CSV. */
export function formatFromKey(key: string): (typeof DATASET_FORMATS)[number] {
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  return ext === 'npz' || ext === 'npy' ? ext : 'csv';
}

export const MISSING_POLICIES = ['impute', 'drop', 'error'] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];

const datasetFields = z
  .object({
    key: z
      .string()
      .min(1)
      .describe(
        'Where the data is. In the cloud: a key under datasets/ in the store (the bucket), the only data the functions read. Locally the CLI also takes s3://bucket/key, an absolute path, file://…, ./data.csv or a relative path that exists; a datasets/… key is looked up in the store first. Other store prefixes (sweeps/, runs/) are refused.',
      ),
    format: z.enum(DATASET_FORMATS).optional().describe('csv, npy or npz; default: from the key’s extension (.npz, .npy), else csv.'),
    task: z.enum(TASKS).describe('binary or multiclass classification, regression, or forecast (a time series, one or more steps ahead).'),
    target: z
      .union([z.string().min(1), nonEmptyUnique(z.string().min(1))])
      .optional()
      .describe('CSV: the target column (forecast: one or more). NPZ: the array holding the labels.'),
    features: nonEmptyUnique(z.string().min(1)).optional().describe('CSV feature columns; default: every column but the target(s), the time column, exclude and identifiers.'),
    exclude: nonEmptyUnique(z.string().min(1)).optional().describe('CSV columns never used as features (when features is not given).'),
    categorical: nonEmptyUnique(z.string().min(1)).optional().describe('CSV columns one-hot encoded as categories even where their cells are numbers (codes, mixed cells).'),
    inputs: z.string().min(1).default('x').describe('NPZ: the array holding the inputs (default "x"). NPY: the key itself holds them; the labels are in labelsKey.'),
    labelsKey: z.string().min(1).optional().describe('NPY only: a second .npy file holding the labels, beside the inputs (under datasets/ when they are in the store).'),
    missing: z
      .enum(MISSING_POLICIES)
      .optional()
      .describe(
        'Missing cells (default impute): impute gives a numeric cell the training median plus a was-missing indicator input and a categorical cell the category "(missing)"; drop drops the row; error refuses the data. Rows with a missing target are dropped.',
      ),
    dropMissing: z.boolean().optional().meta({ deprecated: true, description: 'Deprecated: use missing. true is missing "drop", false is missing "error".' }),
    unit: z.string().min(1).max(32).optional().describe('Regression and forecast: the unit of the target (e.g. "mpg"), shown with every error metric.'),
    time: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The column that orders rows in time (dates or numbers). Required for forecast; for other tasks it makes evaluation time-ordered: validation and test rows always later than training rows.',
      ),
    dates: nonEmptyUnique(z.string().min(1))
      .optional()
      .describe('CSV columns read as dates, each parsed into cyclic inputs (year, week, day); columns whose every cell is a date are found without it.'),
    maxCategories: int(1)
      .max(1024)
      .optional()
      .describe(
        'A categorical column with more distinct values than this (default 20) is one-hot encoded as its most frequent values (learned on training rows) and an "(other)" level, which also takes values never seen in training.',
      ),
    lookback: int(1).optional().describe('Forecast: how many past rows each sample sees (required for forecast).'),
    horizon: int(1).default(1).describe('Forecast: how many rows ahead the target lies (default 1).'),
    targetIs: z
      .enum(['level', 'change'])
      .optional()
      .describe('Forecast: what the target column holds: its level (default), or its change from the row before, so that the persistence baseline "no change" predicts 0.'),
    season: int(2).optional().describe('Forecast: the season in rows (12 for monthly data); the baseline is then seasonal naive instead of persistence.'),
  })
  .strict()
  .describe('The data: where it is, the task, and which columns or arrays are inputs and target.');

/** The dataset section, with `dropMissing` read into `missing` (default "impute") and the format from the key when not given. */
export const datasetSchema = datasetFields.transform(({ dropMissing, ...ds }, ctx) => {
  if (dropMissing !== undefined && ds.missing !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['dropMissing'], message: 'is replaced by dataset.missing; give only missing' });
    return z.NEVER;
  }
  const missing: MissingPolicy = ds.missing ?? (dropMissing === undefined ? 'impute' : dropMissing ? 'drop' : 'error');
  return { ...ds, format: ds.format ?? formatFromKey(ds.key), missing };
});

export const WIDTH_PATTERNS = ['constant', 'halving', 'doubling'] as const;
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'swish'] as const;

export const modelSchema = z
  .object({
    family: z.enum(['dense', 'cnn', 'lstm']).describe('dense (tables), cnn (image arrays) or lstm (forecasts).'),
    depth: nonEmptyUnique(int(1).max(64)).describe('The depths to try: hidden layers (dense), conv blocks (cnn) or stacked LSTM layers (lstm).'),
    width: nonEmptyUnique(int(1).max(4096)).describe('The widths to try: units (dense, lstm) or filters (cnn) of the first layer.'),
    widthPattern: z.enum(WIDTH_PATTERNS).default('constant').describe('How width varies from one layer to the next: constant, halving (64→32) or doubling (32→64).'),
    activation: z.enum(ACTIVATIONS).default('relu').describe('The hidden layers’ activation (default relu); the output layer’s follows from the task.'),
    dropout: z.number().min(0).lt(1).default(0).describe('Dropout rate after each hidden layer (default 0).'),
    l2: z.number().min(0).default(0).describe('L2 weight penalty on every hidden layer’s kernel (default 0).'),
    cnn: z
      .object({
        kernelSize: int(1).max(15).default(3).describe('Convolution kernel size (default 3).'),
        pooling: z.enum(['max', 'avg', 'none']).default('max').describe('Pooling after each conv block: max (default), avg or none.'),
        poolSize: int(2).max(8).default(2).describe('Pooling window (default 2).'),
        denseHead: z.array(int(1).max(4096)).default([]).describe('Units of the hidden dense layers between Flatten and the output layer (default none).'),
      })
      .strict()
      .default({ kernelSize: 3, pooling: 'max', poolSize: 2, denseHead: [] })
      .describe('cnn only: the conv blocks’ kernel and pooling, and the dense head.'),
  })
  .strict()
  .describe('The network family and the depth × width grid to try; the output layer and loss follow from the task.');

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad'] as const;

/** training.maxTaskSeconds: 14 minutes, a minute below Lambda's limit for scoring and saving. */
export const DEFAULT_MAX_TASK_SECONDS = 840;

export const earlyStoppingSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Stop a trial when the monitored value stops improving (default true).'),
    monitor: z.enum(['val_loss', 'val_metric']).default('val_loss').describe('val_loss (default), or val_metric for the ranking metric.'),
    patience: int(0).default(5).describe('Epochs without improvement before stopping (default 5).'),
    minDelta: z.number().min(0).default(0).describe('The smallest change that counts as an improvement (default 0).'),
    restoreBestWeights: z.boolean().default(true).describe('Keep the weights of the best epoch, not the last (default true).'),
  })
  .strict()
  .describe('Early stopping on the validation rows (never the test rows).');

export const trainingSchema = z
  .object({
    epochs: int(1).max(10_000).default(100).describe('The most epochs a trial trains (default 100); early stopping ends most trials well before.'),
    batchSize: int(1).max(65_536).default(32).describe('Samples per gradient step (default 32).'),
    optimizer: z.enum(OPTIMIZERS).default('adam').describe('adam (default), sgd, rmsprop or adagrad.'),
    learningRate: z.number().positive().default(0.001).describe('The optimizer’s learning rate (default 0.001).'),
    earlyStopping: earlyStoppingSchema.default({
      enabled: true,
      monitor: 'val_loss',
      patience: 5,
      minDelta: 0,
      restoreBestWeights: true,
    }),
    seed: int(0).default(42).describe('Seeds weights, shuffles and splits (default 42); repeats derive theirs from it.'),
    maxTaskSeconds: int(1)
      .max(86_400)
      .default(DEFAULT_MAX_TASK_SECONDS)
      .describe("Seconds one Train task may train before it checkpoints and continues in the next invocation (default 840, below Lambda's 15 minutes)."),
  })
  .strict()
  .describe('How every candidate trains: the same settings for all, so they compare.');

export const METRICS = ['accuracy', 'loss', 'mse', 'rmse', 'mae'] as const;

export const EVALUATION_ORDERS = ['auto', 'time', 'random'] as const;
export type MetricName = (typeof METRICS)[number];

export const evaluationSchema = z
  .object({
    strategy: z
      .enum(['holdout', 'kfold'])
      .default('holdout')
      .describe('holdout (default): one validation split per repeat; kfold: k folds (stratified for classification, forward-chaining in time order).'),
    test: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.2)
      .describe(
        'Share of rows held out first as the test split (stratified for classification, the last windows for forecasts), the same for every candidate and repeat, never used for choosing. 0 turns it off.',
      ),
    validationSplit: z.number().gt(0).lt(1).default(0.2).describe('holdout: the share of the remaining rows each trial validates on (default 0.2).'),
    folds: int(2).max(20).default(5).describe('kfold: the number of folds (default 5).'),
    repeats: int(1).max(50).default(3).describe('How often each split is trained again with another seed (default 3), so every candidate has a spread and candidates can be compared.'),
    order: z
      .enum(EVALUATION_ORDERS)
      .optional()
      .describe(
        'How rows are split (default auto): time — validation and test rows always later than training rows (forward-chaining folds, test = the latest rows); random — shuffled, stratified for classification; auto — time when dataset.time is given, a column holds dates, or the task is forecast.',
      ),
    metric: z.enum(METRICS).optional().describe('The ranking metric: accuracy or loss for classification (default accuracy); mse, rmse (default), mae or loss otherwise.'),
  })
  .strict()
  .describe('How candidates are scored: the test split, the validation splits, repeats and the ranking metric.');

export const SEARCH_STRATEGIES = ['grid', 'random', 'halving', 'hyperband'] as const;
/** The strategies that train in rounds: `eta`, `minEpochs` and `budget` are their options. */
export const HALVING_STRATEGIES = ['halving', 'hyperband'] as const;
export type HalvingStrategy = (typeof HALVING_STRATEGIES)[number];

/** Whether a search trains in rounds (halving, hyperband). */
export function isHalving<S extends Pick<SearchSpec, 'strategy'>>(search: S): search is S & { strategy: HalvingStrategy } {
  return (HALVING_STRATEGIES as readonly string[]).includes(search.strategy);
}

export const searchSchema = z
  .object({
    strategy: z
      .enum(SEARCH_STRATEGIES)
      .default('grid')
      .describe(
        'grid (default): every depth × width point, trained to training.epochs. random: count of them. halving: every point, in rounds that train the better ones longer (successive halving). hyperband: halving brackets that start at different budgets.',
      ),
    count: int(1).optional().describe('random: how many depth × width points to draw.'),
    seed: int(0).default(0).describe('random: seeds the draw (default 0).'),
    maxCandidates: int(1).max(10_000).default(100).describe('Refuse a sweep that expands to more candidates than this (default 100, at most 10,000).'),
    eta: int(2)
      .max(16)
      .optional()
      .describe(
        'halving, hyperband: each rung keeps 1 in eta (the best and the smallest of those the paired test cannot tell from it; a few smaller ones ≈ the cut when the rung separates them) and trains them eta times longer. Default 3.',
      ),
    minEpochs: int(1)
      .max(10_000)
      .optional()
      .describe('halving, hyperband: epochs of the first rung (default training.epochs / eta^k with k = ⌊log_eta(candidates)⌋, at least 1); the last rung trains to training.epochs.'),
    budget: z
      .object({
        epochs: int(1).optional().describe('Epochs trained in all, over every trial of every candidate.'),
        usd: z.number().positive().optional().describe('Estimated US dollars: Lambda GB-seconds, requests and state transitions (list prices).'),
      })
      .strict()
      .optional()
      .describe(
        'halving, hyperband: no further rung starts once it would pass this spend — epochs in all (every trial of every candidate), or estimated USD; the report lists what was left untrained.',
      ),
  })
  .strict()
  .describe('Which candidates train, and how long: every grid point, a random draw, or rounds that stop the weaker ones early.');

/** The default fractions of the training rows a learning curve trains on (1: the candidate's own result). */
export const DEFAULT_CURVE_FRACTIONS = [0.125, 0.25, 0.5, 1] as const;

/**
 * An opt-in learning curve (src/results/learning-curve.ts): once the search is done and ranked, the
 * recommended candidate and the best larger and best smaller ones are trained again on growing
 * fractions of each split's training rows — the same repeats, folds and validation rows — to answer
 * "would more data help more than a bigger network?". `true` takes the default fractions; the full
 * data (1) is always a point: it is the candidate's own result, not trained again.
 */
export const learningCurveSchema = z
  .union([
    z.boolean(),
    z
      .object({
        fractions: nonEmptyUnique(z.number().gt(0).max(1))
          .default([...DEFAULT_CURVE_FRACTIONS])
          .describe("Fractions of each split's training rows to train on, each in (0, 1]; 1 (the candidate's own result) is added when missing."),
      })
      .strict(),
  ])
  .transform((v) => {
    if (v === false) return undefined;
    const fractions = v === true ? [...DEFAULT_CURVE_FRACTIONS] : v.fractions;
    return { fractions: [...new Set([...fractions, 1])].sort((a, b) => a - b) };
  })
  .refine((v) => v === undefined || v.fractions.length >= 2, { message: 'needs a fraction below 1 (1, the full data, is always a point)', path: ['fractions'] })
  .describe(
    'Opt-in learning curve: after ranking, the recommended candidate and the best larger and smaller ones are trained again on these fractions of the training rows (same splits and repeats). true: [0.125, 0.25, 0.5, 1].',
  );

export const sweepSpecSchema = z
  .object({
    $schema: z.string().optional().describe('The JSON Schema this file follows (for editors); ignored by layerbench.'),
    name: z
      .string()
      .regex(SWEEP_NAME, 'must be 1–64 lower-case letters, digits, - or _')
      .describe('The sweep’s name: 1–64 lower-case letters, digits, - or _. Its runs are named after it and its history is kept under it.'),
    description: z.string().optional().describe('Free text for the people who read the file.'),
    dataset: datasetSchema,
    model: modelSchema,
    training: trainingSchema.default(trainingSchema.parse({})),
    evaluation: evaluationSchema.default(evaluationSchema.parse({})),
    search: searchSchema.default(searchSchema.parse({})),
    learningCurve: learningCurveSchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const { dataset: d, model: m, evaluation: e, search: s } = spec;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (d.format === 'csv' && d.target === undefined) issue(['dataset', 'target'], 'is required for CSV data');
    if (d.task !== 'forecast' && Array.isArray(d.target)) {
      issue(['dataset', 'target'], 'must be one column unless task is forecast');
    }
    if (d.task === 'forecast') {
      if (d.format !== 'csv') issue(['dataset', 'format'], 'must be csv for forecast');
      if (d.time === undefined) issue(['dataset', 'time'], 'is required for forecast: the column that orders the rows (a date or time, or a step number)');
      if (d.lookback === undefined) issue(['dataset', 'lookback'], 'is required for forecast: how many past rows each prediction sees (e.g. 24 for a day of hourly rows)');
      if (m.family === 'cnn') issue(['model', 'family'], 'cnn does not fit a forecast task; use lstm or dense');
      for (const f of ['categorical', 'dates', 'maxCategories'] as const) {
        if (d[f] !== undefined) issue(['dataset', f], 'is not for forecast tasks (forecast inputs are numeric)');
      }
      if (e.order === 'random') issue(['evaluation', 'order'], 'must not be "random" for a forecast: its windows are always split in time order');
    } else {
      for (const f of ['lookback', 'season', 'targetIs'] as const) {
        if (d[f] !== undefined) issue(['dataset', f], 'is only for forecast tasks');
      }
      if (d.time !== undefined && e.order === 'random') {
        issue(['evaluation', 'order'], `"random" contradicts dataset.time (${JSON.stringify(d.time)} orders the rows); drop one of them`);
      }
    }
    if (d.unit !== undefined && (d.task === 'binary' || d.task === 'multiclass')) issue(['dataset', 'unit'], `is only for regression and forecast tasks`);
    if (d.format !== 'csv') {
      for (const f of ['features', 'exclude', 'categorical', 'dates', 'time', 'maxCategories'] as const) {
        if (d[f] !== undefined) issue(['dataset', f], 'is only for CSV data');
      }
    }
    const listed = new Set(d.features ?? []);
    for (const [i, c] of (d.exclude ?? []).entries()) {
      if (listed.has(c)) issue(['dataset', 'exclude', i], `column ${JSON.stringify(c)} is also in dataset.features`);
    }
    const categorical = new Set(d.categorical ?? []);
    for (const [i, c] of (d.dates ?? []).entries()) {
      if (categorical.has(c)) issue(['dataset', 'dates', i], `column ${JSON.stringify(c)} is also in dataset.categorical; a column is dates or categories`);
    }
    if (d.time !== undefined && categorical.has(d.time)) issue(['dataset', 'time'], `column ${JSON.stringify(d.time)} is also in dataset.categorical; the order column holds dates or numbers`);
    for (const [i, c] of (d.dates ?? []).entries()) {
      if (c === d.target || (Array.isArray(d.target) && d.target.includes(c))) issue(['dataset', 'dates', i], `column ${JSON.stringify(c)} is the target`);
    }
    if (m.family === 'cnn' && d.format === 'csv') issue(['dataset', 'format'], 'cnn needs image arrays (npy or npz)');
    if (m.family === 'lstm' && d.task !== 'forecast') issue(['model', 'family'], 'lstm needs a forecast task');
    if (d.format === 'npy' && d.labelsKey === undefined) issue(['dataset', 'labelsKey'], 'is required for npy data');
    if (d.format !== 'csv' && (d.task === 'regression' || d.task === 'forecast') && m.family === 'cnn') {
      // allowed: image regression
    }
    if (e.metric === 'accuracy' && (d.task === 'regression' || d.task === 'forecast')) {
      issue(['evaluation', 'metric'], `accuracy does not apply to a ${d.task} task`);
    }
    if (e.metric && ['mse', 'rmse', 'mae'].includes(e.metric) && (d.task === 'binary' || d.task === 'multiclass')) {
      issue(['evaluation', 'metric'], `${e.metric} does not apply to a ${d.task} task`);
    }
    if (s.strategy === 'random' && s.count === undefined) issue(['search', 'count'], 'is required for random search');
    if (s.strategy !== 'random' && s.count !== undefined) issue(['search', 'count'], 'is only for random search');
    const grid = m.depth.length * m.width.length;
    const n = s.strategy === 'random' ? Math.min(s.count ?? grid, grid) : grid;
    if (n > s.maxCandidates) {
      issue(['search', 'maxCandidates'], `the sweep expands to ${n} candidates, more than the cap of ${s.maxCandidates}`);
    }
    // What the strategy's numbers allow (halving's rounds, its budget): the strategy's own rules (search-rules.ts).
    for (const [path, message] of searchProblems(spec, n)) issue(path, message);
    if (isHalving(s)) {
      if (s.budget && s.budget.epochs === undefined && s.budget.usd === undefined) issue(['search', 'budget'], 'must give epochs or usd');
    } else {
      for (const f of ['eta', 'minEpochs', 'budget'] as const) {
        if (s[f] !== undefined) issue(['search', f], 'is only for strategy "halving" or "hyperband"');
      }
    }
  });

export type SweepSpec = z.infer<typeof sweepSpecSchema>;
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
export type DatasetSpec = SweepSpec['dataset'];
export type ModelSpec = SweepSpec['model'];
export type TrainingSpec = SweepSpec['training'];
export type EvaluationSpec = SweepSpec['evaluation'];
export type SearchSpec = SweepSpec['search'];

/** The ranking metric, with the task's default filled in. */
export function rankingMetric(spec: Pick<SweepSpec, 'dataset' | 'evaluation'>): MetricName {
  return spec.evaluation.metric ?? (spec.dataset.task === 'binary' || spec.dataset.task === 'multiclass' ? 'accuracy' : 'rmse');
}

/** Trials per candidate: repeats × folds (holdout: one fold). */
export function trialsPerCandidate(spec: Pick<SweepSpec, 'evaluation'>): number {
  const e = spec.evaluation;
  return e.repeats * (e.strategy === 'kfold' ? e.folds : 1);
}

/** Whether a larger value of the metric is better. */
export function higherIsBetter(metric: MetricName): boolean {
  return metric === 'accuracy';
}

export function sweepJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(sweepSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
