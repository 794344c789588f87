/**
 * What a trial minimises and reports: the task's loss (Keras' binary or categorical cross-entropy,
 * MSE) and the sweep's metric, as batch sums that `finish` turns into the metric, and row by row for
 * the intervals. Metrics are in original units: regression and forecast errors are scaled back by the
 * split's target scale.
 */
import * as tf from '@tensorflow/tfjs';
import { regularizationLosses } from '../model/build.js';
import type { MetricName, Task } from '../sweep/schema.js';

export interface Objective {
  task: Task;
  metric: MetricName;
  /** Mean loss of a batch (Keras: binary/sparse categorical cross-entropy, MSE). */
  loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar;
  /** Sum over the batch that `finish` turns into the metric (correct predictions, squared or absolute errors). */
  metricSum: ((y: tf.Tensor, p: tf.Tensor) => tf.Scalar) | undefined;
  finish: (lossMean: number, sum: number, rows: number) => number;
  /** Per row: its contribution to the metric's mean (1 if correct; squared or absolute error, averaged over targets) and its loss. */
  rows: (y: tf.Tensor, p: tf.Tensor) => { metric: tf.Tensor1D; loss: tf.Tensor1D };
}

export function objective(task: Task, metric: MetricName, targetDim: number, scale: tf.Tensor | undefined): Objective {
  const loss =
    task === 'binary'
      ? (y: tf.Tensor, p: tf.Tensor) => tf.mean(tf.metrics.binaryCrossentropy(y, p)) as tf.Scalar
      : task === 'multiclass'
        ? // y is one-hot here (built once per trial from the class indices); sparse CE = CE on one-hot.
          (y: tf.Tensor, p: tf.Tensor) => tf.mean(tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar
        : (y: tf.Tensor, p: tf.Tensor) => tf.mean(tf.squaredDifference(p, y)) as tf.Scalar;
  const scaled = (y: tf.Tensor, p: tf.Tensor) => (scale ? tf.mul(tf.sub(p, y), scale) : tf.sub(p, y));
  const correct = (y: tf.Tensor, p: tf.Tensor) =>
    task === 'multiclass' ? tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(y, -1)), 'float32') : tf.cast(tf.equal(tf.cast(tf.greater(p, 0.5), 'float32'), y), 'float32');
  let metricSum: Objective['metricSum'];
  switch (metric) {
    case 'accuracy':
      metricSum = (y, p) => tf.sum(correct(y, p));
      break;
    case 'mse':
    case 'rmse':
      metricSum = (y, p) => tf.sum(tf.square(scaled(y, p)));
      break;
    case 'mae':
      metricSum = (y, p) => tf.sum(tf.abs(scaled(y, p)));
      break;
    case 'loss':
      metricSum = undefined;
      break;
  }
  const finish = (lossMean: number, sum: number, rows: number): number => {
    switch (metric) {
      case 'accuracy':
        return sum / rows;
      case 'mse':
      case 'mae':
        return sum / (rows * targetDim);
      case 'rmse':
        return Math.sqrt(sum / (rows * targetDim));
      case 'loss':
        return lossMean;
    }
  };
  const rowLoss = (y: tf.Tensor, p: tf.Tensor): tf.Tensor1D =>
    (task === 'binary' ? tf.metrics.binaryCrossentropy(y, p) : task === 'multiclass' ? tf.metrics.categoricalCrossentropy(y, p) : tf.mean(tf.squaredDifference(p, y), -1)).reshape([-1]) as tf.Tensor1D;
  const rowMetric = (y: tf.Tensor, p: tf.Tensor): tf.Tensor1D => {
    switch (metric) {
      case 'accuracy':
        return correct(y, p).reshape([-1]) as tf.Tensor1D;
      case 'mse':
      case 'rmse':
        return tf.mean(tf.square(scaled(y, p)), -1).reshape([-1]) as tf.Tensor1D;
      case 'mae':
        return tf.mean(tf.abs(scaled(y, p)), -1).reshape([-1]) as tf.Tensor1D;
      case 'loss':
        return rowLoss(y, p);
    }
  };
  return { task, metric, loss, metricSum, finish, rows: (y, p) => ({ metric: rowMetric(y, p), loss: rowLoss(y, p) }) };
}

/** Sum of the model's regularisation penalties (undefined when there are none). */
export function regularization(model: tf.LayersModel): tf.Scalar | undefined {
  const losses = regularizationLosses(model);
  return losses.length === 0 ? undefined : (tf.addN(losses) as tf.Scalar);
}
