/**
 * The run's baseline, runs/<runId>/baseline.json: the score a model with no network earns on the very
 * same splits the candidates see — majority class (binary, multiclass), the training mean
 * (regression), persistence "no change" or seasonal-naive (forecast). Written by Plan; read by
 * Aggregate (candidates that do not beat it are marked) and the report.
 *
 * Contract between the data layer (producer) and the statistics/report (consumers).
 */
import { z } from 'zod';
import { rowBlocksSchema } from './document.js';

export const BASELINE_SCHEMA = 'layerbench.baseline.v1' as const;

export const BASELINE_NAMES = ['majority class', 'training mean', 'persistence', 'seasonal naive'] as const;

export const baselineDocSchema = z.object({
  schema: z.literal(BASELINE_SCHEMA),
  runId: z.string(),
  name: z.enum(BASELINE_NAMES),
  /** One sentence: what it predicts, e.g. `always "no" (57.4 % of training rows)`. */
  description: z.string(),
  metric: z.object({ name: z.string(), higherIsBetter: z.boolean() }),
  /** One value per (repeat, fold), the same pairs the candidates' trials have, in original units. */
  trials: z.array(
    z.object({
      repeat: z.number().int(),
      fold: z.number().int(),
      valMetric: z.number(),
      /** The fingerprint of the split's samples: equal to the candidates' trials[].split at the same (repeat, fold). */
      split: z.string().optional(),
    }),
  ),
  /** Mean over trials. */
  mean: z.number(),
  /**
   * Fitted on all non-test rows, scored on the test split; null when evaluation.test is 0. `blocks`: its
   * per-row results in the layout of the final model's (final.json test.blocks), so the two compare row
   * by row (src/stats/test-rows.ts); absent in older documents.
   */
  test: z.object({ metric: z.number(), rows: z.number().int(), blocks: rowBlocksSchema.optional() }).nullable(),
});
export type BaselineDoc = z.infer<typeof baselineDocSchema>;
