/**
 * Trains one candidate: every repeat × fold is a trial (trial.ts) with a fresh, seeded model, seeded
 * shuffling, validation each epoch, early stopping with best-weight restore, and metrics in the
 * original units. Produces the candidate's result document, or — when a deadline comes near — a
 * checkpoint to go on from (checkpoint.ts). Every tensor is disposed on success and on failure.
 */
import type * as tf from '@tensorflow/tfjs';
import { CandidateError, DataError, LayerbenchError, errorMessage, failureKind } from '../errors.js';
import { layerSummaries } from '../model/build.js';
import type { Candidate } from '../sweep/candidate.js';
import { higherIsBetter, type MetricName, type SweepSpec } from '../sweep/schema.js';
import type { DataInfo, SplitData } from '../data/types.js';
import { CANDIDATE_DOC_SCHEMA, failedCandidateDoc, type CandidateDoc, type LayerSummary, type Trial } from '../results/document.js';
import { currentBackend, trainingBackend } from './backend.js';
import { CHECKPOINT_SCHEMA, type CandidateCheckpoint, type TrialState } from './checkpoint.js';
import { PhaseClock } from './phases.js';
import { runTrial, type EpochEvent, type Scoring } from './trial.js';
import { trialSeed } from '../random.js';

export type { EpochEvent, Scoring } from './trial.js';

export interface TrainArgs {
  runId: string;
  spec: SweepSpec;
  candidate: Candidate;
  info: DataInfo;
  /** The folds of one repeat (one split for holdout). */
  splits: (repeat: number) => SplitData[] | Promise<SplitData[]>;
  /** Backend preference (tensorflow | wasm | cpu); default: the best available. */
  backend?: string;
  onEpoch?: (e: EpochEvent) => void;
  /** Train with the fused epoch kernel where it applies (default true; false: always unfused). */
  fusedDense?: boolean;
  /** Called with the last trial's model, its kept weights loaded, and its split, before the model is disposed (to save it). */
  onFinalModel?: (model: tf.LayersModel, split: SplitData) => Promise<void>;
  /** Where the time goes (src/train/phases.ts); default a clock of its own. */
  phases?: PhaseClock;
}

/** How far to train this time, and from where (src/train/checkpoint.ts). */
export interface ResumableArgs extends TrainArgs {
  /** Train each trial to at most this many epochs in all: a halving rung's budget (default training.epochs). */
  epochBudget?: number;
  /** Where the trials stand: continue from this checkpoint. */
  resume?: CandidateCheckpoint;
  /**
   * Checkpoint and pause rather than start an epoch expected to end after this moment (performance.now()
   * milliseconds). At least one epoch is trained per call, so every call makes progress.
   */
  deadline?: number;
  /** What trials are scored on (trial.ts Scoring); default `full`. `validation` never calls onFinalModel. */
  scoring?: Scoring;
}

/**
 * What one call to trainCandidateResumable got done: every trial scored at the budget (`done`: the
 * candidate's document for this budget, and a checkpoint to continue from unless nothing is left to
 * train), or not (`paused`: a checkpoint, no document).
 */
export type TrainProgress = { status: 'done'; doc: CandidateDoc; checkpoint: CandidateCheckpoint | null } | { status: 'paused'; checkpoint: CandidateCheckpoint };

/** What a failed candidate had got to, for its failure document. */
interface FailureContext {
  startedAt: string;
  startMs: number;
  backend?: string;
  parameterCount?: number;
  layers?: LayerSummary[];
  trials: Trial[];
  fitSeconds: number;
  peakTensorBytes: number;
  /** Wall seconds of earlier calls (a resumed candidate). */
  wallBefore: number;
}
const failureContexts = new WeakMap<object, FailureContext>();

const seconds = (ms: number): number => ms / 1000;

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function dataSummary(info: DataInfo): CandidateDoc['data'] {
  return {
    rows: info.rows,
    droppedRows: info.droppedRows,
    inputShape: [...info.inputShape],
    targetDim: info.targetDim,
    ...(info.classes ? { classes: [...info.classes] } : {}),
  };
}

/**
 * Train every repeat × fold of a candidate and return its succeeded document. A candidate that
 * cannot train throws CandidateError (NaN loss, a tfjs failure); bad data throws DataError. Pass the
 * thrown error to `failedDoc` for the failed document.
 */
export async function trainCandidate(args: TrainArgs): Promise<CandidateDoc> {
  const progress = await trainCandidateResumable(args);
  if (progress.status !== 'done') throw new LayerbenchError('training paused without a deadline', { code: 'E_INTERNAL', kind: 'fatal' });
  return progress.doc;
}

/**
 * trainCandidate in steps: each trial trained to `epochBudget` epochs (continued from `resume` where it
 * stands), or until `deadline` comes near — then every trial's state is in the returned checkpoint
 * and the next call, given it, goes on as if training had never stopped. A trial that is finished
 * (early stopping, or training.epochs reached) or was already scored at this budget is not trained
 * again: its record is reused.
 */
export async function trainCandidateResumable(args: ResumableArgs): Promise<TrainProgress> {
  const resume = args.resume;
  const context: FailureContext = {
    startedAt: resume?.startedAt ?? new Date().toISOString(),
    startMs: performance.now(),
    trials: [],
    fitSeconds: 0,
    peakTensorBytes: resume?.totals.peakTensorBytes ?? 0,
    wallBefore: resume?.totals.wallSeconds ?? 0,
    ...(resume && resume.layers.length > 0 ? { layers: resume.layers } : {}),
    ...(resume?.parameterCount != null ? { parameterCount: resume.parameterCount } : {}),
  };
  const { spec, candidate } = args;
  const phases = args.phases ?? new PhaseClock();
  const scoring = args.scoring ?? 'full';
  const budget = Math.min(args.epochBudget ?? spec.training.epochs, spec.training.epochs);
  const prior = new Map((resume?.trials ?? []).map((s) => [`${s.repeat}/${s.fold}`, s]));
  const states: TrialState[] = [];
  const clock = { epochs: 0, lastEpochMs: 0 };
  let paused = false;
  let restoreBackend: (() => Promise<void>) | undefined;
  try {
    const backend = await phases.time('backend', () => trainingBackend(candidate.family, args.backend));
    restoreBackend = backend.restore;
    context.backend = backend.label;
    const inferenceMs: number[] = [];
    for (let repeat = 0; repeat < spec.evaluation.repeats; repeat++) {
      const seed = trialSeed(spec.training.seed, repeat);
      const splits = await phases.time('data', () => args.splits(repeat));
      if (splits.length === 0) throw new DataError(`repeat ${repeat}: the data layer produced no splits`);
      for (const [i, split] of splits.entries()) {
        const state = prior.get(`${repeat}/${split.fold}`);
        if (paused) {
          if (state) states.push(state);
          continue;
        }
        if (state?.record && (state.finished || state.epoch >= budget)) {
          // Scored at this budget already, or nothing left to train: its record stands.
          states.push(state);
          context.trials.push(state.record);
          context.fitSeconds += state.record.fitSeconds;
          if (state.inferenceMsPerSample !== null) inferenceMs.push(state.inferenceMsPerSample);
          continue;
        }
        const last = repeat === spec.evaluation.repeats - 1 && i === splits.length - 1;
        const result = await runTrial({
          ...(last && args.onFinalModel ? { keep: args.onFinalModel } : {}),
          spec,
          candidate,
          info: args.info,
          split,
          repeat,
          seed,
          ...(state ? { state } : {}),
          budget,
          ...(args.deadline !== undefined ? { deadline: args.deadline } : {}),
          scoring,
          ...(args.fusedDense === false ? { fused: false } : {}),
          clock,
          phases,
          ...(args.onEpoch ? { onEpoch: args.onEpoch } : {}),
          describe: (model) => {
            if (context.layers) return;
            context.layers = layerSummaries(model);
            // Summed over the layers: a Sequential's countParams builds its inner graph model first (~0.5 ms).
            context.parameterCount = model.layers.reduce((sum, l) => sum + l.countParams(), 0);
          },
          sample: (bytes) => {
            context.peakTensorBytes = Math.max(context.peakTensorBytes, bytes);
          },
        });
        states.push(result.state);
        if (result.kind === 'paused') {
          paused = true;
          continue;
        }
        context.trials.push(result.outcome.trial);
        context.fitSeconds += result.outcome.trial.fitSeconds;
        if (result.outcome.inferenceMsPerSample !== null) inferenceMs.push(result.outcome.inferenceMsPerSample);
      }
    }
    const wallSeconds = context.wallBefore + seconds(performance.now() - context.startMs);
    const checkpoint: CandidateCheckpoint = {
      schema: CHECKPOINT_SCHEMA,
      runId: args.runId,
      candidateId: candidate.id,
      startedAt: context.startedAt,
      backend: context.backend,
      parameterCount: context.parameterCount ?? null,
      layers: context.layers ?? [],
      trials: states,
      totals: {
        wallSeconds,
        tasks: resume?.totals.tasks ?? 0,
        taskSeconds: resume?.totals.taskSeconds ?? 0,
        cpuSeconds: resume?.totals.cpuSeconds ?? 0,
        peakTensorBytes: context.peakTensorBytes,
        peakRssBytes: Math.max(resume?.totals.peakRssBytes ?? 0, peakRss()),
      },
      // The caller records what it saved (onFinalModel); carried over until it saves again.
      savedModel: resume?.savedModel ?? null,
    };
    if (paused) return { status: 'paused', checkpoint };
    const values = context.trials.map((t) => t.valMetric);
    const doc: CandidateDoc = {
      schema: CANDIDATE_DOC_SCHEMA,
      runId: args.runId,
      candidate,
      status: 'succeeded',
      backend: context.backend,
      startedAt: context.startedAt,
      finishedAt: new Date().toISOString(),
      metric: {
        name: candidate.metric,
        higherIsBetter: higherIsBetter(candidate.metric as MetricName),
        mean: mean(values),
        std: sampleStd(values),
        values,
      },
      parameterCount: context.parameterCount ?? null,
      layers: context.layers ?? [],
      trials: context.trials,
      data: dataSummary(args.info),
      timing: {
        wallSeconds,
        fitSeconds: context.fitSeconds,
        samplesPerSecond: mean(context.trials.map((t) => t.samplesPerSecond)),
        inferenceMsPerSample: inferenceMs.length > 0 ? mean(inferenceMs) : null,
      },
      memory: { peakTensorBytes: context.peakTensorBytes, peakRssBytes: checkpoint.totals.peakRssBytes },
    };
    // Nothing left to train (every trial finished): no checkpoint to go on from.
    return { status: 'done', doc, checkpoint: states.every((s) => s.finished) ? null : checkpoint };
  } catch (err) {
    // Our own errors say what went wrong; anything else (a tfjs failure) fails this candidate only.
    const thrown = err instanceof LayerbenchError ? err : new CandidateError(`training failed: ${errorMessage(err)}`, err);
    failureContexts.set(thrown, context);
    throw thrown;
  } finally {
    await restoreBackend?.();
  }
}

/** The failed document of a candidate whose training threw `err` (what it had got to is kept). */
export function failedDoc(args: Pick<TrainArgs, 'runId' | 'candidate' | 'info'>, err: unknown): CandidateDoc {
  const context = typeof err === 'object' && err !== null ? failureContexts.get(err) : undefined;
  const now = new Date().toISOString();
  const base = failedCandidateDoc({
    runId: args.runId,
    candidate: args.candidate,
    error: { kind: failureKind(err), code: err instanceof LayerbenchError ? err.code : 'E_CANDIDATE', message: errorMessage(err) },
    startedAt: context?.startedAt ?? now,
    finishedAt: now,
  });
  return {
    ...base,
    backend: context?.backend ?? currentBackend() ?? 'none',
    parameterCount: context?.parameterCount ?? null,
    layers: context?.layers ?? [],
    trials: context?.trials ?? [],
    data: dataSummary(args.info),
    timing: { ...base.timing, wallSeconds: context ? context.wallBefore + seconds(performance.now() - context.startMs) : 0, fitSeconds: context?.fitSeconds ?? 0 },
    memory: { peakTensorBytes: context?.peakTensorBytes ?? 0, peakRssBytes: peakRss() },
  };
}
