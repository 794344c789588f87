/**
 * The result document of one candidate: small, versioned JSON, one per candidate, at
 * runs/<runId>/candidates/<id>.json. Old runs stay readable because the schema is named and versioned.
 */
import { z } from 'zod';
import { candidateSchema, type Candidate } from '../search/candidates.js';
import { higherIsBetter, type MetricName } from '../spec/schema.js';

export const CANDIDATE_DOC_SCHEMA = 'layerbench.candidate.v1' as const;

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
  test: z.object({ metric: z.number(), loss: z.number(), rows: z.number().int() }).optional(),
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
  error: z
    .object({ kind: z.enum(['fatal', 'candidate', 'transient']), code: z.string(), message: z.string() })
    .optional(),
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
    /** Peak resident set size of the process. */
    peakRssBytes: z.number(),
  }),
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
export function failedCandidateDoc(args: {
  runId: string;
  candidate: Candidate;
  error: NonNullable<CandidateDoc['error']>;
  startedAt: string;
  finishedAt: string;
}): CandidateDoc {
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
