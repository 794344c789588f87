/**
 * The final model's training: a candidate trained once more on every development sample, for a fixed
 * number of epochs, then scored once on the test split (what the Finalize step makes the model with).
 */
import type * as tf from '@tensorflow/tfjs';
import { CandidateError, LayerbenchError, errorMessage } from '../errors.js';
import type { Candidate } from '../sweep/candidate.js';
import type { SweepSpec } from '../sweep/schema.js';
import type { DataInfo, SplitData } from '../data/types.js';
import type { Trial } from '../results/document.js';
import { trainingBackend } from './backend.js';
import { PhaseClock } from './phases.js';
import { runTrial, type EpochEvent } from './trial.js';

export interface RefitArgs {
  runId: string;
  spec: SweepSpec;
  candidate: Candidate;
  info: DataInfo;
  /** The refit's samples: `train` (all development samples), no validation samples (n 0), and the test split when there is one. */
  split: SplitData;
  /** Epochs to train: no early stopping, nothing to validate on. */
  epochs: number;
  backend?: string;
  onEpoch?: (e: EpochEvent) => void;
  /** Receives the trained model and its split before it is disposed (to save it). */
  onModel?: (model: tf.LayersModel, split: SplitData) => Promise<void>;
}

export interface RefitResult {
  backend: string;
  parameterCount: number;
  /** Training loss and metric per epoch (training mode: dropout on). */
  epochs: { epoch: number; loss: number; metric: number }[];
  /** The ranking metric on the training samples with the final weights (inference mode). */
  trainMetric: number;
  /** The ranking metric and loss on the test split, scored once, with its per-row results in blocks; absent without a test split. */
  test?: NonNullable<Trial['test']>;
  fitSeconds: number;
  samplesPerSecond: number;
}

/**
 * Train a candidate once more, on `split.train`, for exactly `epochs` epochs — the same model, seed,
 * optimiser, batches and loss as its trials (repeat 0's seed), with early stopping off since nothing is
 * validated — then score it once on the test split. A failure throws like trainCandidate:
 * CandidateError (NaN loss, a tfjs failure) or our own error.
 */
export async function refitCandidate(args: RefitArgs): Promise<RefitResult> {
  const es = args.spec.training.earlyStopping;
  const spec: SweepSpec = {
    ...args.spec,
    training: { ...args.spec.training, epochs: args.epochs, earlyStopping: { ...es, enabled: false } },
  };
  let restoreBackend: (() => Promise<void>) | undefined;
  try {
    const backend = await trainingBackend(args.candidate.family, args.backend);
    restoreBackend = backend.restore;
    let parameterCount = 0;
    // runTrial seeds Math.random as for the trials (seed * 1009 + fold) and trains to the budget in one go.
    const result = await runTrial({
      spec,
      candidate: args.candidate,
      info: args.info,
      split: args.split,
      repeat: 0,
      seed: spec.training.seed,
      budget: args.epochs,
      scoring: 'full',
      clock: { epochs: 0, lastEpochMs: 0 },
      phases: new PhaseClock(),
      ...(args.onEpoch ? { onEpoch: args.onEpoch } : {}),
      describe: (model) => {
        parameterCount = model.countParams();
      },
      sample: () => undefined,
      ...(args.onModel ? { keep: args.onModel } : {}),
    });
    if (result.kind !== 'scored') throw new LayerbenchError('refit paused without a deadline', { code: 'E_INTERNAL', kind: 'fatal' });
    const { trial } = result.outcome;
    return {
      backend: backend.label,
      parameterCount,
      epochs: trial.epochs.map(({ epoch, loss, metric }) => ({ epoch, loss, metric })),
      trainMetric: trial.trainMetric,
      ...(trial.test ? { test: trial.test } : {}),
      fitSeconds: trial.fitSeconds,
      samplesPerSecond: trial.samplesPerSecond,
    };
  } catch (err) {
    throw err instanceof LayerbenchError ? err : new CandidateError(`refit failed: ${errorMessage(err)}`, err);
  } finally {
    await restoreBackend?.();
  }
}
