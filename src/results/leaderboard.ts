/**
 * The leaderboard of a run, runs/<runId>/leaderboard.{json,csv}: built from its candidate documents by
 * the same analysis as the report (analysis.ts, the decision rule of src/stats/decision.ts), so scripts
 * get the ranking, the comparisons, the baseline, the answer and the test scores without parsing the
 * report. Its Markdown rendering (leaderboard.md) is the report's (src/report/leaderboard-text.ts).
 *
 * Ranked by the sweep's metric (mean over folds and repeats, direction from the metric), ties broken
 * by fewer parameters, then by candidate id so the order is total. `se` is the standard error of that
 * mean, Nadeau–Bengio corrected for the trials' shared training rows; `ci95` the 95 % interval on the
 * metric's scale (null with one trial). Test scores are on the held-out test split, never used for
 * choosing, each with an interval that counts the test rows' sampling error.
 *
 * `layerbench.leaderboard.v3`; v2 and v1 documents are read by `parseLeaderboard`, which lifts them to
 * v3 with the newer fields empty (v2's "≈ best" was a two-sided test and its recommendation the
 * one-standard-error rule; the lifted document keeps what they said).
 * The CSV has one row per ranked candidate and, when the run has a baseline, a last row for it
 * (`rank` empty, `candidateId` "baseline: <name>").
 *
 * Optional fields: `cost` per row and for the run (src/cost/estimate.ts, the price table's region and
 * date named); `search` for halving runs — the rounds, the candidates stopped at an earlier rung (not
 * ranked: they trained fewer epochs), what a budget left untrained, and the epochs against the grid's.
 */
import { z } from 'zod';
import { PLUS_MINUS, PLUS_MINUS_NOTE } from '../format.js';
import { OUTCOMES } from '../stats/index.js';
import { METRICS } from '../sweep/schema.js';
import type { Candidate } from '../sweep/candidate.js';
import type { SweepSpec } from '../sweep/schema.js';
import { CANDIDATE_VERDICTS } from './verdict.js';

export const LEADERBOARD_SCHEMA = 'layerbench.leaderboard.v3' as const;
export const LEADERBOARD_SCHEMA_V2 = 'layerbench.leaderboard.v2' as const;
export const LEADERBOARD_SCHEMA_V1 = 'layerbench.leaderboard.v1' as const;

/** What "±" and the intervals mean, written into every leaderboard.json. */
export const LEADERBOARD_UNCERTAINTY = `${PLUS_MINUS}: ${PLUS_MINUS_NOTE}; ci95 is the 95 % interval on the metric's scale (Wilson for accuracy, log scale for errors), null with one trial; test intervals add the test rows' sampling error`;

const interval = z.tuple([z.number(), z.number()]).nullable();

export const costCellSchema = z.object({
  usd: z.number(),
  /** Billed seconds: Lambda task seconds, or local CPU-seconds. */
  seconds: z.number(),
  cpuSeconds: z.number(),
});

export const runCostSchema = z.object({
  /** lambda: measured on Lambda; local: CPU-seconds priced as the table's Lambda memory and architecture. */
  basis: z.enum(['lambda', 'local', 'mixed', 'none']),
  region: z.string(),
  date: z.string(),
  usd: z.number(),
  trainingUsd: z.number(),
  /** Requests and state transitions outside the candidates (Plan, Aggregate, Promote, Finalize, Report). */
  overheadUsd: z.number(),
  cpuSeconds: z.number(),
  gbSeconds: z.number(),
  requests: z.number().int(),
  transitions: z.number().int(),
  /** Documents without a compute record (older, or recorded by the Catch): not in the sums. */
  unmeasured: z.number().int(),
});
export type RunCostSummary = z.infer<typeof runCostSchema>;

const computeUseSchema = z.object({ epochs: z.number(), cpuSeconds: z.number(), usd: z.number().nullable() });

export const searchSummarySchema = z.object({
  strategy: z.enum(['halving', 'hyperband']),
  eta: z.number().int(),
  budgets: z.array(z.number().int()),
  rounds: z.array(z.object({ round: z.number().int(), epochs: z.number().int(), trained: z.number().int(), promoted: z.number().int().nullable() })),
  /** Candidates that stopped at an earlier rung, best first within each rung. */
  stopped: z.array(
    z.object({
      candidateId: z.string(),
      depth: z.number().int(),
      width: z.number().int(),
      round: z.number().int(),
      epochs: z.number().int(),
      metric: z.number().nullable(),
      verdict: z.string(),
      p: z.number().nullable(),
    }),
  ),
  /** Epochs trained in all (every trial of every candidate), and what the full grid's budget is. */
  epochsTrained: z.number().int(),
  gridEpochs: z.number().int(),
  /** Why the rounds ended before the last one (search.budget, or nobody left), and what was left untrained. */
  ended: z.object({ reason: z.string(), message: z.string(), untrained: z.array(z.string()), epochs: z.number().int() }).nullable(),
  /**
   * What the search used against the full grid (src/cost/grid.ts): epochs, CPU-seconds and estimated
   * dollars (null without prices); the grid's are estimated from what the candidates measured. Absent
   * in leaderboards written before it existed.
   */
  compute: z
    .object({
      used: computeUseSchema,
      grid: computeUseSchema,
      /** Candidates without a compute record, in neither side. */
      unmeasured: z.number().int(),
    })
    .optional(),
});
export type SearchSummary = z.infer<typeof searchSummarySchema>;

/**
 * A score on the held-out test split — never used for choosing: the mean over the candidate's trial
 * models (n of them), or the final model's (n 1). `ci95` counts the test rows' sampling error (and, for
 * trial models, their retraining spread); null where the documents keep no per-row results (older runs).
 */
export const testScoreSchema = z.object({
  metric: z.number(),
  se: z.number().nullable(),
  ci95: interval,
  n: z.number().int(),
  rows: z.number().int(),
});
export type LeaderboardTest = z.infer<typeof testScoreSchema>;

export const leaderboardRowSchema = z.object({
  rank: z.number().int(),
  candidateId: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  units: z.array(z.number().int()),
  params: z.number().int().nullable(),
  /** The ranking metric on validation data over folds × repeats: mean, corrected se, std over trials, 95 % interval. */
  metric: z.object({ mean: z.number(), se: z.number().nullable(), std: z.number().nullable(), ci95: interval, n: z.number().int() }),
  /**
   * Against the best: the paired (Nadeau–Bengio corrected) test, or Welch's where trials could not be
   * paired; `p` two-sided, `pWorse` one-sided ("worse than the best"; null in lifted v2 documents).
   */
  vsBest: z.object({ test: z.enum(['paired', 'welch']), p: z.number(), pWorse: z.number().nullable(), pairs: z.number().int().nullable() }).nullable(),
  /** "≈ best": not significantly worse than the best, the decision rule's test (true for the best); null when untestable (one trial). */
  approxBest: z.boolean().nullable(),
  /** Its place in the answer (src/results/verdict.ts), read from the flags above; absent in leaderboards written before it. */
  verdict: z.enum(CANDIDATE_VERDICTS).optional(),
  /** Against the baseline on the same trials; null when the run has none. */
  vsBaseline: z
    .object({
      verdict: z.enum(['beats', 'not-clearly-better', 'better-untested', 'does-not-beat']),
      /** Candidate minus baseline, mean over the shared trials, and its 95 % interval (null without a test). */
      difference: z.number(),
      ci95: interval,
      /** One-sided p-value of "better than the baseline" (v2: two-sided). */
      p: z.number().nullable(),
    })
    .nullable(),
  /** Its trial models on the test split (never used for choosing); null without a test split. */
  test: testScoreSchema.nullable(),
  /** Mean epochs trained per trial. */
  epochs: z.number(),
  /** Time inside training, all trials. */
  fitSeconds: z.number(),
  samplesPerSecond: z.number().nullable(),
  backend: z.string(),
  /** Estimated cost of training the candidate (all its tasks); null without a compute record. */
  cost: costCellSchema.nullable().optional(),
});
export type LeaderboardRow = z.infer<typeof leaderboardRowSchema>;

export const failedRowSchema = z.object({ candidateId: z.string(), depth: z.number().int(), width: z.number().int(), reason: z.string() });
export type FailedRow = z.infer<typeof failedRowSchema>;

export const leaderboardSchema = z.object({
  schema: z.literal(LEADERBOARD_SCHEMA),
  runId: z.string(),
  sweep: z.string(),
  dataset: z.object({ key: z.string(), version: z.string() }),
  metric: z.object({ name: z.enum(METRICS), higherIsBetter: z.boolean(), unit: z.string().nullable() }),
  uncertainty: z.string(),
  candidates: z.number().int(),
  rows: z.array(leaderboardRowSchema),
  failed: z.array(failedRowSchema),
  /** The model without a network on the same splits (runs/<id>/baseline.json); null for runs without one. */
  baseline: z
    .object({
      name: z.string(),
      description: z.string(),
      /** Mean validation score over the trials. */
      metric: z.number(),
      se: z.number().nullable(),
      ci95: interval,
      n: z.number().int(),
      /** Fitted on all non-test rows, scored on the test split. */
      test: z.object({ metric: z.number(), rows: z.number().int() }).nullable(),
    })
    .nullable(),
  /** The best-ranked candidate and its test score. */
  best: z.object({ candidateId: z.string(), test: testScoreSchema.nullable() }).nullable(),
  /** What kind of answer the run gives, in words and as data (src/stats/decision.ts, src/results/verdict.ts). */
  answer: z.object({
    outcome: z.enum(OUTCOMES),
    headline: z.string(),
    reason: z.string().nullable(),
    /** What to try next, each naming the setting. */
    next: z.array(z.string()),
    /** The recommendation at the end of a grid axis, and the values worth trying. */
    edges: z.array(z.object({ axis: z.enum(['depth', 'width']), side: z.enum(['upper', 'lower']), values: z.array(z.number().int()) })),
    /** Outcome undecided: the smaller candidate the data cannot decide, its gap to the best and the trials that would resolve it (null: more rows needed). */
    needed: z.object({ candidateId: z.string(), gap: z.number(), trials: z.number().int().nullable() }).nullable(),
    /** The decision rule, stated. */
    rule: z.string(),
    /**
     * What the answer leads with, each one plain sentence: the held-out test contradicting the choice
     * (the recommendation below the baseline on the test rows), or unable to confirm that it beats the
     * baseline as validation found (src/results/verdict.ts testWords). Absent in older leaderboards.
     */
    warnings: z.array(z.string()).optional(),
  }),
  /** The candidate to use (null when the outcome is baseline or none). */
  recommended: z
    .object({
      candidateId: z.string(),
      reason: z.string(),
      /** Its trial models on the test split. */
      test: testScoreSchema.nullable(),
      /** The final model (runs/<id>/model/final.json) on the test split, once Finalize has written it. */
      finalTest: testScoreSchema.nullable(),
      /**
       * Its test score (the final model's, else its trial models') against the baseline's on the same
       * test rows (src/results/analysis.ts testVsBaseline); null without one. Absent in older leaderboards.
       */
      testVsBaseline: z
        .object({
          verdict: z.enum(['worse', 'not-better', 'better']),
          test: z.enum(['paired', 'interval', 'none']),
          source: z.enum(['final model', 'trial models']),
          metric: z.number(),
          baseline: z.number(),
          rows: z.number().int(),
          /** One-sided p-values of "worse than the baseline" and "better"; null unless paired. */
          pWorse: z.number().nullable(),
          pBetter: z.number().nullable(),
        })
        .nullable()
        .optional(),
    })
    .nullable(),
  /** Outcome baseline: why no network is recommended; null otherwise. */
  noRecommendation: z.string().nullable(),
  /** The run's estimated cost; absent in older leaderboards. */
  cost: runCostSchema.optional(),
  /** Halving and hyperband runs: rounds, rungs and epochs saved; absent otherwise. */
  search: searchSummarySchema.optional(),
  generatedAt: z.string(),
});
export type Leaderboard = z.infer<typeof leaderboardSchema>;

/** What a leaderboard is built for: the run, its sweep and dataset, and the planned candidates. */
export interface LeaderboardSource {
  runId: string;
  sweep: SweepSpec;
  dataset: { key: string; version: string };
  candidates: Pick<Candidate, 'id' | 'depth' | 'width'>[];
}

/** A candidate with no document, and why (what the Map's Catch reported, or that nothing was). */
export interface MissingResult {
  candidateId: string;
  reason: string;
}
