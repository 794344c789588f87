/**
 * A trial's data as tensors, and how a trained model is scored: over a whole set (loss and metric),
 * row by row (the per-row results the intervals are computed from, kept as block sums), and its
 * inference latency.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';
import type { ArraySet, DataInfo } from '../data/types.js';
import { fromRowMean, toBlocks, type RowBlocks } from '../stats/index.js';
import { regularization, type Objective } from './objective.js';

/** x and y of a set as tensors (multiclass y one-hot), built once per trial. */
export interface TensorSet {
  x: tf.Tensor;
  y: tf.Tensor;
  n: number;
}

export function checkArrays(name: string, set: ArraySet, info: DataInfo): void {
  const features = info.inputShape.reduce((a, b) => a * b, 1);
  const yPerRow = info.task === 'multiclass' ? 1 : info.targetDim;
  if (set.n < 1) throw new DataError(`${name}: has no rows`);
  if (set.x.length !== set.n * features) {
    throw new DataError(`${name}: x has ${set.x.length} values, expected ${set.n} rows × ${features} features`);
  }
  if (set.y.length !== set.n * yPerRow) {
    throw new DataError(`${name}: y has ${set.y.length} values, expected ${set.n} rows × ${yPerRow}`);
  }
}

export function toTensors(set: ArraySet, info: DataInfo): TensorSet {
  return tf.tidy(() => {
    const x = tf.tensor(set.x, [set.n, ...info.inputShape], 'float32');
    const y = info.task === 'multiclass' ? tf.oneHot(tf.tensor1d(Int32Array.from(set.y), 'int32'), info.targetDim).toFloat() : tf.tensor2d(set.y, [set.n, info.targetDim], 'float32');
    return { x, y, n: set.n };
  });
}

export function disposeSet(set: TensorSet | undefined): void {
  if (set) tf.dispose([set.x, set.y]);
}

export interface RowScores {
  metric: number;
  loss: number;
  rows: number;
  blocks: RowBlocks;
}

/**
 * A model on a set, row by row (inference mode): the metric and loss, and the rows' metric
 * contributions kept as block sums (src/stats/intervals.ts RowBlocks) — what the sampling error of
 * the test (and shared validation) rows is computed from. `order` "time" keeps consecutive rows together.
 */
export async function scoreRows(
  model: tf.LayersModel,
  obj: Objective,
  set: TensorSet,
  batchSize: number,
  order: RowBlocks['order'],
  /** The model's predictions over the set, when they were made already (timedPrediction): not made again. */
  prediction?: tf.Tensor,
): Promise<RowScores> {
  const { x, y, n: rows } = set;
  const metricRows = new Float64Array(rows);
  let lossSum = 0;
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const { metric, loss } = tf.tidy(() => {
      const p = prediction ? tf.slice(prediction, start, size) : (model.apply(tf.slice(x, start, size), { training: false }) as tf.Tensor);
      const r = obj.rows(tf.slice(y, start, size), p);
      return { metric: r.metric, loss: tf.sum(r.loss) };
    });
    const [m, l] = await Promise.all([metric.data(), loss.data()]);
    metricRows.set(m, start);
    lossSum += l[0]!;
    tf.dispose([metric, loss]);
  }
  const reg = tf.tidy(() => regularization(model) ?? tf.scalar(0));
  const penalty = (await reg.data())[0]!;
  reg.dispose();
  // The metric "loss" carries the penalty per row, as Keras adds it to the mean.
  if (obj.metric === 'loss') for (let i = 0; i < rows; i++) metricRows[i]! += penalty;
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += metricRows[i]!;
  return { metric: fromRowMean(obj.metric, sum / rows), loss: lossSum / rows + penalty, rows, blocks: toBlocks(metricRows, order) };
}

/**
 * Inference latency per sample: a warm-up batch, then one timed batch predict over the set. Returns the
 * timed predictions too (the caller disposes them): predict runs the same batches of `batchSize` rows
 * as scoreRows, so they are what scoreRows would compute, and the set's rows are not predicted twice.
 */
export async function timedPrediction(model: tf.LayersModel, set: TensorSet, batchSize: number, sample?: (bytes: number) => void): Promise<{ msPerSample: number; prediction: tf.Tensor }> {
  tf.tidy(() => {
    model.predict(tf.slice(set.x, 0, Math.min(set.n, batchSize)), { batchSize });
  });
  const start = performance.now();
  const prediction = model.predict(set.x, { batchSize }) as tf.Tensor;
  await prediction.data();
  const msPerSample = (performance.now() - start) / set.n;
  sample?.(tf.memory().numBytes);
  return { msPerSample, prediction };
}
