/**
 * The one price table layerbench estimates costs with: AWS list prices in us-east-1, as checked in
 * 2026-11 (the Lambda prices against a stored copy of aws.amazon.com/lambda/pricing; Step Functions
 * Standard and Express as last published to our knowledge). Prices change and differ by region: override any of
 * them — stack context `prices` (JSON) for the deployed functions, `layerbench run --prices` locally.
 *
 * `memoryMb`, `architecture` and `mapExecution` say what a local run is priced as: the CPU-seconds of a local worker
 * billed as the seconds of a Lambda function of that memory and architecture (the deployed Train
 * function's defaults: 2,048 MB, arm64 for the zip runtime, in the Map's Express children). A deployed
 * candidate records its memory and architecture; the stack passes its Map's execution type here.
 */
import { z } from 'zod';
import { SpecError } from '../errors.js';

export const ARCHITECTURES = ['arm64', 'x86_64'] as const;

export const priceTableSchema = z
  .object({
    /** Where and when the prices were read. */
    region: z.string().min(1),
    date: z.string().min(1),
    /** Lambda duration, USD per GB-second. */
    lambdaGbSecondArm64: z.number().nonnegative(),
    lambdaGbSecondX86: z.number().nonnegative(),
    /** Lambda, USD per request. */
    lambdaRequest: z.number().nonnegative(),
    /** Step Functions Standard, USD per state transition. */
    stateTransition: z.number().nonnegative(),
    /** Step Functions Express, USD per execution (request). */
    expressRequest: z.number().nonnegative(),
    /** Step Functions Express, USD per GB-second of an execution's duration (the first tier; billed per 100 ms and 64 MB). */
    expressGbSecond: z.number().nonnegative(),
    /** How the Map's children run (infra/workflow.ts): what a local run is priced as, and a deployed one's default. */
    mapExecution: z.enum(['express', 'standard']),
    /** What a local run's CPU-seconds are priced as. */
    memoryMb: z.number().int().min(128).max(10_240),
    architecture: z.enum(ARCHITECTURES),
  })
  .strict();
export type PriceTable = z.infer<typeof priceTableSchema>;

export const PRICES: PriceTable = {
  region: 'us-east-1',
  date: '2026-11',
  lambdaGbSecondArm64: 0.0000133334,
  lambdaGbSecondX86: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  stateTransition: 0.025 / 1000,
  expressRequest: 1 / 1e6,
  expressGbSecond: 0.00001667,
  mapExecution: 'express',
  memoryMb: 2048,
  architecture: 'arm64',
};

export const priceOverridesSchema = priceTableSchema.partial().strict();
export type PriceOverrides = z.infer<typeof priceOverridesSchema>;

/** The table with `overrides` applied; overriding a price without saying where from marks the region "custom". */
export function priceTable(overrides: PriceOverrides = {}): PriceTable {
  const changed = Object.keys(overrides).some((k) => k !== 'memoryMb' && k !== 'architecture' && k !== 'mapExecution' && k !== 'region' && k !== 'date');
  return { ...PRICES, ...(changed ? { region: 'custom', date: 'as given' } : {}), ...overrides };
}

/** Overrides from JSON text (a CLI option, stack context, an environment variable); a SpecError names `source` and the field. */
export function parsePriceOverrides(text: string, source: string): PriceOverrides {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SpecError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = priceOverridesSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.join('.');
    throw new SpecError(
      `${source}: ${at ? `${at}: ` : ''}${issue.code === 'unrecognized_keys' ? `unknown price ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; known: ${Object.keys(PRICES).join(', ')}` : issue.message}`,
    );
  }
  return parsed.data;
}
