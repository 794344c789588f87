/**
 * The result document of one candidate: small, versioned JSON, one per candidate, at
 * runs/<runId>/candidates/<id>.json. Old runs stay readable because the schema is named and versioned.
 */
import { z } from 'zod';
import { computeSchema } from '../cost/compute.js';
import { errorMessage } from '../errors.js';
import { candidateSchema, type Candidate } from '../sweep/candidate.js';
import { higherIsBetter, type MetricName } from '../sweep/schema.js';
import { getText, type Store } from '../store/store.js';

export const CANDIDATE_DOC_SCHEMA = 'layerbench.candidate.v1' as const;

/**
 * Why a candidate failed, as far as it reaches:
 *  - `candidate`: this candidate cannot train (NaN loss, a tfjs failure); training it again fails again.
 *  - `fatal`: the run's input was wrong when the candidate trained (the data changed, a bad document).
 *  - `transient`: the store or the service failed and retries were spent (an outage, throttling).
 *  - `crashed`: the process training it died (killed, out of memory, a native crash).
 *  - `timeout`: it trained longer than the task may run.
 * Documents written before `crashed` and `timeout` existed say `candidate` for both.
 */
export const FAILURE_KINDS = ['fatal', 'candidate', 'transient', 'crashed', 'timeout'] as const;
export type CandidateFailureKind = (typeof FAILURE_KINDS)[number];

/** Failures that say nothing about the candidate: resuming a run (`run --run-id`) trains them again. */
export const RETRIED_ON_RESUME: readonly CandidateFailureKind[] = ['transient', 'crashed'];

/** Error names (a Step Functions Catch's `Error`) of a task whose process died: ours locally, Lambda's in the cloud. */
const CRASH_ERRORS = new Set(['WorkerCrashedError', 'Lambda.Unknown', 'Runtime.ExitError', 'Sandbox.Timedout']);
/** Names of our fatal errors (errors.ts), as a Catch reports them. */
const FATAL_ERRORS = new Set(['LayerbenchError', 'SpecError', 'DataError', 'NotFoundError', 'StoreError']);

/** The failure kind of a task the Map's Catch reported, from its error name. */
export function caughtFailureKind(errorName: string): CandidateFailureKind {
  if (errorName === 'TransientError' || (errorName.startsWith('Lambda.') && !CRASH_ERRORS.has(errorName))) return 'transient';
  if (errorName === 'States.Timeout') return 'timeout';
  if (CRASH_ERRORS.has(errorName)) return 'crashed';
  return FATAL_ERRORS.has(errorName) ? 'fatal' : 'candidate';
}

/**
 * A model's per-row results on the test split, summed over blocks of rows (src/stats/intervals.ts,
 * RowBlocks): what the test interval's sampling error is computed from. Absent in older documents.
 */
export const rowBlocksSchema = z.object({
  order: z.enum(['time', 'random']),
  size: z.number().int().min(1),
  sums: z.array(z.number()),
});

export const epochRecordSchema = z.object({
  epoch: z.number().int(),
  loss: z.number(),
  metric: z.number(),
  valLoss: z.number(),
  valMetric: z.number(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

/** One training run of the candidate: one fold of one repeat. */
export const trialSchema = z.object({
  fold: z.number().int(),
  repeat: z.number().int(),
  seed: z.number().int(),
  trainRows: z.number().int(),
  valRows: z.number().int(),
  epochs: z.array(epochRecordSchema),
  /** 1-based epoch whose weights were kept (best monitored value, or the last epoch). */
  bestEpoch: z.number().int(),
  stoppedEarly: z.boolean(),
  /** The ranking metric on the validation split with the kept weights (original units). */
  valMetric: z.number(),
  /**
   * The kept weights' per-row results on the validation split as block sums (like test.blocks): the
   * sampling error of validation rows that several trials share (repeats over one split). Absent in
   * older documents.
   */
  valBlocks: rowBlocksSchema.optional(),
  valLoss: z.number(),
  /** The ranking metric on the training split at the kept weights. */
  trainMetric: z.number(),
  fitSeconds: z.number(),
  samplesPerSecond: z.number(),
  /**
   * The ranking metric and loss of this trial's kept weights on the held-out test split (original
   * units). Never used for early stopping, ranking or the recommendation; absent when there is no
   * test split (evaluation.test 0) and in documents written before it existed.
   */
  test: z.object({ metric: z.number(), loss: z.number(), rows: z.number().int(), blocks: rowBlocksSchema.optional() }).optional(),
  /**
   * A fingerprint of the trial's training, validation and test samples: every candidate of a run (and
   * the baseline) trained at the same (repeat, fold) has the same one. Absent in older documents.
   */
  split: z.string().optional(),
});
export type Trial = z.infer<typeof trialSchema>;

export const layerSummarySchema = z.object({
  type: z.string(),
  outputShape: z.array(z.number().nullable()),
  params: z.number().int(),
  /** Keras-relevant settings: units, filters, kernelSize, activation, returnSequences, rate, poolSize. */
  config: z.record(z.string(), z.unknown()),
});
export type LayerSummary = z.infer<typeof layerSummarySchema>;

export const candidateDocSchema = z.object({
  schema: z.literal(CANDIDATE_DOC_SCHEMA),
  runId: z.string(),
  candidate: candidateSchema,
  status: z.enum(['succeeded', 'failed']),
  /** Set when status is failed. */
  error: z.object({ kind: z.enum(FAILURE_KINDS), code: z.string(), message: z.string() }).optional(),
  backend: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  metric: z.object({
    name: z.string(),
    higherIsBetter: z.boolean(),
    /** Mean of valMetric over trials. */
    mean: z.number().nullable(),
    std: z.number().nullable(),
    values: z.array(z.number()),
  }),
  parameterCount: z.number().int().nullable(),
  layers: z.array(layerSummarySchema),
  trials: z.array(trialSchema),
  data: z
    .object({
      rows: z.number().int(),
      droppedRows: z.number().int(),
      inputShape: z.array(z.number()),
      targetDim: z.number().int(),
      classes: z.array(z.string()).optional(),
    })
    .nullable(),
  timing: z.object({
    /** Wall time of the whole candidate (data prep, all trials, evaluation, writing). */
    wallSeconds: z.number(),
    /** Time inside model.fit. */
    fitSeconds: z.number(),
    /** Mean training throughput over trials. */
    samplesPerSecond: z.number().nullable(),
    /** Inference latency per sample, batch predict on the validation split. */
    inferenceMsPerSample: z.number().nullable(),
  }),
  memory: z.object({
    /** Peak tfjs bytes in use during training. */
    peakTensorBytes: z.number(),
    /** Peak resident set size while this candidate trained (see peakRssScope). */
    peakRssBytes: z.number(),
    /**
     * What peakRssBytes covers: `candidate` when the process's peak was reset as the candidate started
     * (Linux), `process` when it is the peak of the process's whole life so far. Absent in documents
     * written before it existed (those are `process`).
     */
    peakRssScope: z.enum(['candidate', 'process']).optional(),
  }),
  /**
   * What training used, over every Train task that worked on the candidate (every halving rung, every
   * continuation after training.maxTaskSeconds): the cost estimate's input (src/cost/estimate.ts).
   * Absent in documents written before it existed and in failed documents written by RecordFailure.
   */
  compute: computeSchema.optional(),
  /** Halving runs: the round this document is from and the epochs it trained to (each trial, in all). */
  rung: z.object({ round: z.number().int(), epochs: z.number().int(), rounds: z.number().int() }).optional(),
  /** Store key of the saved tfjs model (model.json) of the last trial, if saved. */
  modelKey: z.string().optional(),
  /**
   * What the saved model is: the kept weights of one trial (the last: repeat, fold), trained on
   * `trainRows` samples, with the preprocessing fitted on those samples beside it. Not a model refit on
   * all the data (that is runs/<runId>/model/). Absent in older documents.
   */
  savedModel: z
    .object({
      modelKey: z.string(),
      preprocessingKey: z.string(),
      repeat: z.number().int(),
      fold: z.number().int(),
      trainRows: z.number().int(),
      /** The epoch whose weights were kept. */
      epoch: z.number().int(),
    })
    .optional(),
});
export type CandidateDoc = z.infer<typeof candidateDocSchema>;

/**
 * A failed candidate's document with nothing measured: what a candidate that crashed before training
 * reports. Callers that know more (the backend, finished trials) override the fields they have.
 */
export function failedCandidateDoc(args: { runId: string; candidate: Candidate; error: NonNullable<CandidateDoc['error']>; startedAt: string; finishedAt: string }): CandidateDoc {
  const metric = args.candidate.metric as MetricName;
  return {
    schema: CANDIDATE_DOC_SCHEMA,
    runId: args.runId,
    candidate: args.candidate,
    status: 'failed',
    error: args.error,
    backend: 'none',
    startedAt: args.startedAt,
    finishedAt: args.finishedAt,
    metric: { name: metric, higherIsBetter: higherIsBetter(metric), mean: null, std: null, values: [] },
    parameterCount: null,
    layers: [],
    trials: [],
    data: null,
    timing: { wallSeconds: 0, fitSeconds: 0, samplesPerSecond: null, inferenceMsPerSample: null },
    memory: { peakTensorBytes: 0, peakRssBytes: 0 },
  };
}

/** A candidate document as read from the store: parsed, or why it could not be (the key named). */
export type CandidateDocRead = { ok: true; doc: CandidateDoc } | { ok: false; reason: string };

/**
 * Read one candidate document without throwing on its content: a truncated or foreign file is reported
 * (so a run can count it as missing and train the candidate again), while a store failure still throws.
 */
export async function readCandidateDoc(store: Store, key: string): Promise<CandidateDocRead> {
  const text = await getText(store, key);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `${key}: unreadable (${text.trim() === '' ? 'empty' : `not JSON: ${errorMessage(err)}`})` };
  }
  const parsed = candidateDocSchema.safeParse(value);
  if (parsed.success) return { ok: true, doc: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, reason: `${key}: not a ${CANDIDATE_DOC_SCHEMA} document (${issue.path.join('.') || '(root)'}: ${issue.message})` };
}
