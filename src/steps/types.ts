/**
 * The small JSON the workflow's states carry, each payload a zod schema and its type side by side.
 * Every step parses its input with its schema at the boundary (parsePayload): a bad payload is one
 * line naming the field. Never metric arrays: Step Functions payloads are capped at 256 KiB, so states
 * pass run ids, candidate ids and keys, and the documents live in the store. The state names and the
 * Promote marker are in src/workflow/contract.ts, which re-exports these types.
 */
import { z } from 'zod';
import { SpecError } from '../errors.js';
import { candidateSchema } from '../sweep/candidate.js';
import type { PhaseSeconds } from '../train/phases.js';
import { RUN_ID, TRIGGERS } from '../results/manifest.js';

/** A run id or a candidate id: one key segment (letters, digits, '.', '_', '-'). */
const segment = (what: string) => z.string().regex(RUN_ID, `must be a ${what}: letters, digits, ".", "_" or "-" (at most 128)`);
const count = z.number().int().nonnegative();
/** What a Catch leaves at its ResultPath: Step Functions' Error and Cause. */
const caughtErrorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

/**
 * A payload as passed on: a field a newer step adds (to a run, to an item) passes through the states
 * in between and reaches the step that reads it (the schemas name the fields the steps read; the types
 * stay exact).
 */
const passedOn = <S extends z.ZodObject>(schema: S) => schema.loose() as unknown as S;

/**
 * Execution input. From the CLI: a sweep key (or an inline spec). From an upload: the object's key and
 * ETag. From the nightly schedule: trigger 'schedule' and no key (every registered sweep runs).
 */
export const planInputSchema = z.object({
  trigger: z.enum(TRIGGERS).optional(),
  /** `sweeps/<name>.json` (run that sweep) or `datasets/…` (re-run every registered sweep that uses it). */
  key: z.string().min(1).optional(),
  /** Object version tag from the upload event; with `key` it makes the run id, so a duplicated event is a no-op. */
  etag: z.string().min(1).optional(),
  /** Force a run id (CLI). */
  runId: segment('run id').optional(),
  /** Resuming: train every failed candidate again (by default only transient and crashed failures are). */
  retryFailed: z.boolean().optional(),
});
export type PlanInput = z.infer<typeof planInputSchema>;

export const runRefSchema = z.object({
  runId: segment('run id'),
  sweep: z.string().min(1),
  candidates: count,
  /** The run existed before this execution (a duplicated upload event): nothing is trained or re-ranked. */
  duplicate: z.boolean().optional(),
});
export type RunRef = z.infer<typeof runRefSchema>;

/** One Map item: one candidate of one run. */
export const workItemSchema = z.object({
  runId: segment('run id'),
  candidateId: segment('candidate id'),
  /** Resuming: the candidate's document exists (failed or unreadable) and is to be replaced. */
  retrain: z.boolean().optional(),
  /** Halving runs: the round this item trains in (to that round's epoch budget, runs/<id>/halving.json). */
  round: count.optional(),
  /**
   * With `round`: whether it is the search's last planned round (the strategy says so, src/search/).
   * false: the candidate either goes on from its checkpoint or stops at this rung, unranked — its task
   * may skip what only ranked candidates need (saving the model, scoring the test split); Promote needs
   * only the validation trials. true, or absent (a search of one round, an item written before this
   * field): a candidate's last training, which does everything. A run whose `search.budget` ends the
   * rounds early ranks the candidates of a non-final round, without what their tasks skipped.
   */
  final: z.boolean().optional(),
  /** The candidate itself, so that Train need not read run.json (every candidate of the run); absent in older items and Promote's. */
  candidate: candidateSchema.optional(),
  /**
   * A learning curve's item (spec learningCurve, src/results/learning-curve.ts): train the candidate on
   * this fraction of each split's training rows — same repeats, folds and validation rows — and write it
   * as the curve's point (runs/<id>/curve/<candidateId>/<fraction>.json), not as the candidate's document.
   */
  fraction: z.number().gt(0).lt(1).optional(),
});
export type WorkItem = z.infer<typeof workItemSchema>;

/** The Plan state's output. The items themselves are in the store, where the Map's ItemReader reads them. */
export interface PlanOutput {
  runs: RunRef[];
  /** The store key of this plan's work items: a JSON array of WorkItem (`plans/<planId>.json`). */
  itemsKey: string;
  /** How many items that array holds. */
  itemCount: number;
  /** Registered sweeps a fan-out trigger (dataset upload, schedule) could not run, with the reason. */
  skipped?: { key: string; reason: string }[];
  /** Documents of a resumed run that could not be read (their candidates are trained again). */
  warnings?: string[];
}

/** What the Plan step returns to its caller: the state's output and, in memory, the items it wrote. */
export interface PlanResult extends PlanOutput {
  items: WorkItem[];
}

/** What the Train handler returns; the state machine discards it (the document is in the store). */
export interface TrainOutput extends WorkItem {
  /** continue: the task checkpointed before training.maxTaskSeconds or its timeout; Promote puts its item in the Map's next pass. */
  status: 'succeeded' | 'failed' | 'skipped' | 'continue';
  /** Where the task's time went, in seconds per phase (src/train/phases.ts); for benchmarks and logs. */
  phases?: PhaseSeconds;
}

/** Train's input: a Map item, or the item of a task that handed over (status "continue", re-queued by Promote). */
export const trainInputSchema = passedOn(workItemSchema.extend({ status: z.literal('continue').optional() }));

/** RecordFailure's input: what the Map's Catch leaves for a candidate whose task failed outright (timeout, crash, retries spent). */
export const caughtFailureSchema = passedOn(workItemSchema.extend({ status: z.literal('continue').optional(), error: caughtErrorSchema }));
export type CaughtFailure = z.infer<typeof caughtFailureSchema>;

/**
 * Aggregate reads the runs (their documents are listed from the store) and the item list the Map just
 * trained, which it deletes: nothing reads it again.
 */
export const aggregateInputSchema = z.object({ runs: z.array(passedOn(runRefSchema)), itemsKey: z.string().min(1).optional() });
export type AggregateInput = z.infer<typeof aggregateInputSchema>;

/** A run worse than the sweep's previous run beyond noise (src/report/history.ts compareWithHistory). */
export const regressionSchema = z.object({
  previousRunId: z.string(),
  metric: z.string(),
  previous: z.number(),
  current: z.number(),
  /** The noise threshold the drop exceeded. */
  threshold: z.number(),
  message: z.string(),
});
export type Regression = z.infer<typeof regressionSchema>;

/** One run after Aggregate (leaderboard, best, recommendation) and, once Report ran, its report and history. */
export const runSummarySchema = z.object({
  runId: segment('run id'),
  sweep: z.string().min(1),
  leaderboardKey: z.string().min(1),
  succeeded: count,
  failed: count,
  best: z.object({ candidateId: z.string(), metric: z.string(), value: z.number() }).optional(),
  /** Left as it was: the run was planned by an earlier execution. */
  duplicate: z.boolean().optional(),
  /**
   * The candidate the decision rule recommends (src/stats/decision.ts: the smallest "≈ best" among those
   * that beat the baseline), chosen by Aggregate; absent when no candidate beats the baseline.
   */
  recommended: z.string().optional(),
  /**
   * The final model (set by Finalize): its final.json, whether the refit succeeded, and why not. `code`
   * is final.json's error code: E_NO_RECOMMENDATION when there was nothing to refit (no candidate beats
   * the baseline, or none succeeded) — the run's answer, not a failure. Summaries written before the
   * field have no code.
   */
  finalModel: z.object({ key: z.string(), status: z.enum(['succeeded', 'failed']), code: z.string().optional(), error: z.string().optional() }).optional(),
  /** runs/<runId>/report.html (set by Report). */
  reportKey: z.string().optional(),
  /** Where the sweep's history is recorded (set by Report). */
  historyKey: z.string().optional(),
  /** Set by Report when the run's best metric is worse than the previous run's beyond noise. */
  regression: regressionSchema.optional(),
  /** Documents of earlier runs that could not be read and were left out (a broken history record), one line each. */
  warnings: z.array(z.string()).optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export interface AggregateOutput {
  runs: RunSummary[];
  /** A halving run has a round left: the Choice after Aggregate goes to Promote (always present: the Choice reads it). */
  promote: boolean;
}

/** Promote: the runs Aggregate passed on (`{ step: "promote", runs }` in the deployed payload). */
export const promoteInputSchema = z.object({ runs: z.array(z.union([passedOn(runSummarySchema), passedOn(runRefSchema)])) });
export type PromoteInput = z.infer<typeof promoteInputSchema>;

/** Finalize: Aggregate's runs in, the same runs with their final model out. */
export const finalizeInputSchema = z.object({ runs: z.array(passedOn(runSummarySchema)) });
export type FinalizeInput = z.infer<typeof finalizeInputSchema>;

export interface FinalizeOutput {
  runs: RunSummary[];
}

/**
 * Report reads what Aggregate and Finalize passed on: the runs, and — when the Finalize state failed
 * outright (its retries spent, a timeout) and its Catch passed Aggregate's runs on — that error.
 */
export const reportInputSchema = z.object({ runs: z.array(passedOn(runSummarySchema)), finalizeError: caughtErrorSchema.optional() });
export type ReportInput = z.infer<typeof reportInputSchema>;

/** The execution's output: every run with its leaderboard, report and history keys. */
export interface ReportOutput {
  runs: RunSummary[];
}

/**
 * A step's input parsed with its schema at the boundary: the parsed payload, or a SpecError (fatal, one
 * line) naming the step and the first bad field — `Train input.candidateId: must be a candidate id: …`.
 */
export function parsePayload<T>(schema: z.ZodType<T>, input: unknown, step: string): T {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new SpecError(`${step} input${path}: ${issue.message}`);
}
