/**
 * The small JSON the workflow's states carry. Never metric arrays: Step Functions payloads are capped
 * at 256 KiB, so states pass run ids, candidate ids and keys, and the documents live in the store.
 */
import type { Candidate } from '../search/candidates.js';
import type { PhaseSeconds } from '../train/phases.js';

/** Execution input. From the CLI: a sweep key (or an inline spec). From an upload: the object's key and
 * ETag. From the nightly schedule: trigger 'schedule' and no key (every registered sweep runs). */
export interface PlanInput {
  trigger?: 'cli' | 'upload' | 'schedule';
  /** `sweeps/<name>.json` (run that sweep) or `datasets/…` (re-run every registered sweep that uses it). */
  key?: string;
  /** Object version tag from the upload event; with `key` it makes the run id, so a duplicated event is a no-op. */
  etag?: string;
  /** Force a run id (CLI). */
  runId?: string;
  /** Resuming: train every failed candidate again (by default only transient and crashed failures are). */
  retryFailed?: boolean;
}

export interface RunRef {
  runId: string;
  sweep: string;
  candidates: number;
  /** The run existed before this execution (a duplicated upload event): nothing is trained or re-ranked. */
  duplicate?: boolean;
}

/** One Map item: one candidate of one run. */
export interface WorkItem {
  runId: string;
  candidateId: string;
  /** Resuming: the candidate's document exists (failed or unreadable) and is to be replaced. */
  retrain?: boolean;
  /** Halving runs: the round this item trains in (to that round's epoch budget, runs/<id>/halving.json). */
  round?: number;
  /**
   * With `round`: whether it is the search's last planned round (the strategy says so, src/search/).
   * false: the candidate either goes on from its checkpoint or stops at this rung, unranked — its task
   * may skip what only ranked candidates need (saving the model, scoring the test split); Promote needs
   * only the validation trials. true, or absent (a search of one round, an item written before this
   * field): a candidate's last training, which does everything. A run whose `search.budget` ends the
   * rounds early ranks the candidates of a non-final round, without what their tasks skipped.
   */
  final?: boolean;
  /** The candidate itself, so that Train need not read run.json (every candidate of the run); absent in older items. */
  candidate?: Candidate;
}

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
  /** continue: the task checkpointed before training.maxTaskSeconds; the Map's Choice invokes Train again with this output. */
  status: 'succeeded' | 'failed' | 'skipped' | 'continue';
  /** Where the task's time went, in seconds per phase (src/train/phases.ts); for benchmarks and logs. */
  phases?: PhaseSeconds;
}

/** RecordFailure's input: what the Map's Catch leaves for a candidate whose task failed outright (timeout, crash, retries spent). */
export interface CaughtFailure extends WorkItem {
  error: { Error?: string; Cause?: string };
}

/** Aggregate reads the runs; their documents are listed from the store. */
export interface AggregateInput {
  runs: RunRef[];
}

/** One run after Aggregate (leaderboard, best, recommendation) and, once Report ran, its report and history. */
export interface RunSummary {
  runId: string;
  sweep: string;
  leaderboardKey: string;
  succeeded: number;
  failed: number;
  best?: { candidateId: string; metric: string; value: number };
  /** Left as it was: the run was planned by an earlier execution. */
  duplicate?: boolean;
  /**
   * The candidate the decision rule recommends (src/stats/decision.ts: the smallest "≈ best" among those
   * that beat the baseline), chosen by Aggregate; absent when no candidate beats the baseline.
   */
  recommended?: string;
  /** The final model (set by Finalize): its final.json, whether the refit succeeded, and why not. */
  finalModel?: { key: string; status: 'succeeded' | 'failed'; error?: string };
  /** runs/<runId>/report.html (set by Report). */
  reportKey?: string;
  /** Where the sweep's history is recorded (set by Report). */
  historyKey?: string;
  /** Set by Report when the run's best metric is worse than the previous run's beyond noise. */
  regression?: Regression;
  /** Documents of earlier runs that could not be read and were left out (a broken history record), one line each. */
  warnings?: string[];
}

/** A run worse than the sweep's previous run beyond noise (src/report/history.ts compareWithHistory). */
export interface Regression {
  previousRunId: string;
  metric: string;
  previous: number;
  current: number;
  /** The noise threshold the drop exceeded. */
  threshold: number;
  message: string;
}

export interface AggregateOutput {
  runs: RunSummary[];
  /** A halving run has a round left: the Choice after Aggregate goes to Promote (always present: the Choice reads it). */
  promote: boolean;
}

/** Finalize: Aggregate's runs in, the same runs with their final model out. */
export interface FinalizeInput {
  runs: RunSummary[];
}

export interface FinalizeOutput {
  runs: RunSummary[];
}

/**
 * Report reads what Aggregate and Finalize passed on: the runs, and — when the Finalize state failed
 * outright (its retries spent, a timeout) and its Catch passed Aggregate's runs on — that error.
 */
export interface ReportInput {
  runs: RunSummary[];
  finalizeError?: { Error?: string; Cause?: string };
}

/** The execution's output: every run with its leaderboard, report and history keys. */
export interface ReportOutput {
  runs: RunSummary[];
}
