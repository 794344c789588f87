/**
 * Predicting with a saved model: `loadPredictor(store, runId)` loads a run's final model (or, with
 * `candidate`, one candidate's saved model) together with its preprocessing.json, and turns raw rows —
 * a CSV file, NPY/NPZ arrays, or plain records — into predictions in the original units. The rows are
 * prepared by the same module that prepared them for training (src/data/preprocess.ts), so training and
 * prediction cannot drift.
 *
 * What comes out, one row per sample:
 *  - `row`: the file's row number (the header is row 1, as in layerbench's messages); for arrays the
 *    sample's index (0-based, as numpy counts); for records the record's position (1-based).
 *  - regression: `prediction` in the target's units;
 *  - classification: `prediction` (the class label: for binary, classes[1] when its probability is
 *    above 0.5, as training's accuracy counts it) and one `p_<class>` column per class;
 *  - forecast: one row per window end, `row` and the time column naming the window's last row, and the
 *    value `horizon` rows later (`prediction`, or `prediction_<target>` per target).
 * When the input holds the target, the sweep's ranking metric over the samples whose target is known.
 *
 * In a capped column (one with more distinct values than dataset.maxCategories, encoded as its most
 * frequent values and "(other)"), a value the model does not list — rare in training or never seen —
 * is "(other)", as in training. In any other column, categories the model never saw in training are an
 * error by default (`unknownCategories: 'error'`, naming the row, column and the categories it knows);
 * with `'zero'` they encode as all zeros — what the model saw for a category absent from its training
 * rows — and every one is listed in `unknown` and `warnings`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { boundedMessage, DataError, errorMessage, LayerbenchError, NO_RECOMMENDATION } from '../errors.js';
import type { FeatureColumn } from '../data/columns.js';
import { readCsv, type CsvTable } from '../data/csv.js';
import { decodeNpy, decodeNpz, type NpyArray } from '../data/npy.js';
import { encode, outputToOriginal, type Source, type UnknownCategory } from '../data/encode.js';
import { MISSING_CATEGORY, type Preprocessing } from '../data/preprocessing-schema.js';
import { readArrayRows, readCsvRows } from '../data/read-rows.js';
import { finalModelDocSchema } from '../results/final-model.js';
import { rankingMetric, type MetricName } from '../sweep/schema.js';
import { readManifest } from '../results/manifest.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';
import { selectBackend } from '../train/backend.js';
import { checkModelFits, loadModelFromStore, joinPrefix } from './model.js';
import { loadPreprocessing } from './preprocessing.js';

export const UNKNOWN_CATEGORY_POLICIES = ['error', 'zero'] as const;
export type UnknownCategoryPolicy = (typeof UNKNOWN_CATEGORY_POLICIES)[number];

export interface LoadPredictorOptions {
  /** A candidate id: predict with that candidate's saved model (one trial's) instead of the final model. */
  candidate?: string;
  /** TensorFlow.js backend (tensorflow | wasm | cpu); default: the best available. */
  backend?: string;
}

export interface PredictOptions {
  /** A category the model never saw in training: 'error' (default) or 'zero' (all-zero encoding, reported). */
  unknownCategories?: UnknownCategoryPolicy;
}

/** Which saved model a predictor holds. */
export interface PredictorModel {
  kind: 'final' | 'candidate';
  candidateId: string;
  /** The store prefix of model.json, weights.bin and preprocessing.json. */
  prefix: string;
  /** What the model is, in a sentence. */
  description: string;
}

export interface Prediction {
  /** Column names: `row`, then the prediction columns. */
  header: string[];
  rows: (string | number)[][];
  /** The sweep's ranking metric over samples whose target the input holds; null when it holds none. */
  metric: { name: MetricName; value: number; samples: number } | null;
  /** Categories the model did not know (only with unknownCategories 'zero'). */
  unknown: UnknownCategory[];
  warnings: string[];
}

const q = JSON.stringify;

/** A file's type by its extension. */
export function fileType(name: string): 'csv' | 'npy' | 'npz' {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext === 'csv' || ext === 'npy' || ext === 'npz') return ext;
  throw new DataError(`${name}: not a CSV, NPY or NPZ file (by its extension${ext ? ` .${ext}` : ', which it lacks'}); layerbench predicts from .csv, .npy and .npz files`);
}

export class Predictor {
  constructor(
    readonly runId: string,
    readonly model: tfTypes.LayersModel,
    readonly preprocessing: Preprocessing,
    /** The sweep's ranking metric, reported when the input holds the target. */
    readonly metric: MetricName,
    readonly saved: PredictorModel,
  ) {}

  /** Predict from a file's bytes: CSV, NPY or NPZ by the name's extension. */
  async predictFile(bytes: Uint8Array, name: string, opts: PredictOptions = {}): Promise<Prediction> {
    const type = fileType(name);
    if (type === 'csv') return this.predictTable(readCsv(bytes, name), name, opts);
    if (type === 'npy') return this.predictArrays(decodeNpy(bytes, name), undefined, name);
    const entries = decodeNpz(bytes, name);
    const input = this.preprocessing.input;
    const names = Object.keys(entries);
    if (input.kind !== 'array') {
      throw new DataError(`${name}: arrays, but the model takes a CSV ${input.kind === 'series' ? 'time series' : 'table'}`);
    }
    const x = entries[input.array] ?? (names.length === 1 ? entries[names[0]!] : undefined);
    if (!x) throw new DataError(`${name}: no array ${q(input.array)}, which the model takes (the file has ${names.join(', ') || 'no arrays'})`);
    const t = this.preprocessing.target;
    const labelName = t.kind === 'classes' ? t.name : t.names[0]!;
    return this.predictArrays(x, labelName !== input.array ? entries[labelName] : undefined, name);
  }

  /** Predict from a CSV table (readCsv): the training columns by name, in any order; the target optional. */
  async predictTable(table: CsvTable, name: string, opts: PredictOptions = {}): Promise<Prediction> {
    const source = readCsvRows(this.preprocessing, table, name);
    return this.run(source, opts);
  }

  /** Predict from array samples (a decoded .npy, or .npz entries); `labels`, when given, score them. */
  async predictArrays(x: NpyArray, labels: NpyArray | undefined, name: string): Promise<Prediction> {
    return this.run(readArrayRows(this.preprocessing, x, labels, name), {});
  }

  /**
   * Predict from records (objects keyed by column name, as a Lambda receives JSON): each value is read
   * as the same cell a CSV file would hold (null and undefined are missing).
   */
  async predictRecords(records: readonly Record<string, unknown>[], opts: PredictOptions = {}): Promise<Prediction> {
    if (records.length === 0) throw new DataError('records: none given');
    const header = [...new Set(records.flatMap((r) => Object.keys(r)))];
    const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v).trim());
    const table: CsvTable = {
      header,
      columns: header.map((h) => records.map((r) => cell(r[h]))),
      rowNumbers: records.map((_, i) => i + 1),
    };
    return this.predictTable(table, 'records', opts);
  }

  /** Release the model's weights. */
  dispose(): void {
    this.model.dispose();
  }

  private async run(source: Source, opts: PredictOptions): Promise<Prediction> {
    const prep = this.preprocessing;
    const samples = sampleIndices(prep, source);
    if (samples.length === 0) throw new DataError(`${source.source}: no rows to predict`);
    const encoded = encode(prep, source, samples);
    const warnings: string[] = [];
    if (encoded.unknown.length > 0) {
      if ((opts.unknownCategories ?? 'error') === 'error') throw unknownCategoryError(prep, source, encoded.unknown);
      for (const u of encoded.unknown) {
        warnings.push(`column ${q(u.column)}: ${q(u.category)} (${u.rows} row${u.rows === 1 ? '' : 's'}) was never seen in training; encoded as all zeros`);
      }
    }
    const outputs = await this.outputs(encoded.x, encoded.n);
    const header = [...idColumns(prep), ...predictionColumns(prep)];
    const rows = Array.from({ length: encoded.n }, (_, s) => [...idCells(source, samples[s]!), ...predictionCells(prep, outputs, s)]);
    const metric = encoded.y ? scoreOutputs(this.metric, prep, outputs, encoded.y, encoded.n) : null;
    return { header, rows, metric, unknown: encoded.unknown, warnings };
  }

  /** The model's raw outputs (n × outputs), in batches. */
  private async outputs(x: Float32Array, n: number): Promise<Float32Array> {
    const tf = await import('@tensorflow/tfjs');
    const width = this.preprocessing.inputShape.reduce((a, b) => a * b, 1);
    if (x.length !== n * width) {
      const prepared = Math.round(x.length * (1 / n));
      throw new LayerbenchError(
        `${this.saved.prefix}preprocessing.json: prepares ${prepared} values per sample, but its inputShape [${this.preprocessing.inputShape.join(', ')}] takes ${width}; the file was changed`,
        { code: 'E_NO_MODEL', kind: 'fatal' },
      );
    }
    const input = tf.tensor(x, [n, ...this.preprocessing.inputShape], 'float32');
    try {
      const out = this.model.predict(input, { batchSize: 256 }) as tfTypes.Tensor;
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    } finally {
      input.dispose();
    }
  }
}

/** Every sample of a source: rows, array samples, or every window (those predicting beyond the file too). */
function sampleIndices(prep: Preprocessing, source: Source): Int32Array {
  const n =
    source.kind === 'series'
      ? Math.max(0, source.rows - source.lookback + 1)
      : source.kind === 'array'
        ? source.x.length / prep.inputShape.reduce((a, b) => a * b, 1)
        : (source.rowNumbers?.length ?? columnLength(source.columns[0]));
  return Int32Array.from({ length: n }, (_, i) => i);
}

function columnLength(col: FeatureColumn | undefined): number {
  return col === undefined ? 0 : col.type === 'numeric' ? col.values.length : col.codes.length;
}

/** The columns that say which input a prediction belongs to: `row`, and for forecasts the time column. */
export function idColumns(prep: Preprocessing): string[] {
  return prep.input.kind === 'series' ? ['row', prep.input.time] : ['row'];
}

function idCells(source: Source, sample: number): (string | number)[] {
  switch (source.kind) {
    case 'tabular':
      return [source.rowNumbers ? source.rowNumbers[sample]! : sample + 1];
    case 'array':
      return [sample];
    case 'series': {
      const last = sample + source.lookback - 1;
      return [source.rowNumbers ? source.rowNumbers[last]! : last + 1, source.times?.[last] ?? ''];
    }
  }
}

/** The prediction columns: `prediction` (per target for several), and `p_<class>` per class. */
export function predictionColumns(prep: Preprocessing): string[] {
  const t = prep.target;
  if (t.kind === 'classes') return ['prediction', ...t.classes.map((c) => `p_${c}`)];
  return t.names.length === 1 ? ['prediction'] : t.names.map((n) => `prediction_${n}`);
}

/** Class probabilities of sample s (binary: [1 − p, p]). */
export function classProbabilities(prep: Preprocessing, outputs: ArrayLike<number>, s: number): number[] {
  const t = prep.target;
  if (t.kind !== 'classes') throw new Error('classProbabilities: not a classification model');
  if (prep.task === 'binary') {
    const p = outputs[s]!;
    return [1 - p, p];
  }
  const k = t.classes.length;
  return Array.from({ length: k }, (_, c) => outputs[s * k + c]!);
}

/** The index of the predicted class: binary p > 0.5 (as training's accuracy counts it), multiclass the argmax. */
export function predictedClass(prep: Preprocessing, probabilities: number[]): number {
  if (prep.task === 'binary') return probabilities[1]! > 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c]! > probabilities[best]!) best = c;
  return best;
}

function predictionCells(prep: Preprocessing, outputs: Float32Array, s: number): (string | number)[] {
  const t = prep.target;
  if (t.kind === 'classes') {
    const p = classProbabilities(prep, outputs, s);
    return [t.classes[predictedClass(prep, p)]!, ...p];
  }
  const k = t.names.length;
  return Array.from(outputToOriginal(prep, outputs.subarray(s * k, (s + 1) * k)));
}

/**
 * The ranking metric of raw outputs against encoded targets (class index, or standardised value; NaN
 * where unknown), in original units as training reports it: accuracy, or errors × the target's std.
 * `loss` is the data loss without regularisation penalties (a saved model carries none of its own).
 */
export function scoreOutputs(metric: MetricName, prep: Preprocessing, outputs: ArrayLike<number>, y: ArrayLike<number>, n: number): Prediction['metric'] {
  const t = prep.target;
  const k = t.kind === 'classes' ? 1 : t.names.length;
  let sum = 0;
  let samples = 0;
  const eps = 1e-7;
  for (let s = 0; s < n; s++) {
    const ys = Array.from({ length: k }, (_, j) => y[s * k + j]!);
    if (ys.some((v) => Number.isNaN(v))) continue;
    samples++;
    if (t.kind === 'classes') {
      const p = classProbabilities(prep, outputs, s);
      const label = ys[0]!;
      if (metric === 'loss') sum += -Math.log(Math.min(1 - eps, Math.max(eps, p[label]!)));
      else sum += predictedClass(prep, p) === label ? 1 : 0;
      continue;
    }
    for (let j = 0; j < k; j++) {
      const diff = outputs[s * k + j]! - ys[j]!;
      if (metric === 'loss') sum += (diff * diff) / k;
      else {
        const e = diff * t.std[j]!;
        sum += (metric === 'mae' ? Math.abs(e) : e * e) / k;
      }
    }
  }
  if (samples === 0) return null;
  const mean = sum / samples;
  return { name: metric, value: metric === 'rmse' ? Math.sqrt(mean) : mean, samples };
}

function unknownCategoryError(prep: Preprocessing, source: Source, unknown: UnknownCategory[]): DataError {
  const u = unknown[0]!;
  const feature = prep.input.kind === 'tabular' ? prep.input.features.find((f) => f.name === u.column) : undefined;
  const known = feature?.kind === 'categorical' ? feature.categories.filter((c) => !feature.inactive.includes(c)) : [];
  let where = '';
  if (source.kind === 'tabular') {
    const col = source.columns.find((c) => c.name === u.column);
    if (col?.type === 'categorical') {
      const code = u.category === MISSING_CATEGORY ? -1 : col.categories.indexOf(u.category);
      const i = col.codes.indexOf(code);
      if (i >= 0) where = `row ${source.rowNumbers ? source.rowNumbers[i] : i + 1}, `;
    }
  }
  const more = unknown.length > 1 ? ` (and ${unknown.length - 1} more unseen categor${unknown.length === 2 ? 'y' : 'ies'})` : '';
  return new DataError(
    `${source.source}: ${where}column ${q(u.column)}: ${u.category === MISSING_CATEGORY ? 'a missing cell' : q(u.category)} was never seen in training (known: ${known.join(', ')})${more}; --unknown-categories zero encodes such cells as all zeros`,
  );
}

/** Why a run has no final model, as its final model document says: nothing was recommended, or Finalize failed. */
async function noFinalModelReason(store: Store, runId: string): Promise<string> {
  const key = keys.finalModelDoc(runId);
  const doc = (await store.exists(key)) ? finalModelDocSchema.safeParse(await getJson(store, key)) : null;
  if (!doc?.success || doc.data.status !== 'failed') return 'Finalize has not saved it yet';
  if (doc.data.error?.code === NO_RECOMMENDATION) return doc.data.error.message;
  return `its Finalize step failed: ${doc.data.error?.message ?? 'no reason recorded'}`;
}

/**
 * Load the model a run hands over — its final model (runs/<runId>/model/), or with `candidate` that
 * candidate's saved model (runs/<runId>/models/<id>/) — with its preprocessing, ready to predict.
 * An unknown run, a run without a final model (yet), or an unknown candidate is a LayerbenchError (exit 2)
 * that says so.
 */
export async function loadPredictor(store: Store, runId: string, opts: LoadPredictorOptions = {}): Promise<Predictor> {
  if (!(await store.exists(keys.runManifest(runId)))) {
    throw new LayerbenchError(`run ${q(runId)}: not found in ${store.location} (no ${keys.runManifest(runId)})`, { code: 'E_NOT_FOUND', kind: 'fatal' });
  }
  const manifest = await readManifest(store, runId);
  let saved: PredictorModel;
  if (opts.candidate !== undefined) {
    const candidate = manifest.candidates.find((c) => c.id === opts.candidate);
    if (!candidate) {
      throw new LayerbenchError(`--candidate: ${q(opts.candidate)} is not a candidate of run ${runId} (it has ${manifest.candidates.map((c) => c.id).join(', ')})`, {
        code: 'E_SPEC',
        kind: 'fatal',
      });
    }
    const prefix = keys.model(runId, candidate.id);
    if (!(await store.exists(joinPrefix(prefix, 'preprocessing.json')))) {
      throw new LayerbenchError(
        `run ${runId}: candidate ${candidate.id} has no saved model with its preprocessing (no ${prefix}preprocessing.json; it failed, has not trained yet, or was trained before models carried their preprocessing)`,
        {
          code: 'E_NO_MODEL',
          kind: 'fatal',
        },
      );
    }
    saved = { kind: 'candidate', candidateId: candidate.id, prefix, description: `candidate ${candidate.id}'s saved model (one trial's kept weights)` };
  } else {
    const prefix = keys.finalModel(runId);
    if (!(await store.exists(joinPrefix(prefix, 'model.json')))) {
      const why = await noFinalModelReason(store, runId);
      throw new LayerbenchError(`run ${runId} has no final model (${why}); --candidate <id> predicts with one candidate's saved model`, { code: 'E_NO_MODEL', kind: 'fatal' });
    }
    const doc = finalModelDocSchema.safeParse(await getJson(store, keys.finalModelDoc(runId)).catch(() => null));
    const candidateId = doc.success ? doc.data.candidateId : 'unknown';
    const how = doc.success ? `, refit on ${doc.data.trainRows} rows for ${doc.data.epochs} epochs` : '';
    saved = { kind: 'final', candidateId, prefix, description: `the final model (candidate ${candidateId}${how})` };
  }
  await selectBackend(opts.backend);
  const preprocessing = await loadPreprocessing(store, saved.prefix);
  let model: tfTypes.LayersModel;
  try {
    model = await loadModelFromStore(store, saved.prefix);
  } catch (err) {
    if (err instanceof LayerbenchError) throw err;
    // tfjs explains an unknown layer in several lines; its first sentence says it.
    const reason = errorMessage(err)
      .split('\n')[0]!
      .replace(/\s*This may be due to.*$/, '');
    throw new LayerbenchError(boundedMessage(`${saved.prefix}model.json: cannot be loaded (${reason})`), { code: 'E_NO_MODEL', kind: 'fatal', cause: err });
  }
  checkModelFits(model, preprocessing, saved.prefix);
  return new Predictor(runId, model, preprocessing, rankingMetric(manifest.sweep), saved);
}

/** A prediction as CSV text (header, then one line per sample; cells quoted where they need it). */
export function predictionCsv(p: Pick<Prediction, 'header' | 'rows'>): string {
  const cell = (v: string | number) => {
    const s = typeof v === 'number' ? String(v) : v;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[p.header, ...p.rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
