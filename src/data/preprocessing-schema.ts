/**
 * The preprocessing document, `preprocessing.json` beside every saved model: what goes into the model
 * and how raw rows become its inputs (preprocess.ts fits and applies it). Versioned:
 *  - `layerbench.preprocessing.v2` (written now) adds date parts (`from` on a numeric input), capped
 *    categoricals (`other`: the last category takes every value not listed) and `order` (the model was
 *    evaluated in time order);
 *  - `layerbench.preprocessing.v1` documents read as they are: they have none of these.
 */
import { z } from 'zod';
import { DataError } from '../errors.js';
import { MISSING_POLICIES, TASKS } from '../sweep/schema.js';
import { DATE_FORMATS, DATE_PARTS } from './dates.js';

export const PREPROCESSING_SCHEMA = 'layerbench.preprocessing.v2' as const;
export const PREPROCESSING_SCHEMA_V1 = 'layerbench.preprocessing.v1' as const;

/** The category a missing categorical cell becomes under dataset.missing "impute". */
export const MISSING_CATEGORY = '(missing)';

/** The level of a capped categorical that takes every value not among its most frequent (and any never seen in training). */
export const OTHER_CATEGORY = '(other)';

export const numericFeatureSchema = z.object({
  kind: z.literal('numeric'),
  name: z.string(),
  /** Mean and population std of the training values (after imputation); a constant column has std 1. */
  mean: z.number(),
  std: z.number().positive(),
  /** The value a missing cell gets (the training median); null when missing cells were not imputed (dataset.missing drop or error). */
  impute: z.number().nullable(),
  /** A 0/1 input follows this one: 1 where the cell was missing. */
  indicator: z.boolean(),
  /** v2: the input is one cyclic part of a date column's cells (src/data/dates.ts), read in `format`. */
  from: z.object({ column: z.string(), part: z.enum(DATE_PARTS), format: z.enum(DATE_FORMATS) }).optional(),
});
export type NumericFeature = z.infer<typeof numericFeatureSchema>;

export const categoricalFeatureSchema = z.object({
  kind: z.literal('categorical'),
  name: z.string(),
  /** One input per category, in this order ("(missing)" is one when missing cells were imputed). */
  categories: z.array(z.string()),
  /** Categories of the encoding this fit's training rows never showed: they encode as all zeros, like an unknown category. */
  inactive: z.array(z.string()).default([]),
  /**
   * v2: the column is capped — `categories` are its most frequent values in the training rows, then
   * "(missing)" when missing cells were imputed, then "(other)", which takes every other value, values
   * never seen in training included (and listed categories marked inactive).
   */
  other: z.boolean().default(false),
});
export type CategoricalFeature = z.infer<typeof categoricalFeatureSchema>;

export const tabularInputSchema = z.object({
  kind: z.literal('tabular'),
  features: z.array(z.discriminatedUnion('kind', [numericFeatureSchema, categoricalFeatureSchema])),
});

export const seriesInputSchema = z.object({
  kind: z.literal('series'),
  /** The column that orders rows in time (dates or numbers); rows are sorted by it. */
  time: z.string(),
  lookback: z.number().int().positive(),
  horizon: z.number().int().positive(),
  /** The columns each time step holds, in channel order (the targets are among them). */
  features: z.array(numericFeatureSchema),
});

export const arrayInputSchema = z.object({
  kind: z.literal('array'),
  /** The inputs array: its name in the .npz, or the .npy file it came from. */
  array: z.string(),
  /** Shape of one sample (N×H×W arrays get a channel axis of 1). */
  shape: z.array(z.number().int().positive()),
  /** The dtype of the training inputs. */
  dtype: z.string(),
  /** Every input value is multiplied by this first (1/255 for uint8 pixels, else 1). */
  scale: z.number(),
  /** 2-D inputs: per feature, (value − mean) / std; images: null. */
  standardise: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
});

export const classesTargetSchema = z.object({
  kind: z.literal('classes'),
  name: z.string(),
  /** Output order: binary's single output is P(classes[1]); multiclass softmax unit k is classes[k]. */
  classes: z.array(z.string()).min(2),
  /**
   * How a target cell becomes a label: 'number' (as a number, "1.0" is "1"), 'boolean' (true/false in
   * lower case), 'string' (as written, trimmed), 'index' (arrays: the label value, or a one-hot row's argmax).
   */
  labels: z.enum(['number', 'boolean', 'string', 'index']),
});

export const numericTargetSchema = z.object({
  kind: z.literal('numeric'),
  /** The target column(s), one per output (forecast may have several). */
  names: z.array(z.string()).min(1),
  /** Outputs are standardised: original = output × std + mean (per output). */
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
  /**
   * Forecast: an output is the target column's own value `horizon` rows after the window's last row;
   * the column holds a level, or a change from the row before (`dataset.targetIs`; layerbench does not
   * difference a column itself).
   */
  is: z.enum(['level', 'change']).optional(),
  unit: z.string().optional(),
});

export const preprocessingSchema = z.object({
  schema: z.enum([PREPROCESSING_SCHEMA_V1, PREPROCESSING_SCHEMA]),
  task: z.enum(TASKS),
  /** The training data's key and format. */
  source: z.object({ key: z.string(), format: z.enum(['csv', 'npy', 'npz']) }),
  /** dataset.missing of the training run. Cells equal to one of `missingMarkers` (ignoring case) are missing. */
  missing: z.enum(MISSING_POLICIES),
  missingMarkers: z.array(z.string()),
  /** What the statistics were learned from: samples (rows; forecast: windows) and data rows (forecast: the training period). */
  fittedOn: z.object({ samples: z.number().int(), rows: z.number().int() }),
  input: z.discriminatedUnion('kind', [tabularInputSchema, seriesInputSchema, arrayInputSchema]),
  target: z.discriminatedUnion('kind', [classesTargetSchema, numericTargetSchema]),
  /** Shape of one encoded sample: the model's input shape. */
  inputShape: z.array(z.number().int().positive()),
  /** Output units: 1 for binary and regression, the classes for multiclass, the targets for forecast. */
  outputs: z.number().int().positive(),
  /** The encoded inputs' names (tabular: `temp`, `temp (missing)`, `weather=rain`, `date.year_sin`; series: one per channel; 2-D arrays: `x[j]`). */
  encodedNames: z.array(z.string()).optional(),
  /**
   * v2, tables and arrays: the model was evaluated in time order — validation and test rows later than
   * the rows it trained on — by `column` (null: the rows' order in the file), whose cells are dates in
   * `format` or, without one, numbers. Forecasts always are.
   */
  order: z.object({ column: z.string().nullable(), format: z.enum(DATE_FORMATS).optional() }).optional(),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

/** Validate a preprocessing document; a DataError names the path of the first problem. */
export function parsePreprocessing(value: unknown, name = 'preprocessing.json'): Preprocessing {
  const r = preprocessingSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new DataError(`${name}: not a ${PREPROCESSING_SCHEMA} (or v1) document (${issue.path.join('.') || '(root)'}: ${issue.message})`);
}
