/**
 * The final model, runs/<runId>/model/final.json: the recommended candidate refit on all the data used
 * for choosing (never the test rows) for the number of epochs early stopping chose, then scored once
 * on the held-out test split. Written by the Finalize step; read by the report and the leaderboard.
 *
 * Contract between the Finalize step (producer) and the report/leaderboard/CLI (consumers).
 */
import { z } from 'zod';
import { rowBlocksSchema } from './document.js';

export const FINAL_MODEL_SCHEMA = 'layerbench.final.v1' as const;

export const finalModelDocSchema = z.object({
  schema: z.literal(FINAL_MODEL_SCHEMA),
  runId: z.string(),
  candidateId: z.string(),
  status: z.enum(['succeeded', 'failed']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** Epochs of the refit: the median best epoch over the candidate's trials. */
  epochs: z.number().int(),
  /** Rows the refit trained on (all non-test rows). */
  trainRows: z.number().int(),
  /** The ranking metric on the test split (original units); null when evaluation.test is 0. */
  test: z.object({ metric: z.number(), loss: z.number(), rows: z.number().int(), blocks: rowBlocksSchema.optional() }).nullable(),
  /** Keys of what was saved: model.json, weights.bin, preprocessing.json, README.md (model card). */
  keys: z.object({ model: z.string(), weights: z.string(), preprocessing: z.string(), card: z.string() }).partial(),
  backend: z.string(),
  fitSeconds: z.number(),
  finishedAt: z.string(),
  // Optional fields (added by the Finalize step; absent in failed documents):
  /** The epochs the candidate's trials kept, whose median is `epochs`. */
  bestEpochs: z.array(z.number().int()).optional(),
  parameterCount: z.number().int().optional(),
  /** The data the refit read: the run's dataset key and version. */
  dataset: z.object({ key: z.string(), version: z.string() }).optional(),
  /** How the test rows were chosen (e.g. "stratified random 20 %"), or "none". */
  testRule: z.string().optional(),
  /** The refit's training loss and metric per epoch (training mode). */
  curve: z.array(z.object({ epoch: z.number().int(), loss: z.number(), metric: z.number() })).optional(),
  /** The ranking metric on the refit's own training rows with its final weights. */
  trainMetric: z.number().optional(),
  /** Wall time of the whole step for this run: reading, refitting, scoring and saving. */
  wallSeconds: z.number().optional(),
});
export type FinalModelDoc = z.infer<typeof finalModelDocSchema>;
