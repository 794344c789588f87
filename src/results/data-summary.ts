/**
 * What was done to the data, told: the `data` field of a run's manifest (runs/<runId>/run.json),
 * written by Plan before anything is trained, rendered by the CLI and the report ("Data" section).
 *
 * Contract between the data layer (producer) and the report/CLI (consumers). Fields are facts, not
 * prose, so every consumer words them its own way.
 */
import { z } from 'zod';

export const DATA_SUMMARY_SCHEMA = 'layerbench.data.v2' as const;
/** v1 summaries (runs planned before column roles and time order) read as they are: without `columns`, `order` and `validationRule`. */
export const DATA_SUMMARY_SCHEMA_V1 = 'layerbench.data.v1' as const;

/** What a column of the file became (src/data/roles.ts). */
export const COLUMN_ROLES = ['target', 'order', 'numeric', 'categorical', 'date', 'identifier', 'text', 'empty', 'excluded', 'unused'] as const;

/** One input feature as the network sees it, in input order (before one-hot expansion). */
export const featureSummarySchema = z.discriminatedUnion('kind', [
  /** Standardised with training-only mean and std; `imputed` cells got the training median. */
  z.object({ kind: z.literal('numeric'), name: z.string(), imputed: z.number().int().default(0), indicator: z.boolean().default(false) }),
  /**
   * One-hot over `categories` in encoding order ("(missing)" is a category when missing cells were
   * imputed). v2: `levels`, when the column is capped — it has that many distinct values, and
   * `categories` are the most frequent in the development rows then "(other)".
   */
  z.object({
    kind: z.literal('categorical'),
    name: z.string(),
    categories: z.array(z.string()),
    imputed: z.number().int().default(0),
    levels: z.number().int().optional(),
  }),
  /** v2: a column of dates as cyclic inputs: `parts` in input order (`year_sin`, …), each standardised. */
  z.object({ kind: z.literal('date'), name: z.string(), parts: z.array(z.string()), imputed: z.number().int().default(0) }),
  /** Image arrays: the sample shape and how pixels were scaled (e.g. uint8 / 255). */
  z.object({ kind: z.literal('image'), name: z.string(), shape: z.array(z.number().int()), scale: z.string() }),
  /** Forecast series columns (standardised with the training period's statistics). */
  z.object({ kind: z.literal('series'), name: z.string(), target: z.boolean() }),
]);
export type FeatureSummary = z.infer<typeof featureSummarySchema>;

export const dataSummarySchema = z.object({
  schema: z.enum([DATA_SUMMARY_SCHEMA_V1, DATA_SUMMARY_SCHEMA]),
  source: z.string(),
  format: z.enum(['csv', 'npy', 'npz']),
  /** Data rows (samples for arrays) in the file. */
  rowsRead: z.number().int(),
  /** Rows kept for training, validation and test. */
  rowsUsed: z.number().int(),
  /** How missing cells were handled (`dataset.missing`). */
  missing: z.enum(['impute', 'drop', 'error']),
  /** Rows dropped, and per column how many of them had a missing cell there. */
  dropped: z.object({ rows: z.number().int(), byColumn: z.record(z.string(), z.number().int()) }),
  /** Cells imputed per column (0 or absent when none). */
  imputed: z.record(z.string(), z.number().int()),
  /** Columns left out, and why (identifier, free text, listed in dataset.exclude, every cell missing, …). */
  excluded: z.array(z.object({ column: z.string(), reason: z.string() })),
  /** v2, CSV: every column of the file, what it became and why; `order` marks the column that orders rows in time. */
  columns: z.array(z.object({ name: z.string(), role: z.enum(COLUMN_ROLES), reason: z.string(), order: z.boolean().optional() })).optional(),
  /**
   * v2: how rows were split — "time" (validation and test rows always later than the rows a model
   * trains on; `column` orders them, null: the file's row order) or "random" — and why; `signs` are the
   * reasons the rows look time-ordered (columns of dates, a column that only rises, a target correlated
   * from row to row), whichever way they were split.
   */
  order: z
    .object({
      kind: z.enum(['time', 'random']),
      column: z.string().nullable(),
      reason: z.string(),
      signs: z.array(z.string()),
    })
    .optional(),
  /** The inputs in order. */
  features: z.array(featureSummarySchema),
  /** Width of one encoded sample (after one-hot and indicator columns). */
  encodedWidth: z.number().int(),
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('classes'), name: z.string(), counts: z.record(z.string(), z.number().int()) }),
    z.object({
      kind: z.literal('numeric'),
      name: z.string(),
      mean: z.number(),
      std: z.number(),
      min: z.number(),
      max: z.number(),
      unit: z.string().optional(),
      /** Forecast: what the target is (the column's level, or its change). */
      describes: z.string().optional(),
    }),
  ]),
  splits: z.object({
    /** Rows (or windows) held out as the test split, never used for choosing; 0 when evaluation.test is 0. */
    test: z.number().int(),
    /** How the test rows were chosen: "stratified random 20 %", "the latest 20 % of rows in time". */
    testRule: z.string(),
    /** v2: how the other rows were split into training and validation. */
    validationRule: z.string().optional(),
    /** Mean training and validation rows per trial. */
    train: z.number(),
    validation: z.number(),
    trials: z.number().int(),
  }),
  /** Warnings the user should read (many rows dropped, rows that look time-ordered split at random, …), one sentence each. */
  warnings: z.array(z.string()),
});
export type DataSummary = z.infer<typeof dataSummarySchema>;
