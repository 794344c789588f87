/**
 * The local runner: the deployed state machine definition (rendered from the CDK construct) executed by
 * aws-local-stepfunctions, with each Task state bound to the step code — Plan, RecordFailure, Aggregate,
 * Promote and Report in this process, Train and Finalize (a refit: Train's resources) in a pool of worker processes.
 *
 * The interpreter has no ItemReader: it runs `localDefinition` (the Map reads `$.items` instead), and
 * whenever a step's output names an item list (`itemsKey`), the runner reads that list from the store
 * and puts it at `$.items` — the very array the deployed Map's ItemReader reads from the bucket.
 */
import './polyfill.js';
import { availableParallelism } from 'node:os';
import { StateMachine } from 'aws-local-stepfunctions';
import { boundedMessage, errorMessage, LayerbenchError } from '../errors.js';
import { plan, planOutput, type PlanOptions } from '../steps/plan.js';
import type { PromoteInput } from '../steps/promote.js';
import type { PriceTable } from '../cost/prices.js';
import { recordFailure } from '../steps/record-failure.js';
import type { AggregateInput, CaughtFailure, FinalizeInput, PlanInput, PlanOutput, PlanResult, ReportInput, ReportOutput, TrainOutput, WorkItem } from '../steps/types.js';
import { LocalStore } from '../store/local.js';
import { getJson, type Store } from '../store/store.js';
import { STATE } from './contract.js';
import { definitionFromTemplate, localDefinition, trainState, type AslDefinition } from './asl.js';
import { defaultWorkers, TrainPool, WorkerTaskError, type TrainPoolOptions } from './pool.js';
import type { DrawingThread } from './drawing-thread.js';

/** What a 'planned' event says about the plan (the cloud's status command knows no more). */
export type PlannedRuns = Pick<PlanOutput, 'runs' | 'skipped' | 'warnings'>;

export type ProgressEvent =
  | { type: 'planned'; plan: PlannedRuns; total: number }
  | { type: 'candidate'; runId: string; candidateId: string; status: TrainOutput['status']; reason?: string }
  | { type: 'retry'; candidateId: string; attempt: number; error: string }
  | { type: 'aggregating' }
  /** Finalize started: `refits` runs have a recommended candidate to refit (the others have nothing to refit). */
  | { type: 'finalizing'; refits: number }
  /** A halving run's next round was opened: `total` more items to train. */
  | { type: 'round'; total: number };

/** A Train task's work: one item in, its outcome out (the document written to the store). */
export type TrainBinding = (item: WorkItem) => Promise<TrainOutput>;

export interface RunLocalOptions {
  store: Store;
  /** Where the workers open the store (default `store.location`). */
  storeUri?: string;
  input: PlanInput;
  /** Worker processes (default one per core); also the Map's MaxConcurrency. */
  workers?: number;
  /** Backend preference (tensorflow | wasm | cpu). */
  backend?: string;
  onProgress?: (event: ProgressEvent) => void;
  /** Passed to the Plan step (an inline spec, a clock). */
  planOptions?: PlanOptions;
  /** The price table for cost estimates and search.budget.usd (default: the table in the code). */
  prices?: PriceTable;
  /** Seconds a Train task may run (default: the construct's 15 minutes). */
  trainTimeoutSeconds?: number;
  /** Pause before a retry, in ms, instead of the definition's jittered backoff (tests that are not about retries). */
  retryIntervalMs?: number;
  /**
   * Fault injection for tests: runs in the runner before each Train task is handed to a worker;
   * whatever it throws fails that task as a crashed Lambda would (Retry and Catch apply).
   */
  beforeTrain?: (item: WorkItem) => void | Promise<void>;
  /**
   * Tests only: trains in place of the worker pool (no pool is started), e.g. a fake trainer that
   * writes small valid documents so a 10,000-candidate sweep runs through the workflow in seconds.
   */
  testTrainer?: TrainBinding;
  /**
   * Aborting stops every worker at once and ends the execution before Aggregate: documents written so
   * far stay, nothing else is written, and the run resumes with its run id. The run rejects with the
   * signal's reason.
   */
  signal?: AbortSignal;
  /**
   * A pool the caller started already (so its workers load while the runner does); the runner trains
   * in it and destroys it at the end. Default: the runner starts one.
   */
  trainPool?: TrainPool;
  /** Worker replacement settings (see TrainPool), for the pool the runner starts. */
  pool?: Pick<TrainPoolOptions, 'recycleAfter' | 'rssGrowth' | 'warmupCandidates' | 'onRecycle' | 'onTaskDone'>;
  /** Fault injection for tests, like beforeTrain, before the Finalize task is handed to a worker. */
  beforeFinalize?: (input: FinalizeInput) => void | Promise<void>;
}

export interface RunLocalResult {
  executionOutput: ReportOutput;
  runs: ReportOutput['runs'];
  /** What Plan returned, its items included. */
  plan: PlanResult;
  /** The definition the interpreter ran (localDefinition of the rendered one). */
  definition: AslDefinition;
}

type Handler = (input: unknown) => Promise<unknown>;

export async function runLocal(opts: RunLocalOptions): Promise<RunLocalResult> {
  const workers = opts.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1) throw new LayerbenchError(`workers: must be an integer ≥ 1, got ${workers}`, { code: 'E_SPEC', kind: 'fatal' });
  // The definition infra/workflow.ts renders, from its committed template (no aws-cdk-lib at run time).
  const definition = localDefinition(definitionFromTemplate({ maxConcurrency: workers, trainTimeoutSeconds: opts.trainTimeoutSeconds }));
  const timeoutMs = (trainState(definition).TimeoutSeconds ?? 60) * 1000;
  const { store } = opts;
  const { signal } = opts;
  signal?.throwIfAborted();
  // What a killed run left half-written in a local store: temp files whose writer is gone (never listed, but not kept).
  if (store instanceof LocalStore) await store.removeStaleTemps();
  const progress = opts.onProgress ?? (() => undefined);
  const pool = opts.testTrainer ? undefined : (opts.trainPool ?? new TrainPool({ storeUri: opts.storeUri ?? store.location, workers, backend: opts.backend, ...opts.pool }));
  void pool?.warm(); // never rejects; destroy() ends it if the run is over first
  const trainer: TrainBinding = opts.testTrainer ?? ((item) => trainWithTimeout(pool!, item, timeoutMs, signal));
  let stop: (() => void) | undefined;
  let planned: PlanResult | undefined;
  const lastTrainError = new Map<string, string>();
  let reportModule: Promise<typeof import('../steps/report.js')> | undefined;
  let drawingThread: Promise<DrawingThread | undefined> | undefined;
  /**
   * Report and Aggregate (which Report imports), and the report's vega, load once the first task has
   * trained, while the others train: not before, when the workers starting take the cores, and not
   * after the last, when this process alone would be working (from source through tsx ~0.45 s of CPU;
   * with 1 worker the other core is idle meanwhile).
   */
  const loadReport = () => {
    if (reportModule) return;
    reportModule = import('../steps/report.js');
    reportModule.catch(() => undefined); // a failed load surfaces in the Report state
  };
  /**
   * The report's charts are drawn on two cores, here and in a thread (drawing-thread.ts), which loads
   * and warms up vega first (~0.5 CPU-seconds): it starts once a core is idle — at once when there
   * are fewer workers than cores, otherwise when the round's last items are training and a worker
   * has nothing left to train — so that it takes no core a candidate could have used.
   */
  const cores = availableParallelism();
  const training = { running: 0, started: new Set<string>(), roundItems: 0 };
  const startDrawing = (now = false) => {
    if (!pool || drawingThread) return;
    if (!now && (training.running >= cores || (workers >= cores && training.started.size < training.roundItems))) return;
    drawingThread = import('./drawing-thread.js').then((m) => m.startDrawingThread()).catch(() => undefined);
  };
  /** Report's figures, drawn in this process while Finalize refits in a worker. */
  let drawingAhead: Promise<void> | undefined;

  const handlers: Record<string, Handler> = {
    [STATE.plan]: async (input) => {
      // Locally a sweep may name the user's own files (src/steps/dataset.ts); the store is still read under datasets/ only.
      planned = await plan(store, input as PlanInput, { datasetScope: 'anywhere', trainTimeoutSeconds: timeoutMs / 1000, ...opts.planOptions });
      training.roundItems = planned.itemCount;
      progress({ type: 'planned', plan: planned, total: planned.itemCount });
      return planOutput(planned);
    },
    [STATE.train]: async (input) => {
      const item = input as WorkItem;
      let out: TrainOutput;
      training.running++;
      training.started.add(item.candidateId);
      try {
        await opts.beforeTrain?.(item);
        out = await trainer(item);
      } catch (err) {
        // The Retry's announcement says what failed, not which names the Retry matches.
        lastTrainError.set(item.candidateId, boundedMessage(`${err instanceof Error ? err.name : 'Error'}: ${errorMessage(err)}`, { maxLength: 300 }));
        throw err;
      } finally {
        training.running--;
        loadReport();
        startDrawing();
      }
      // A task that checkpointed is not done: Promote puts it in the Map's next pass.
      if (out.status !== 'continue') progress({ type: 'candidate', runId: out.runId, candidateId: out.candidateId, status: out.status });
      return out;
    },
    [STATE.recordFailure]: async (input) => {
      const caught = input as CaughtFailure;
      const out = await recordFailure(store, caught);
      progress({ type: 'candidate', runId: caught.runId, candidateId: caught.candidateId, status: 'failed', reason: out.reason });
      return out;
    },
    [STATE.aggregate]: async (input) => {
      // An interrupted run writes no leaderboard: the candidates stopped mid-way are not failures.
      signal?.throwIfAborted();
      progress({ type: 'aggregating' });
      loadReport(); // loaded already, unless no task trained (loadReport)
      startDrawing(true);
      const { aggregate } = await import('../steps/aggregate.js');
      return aggregate(store, input as AggregateInput, { ...(opts.prices ? { prices: opts.prices } : {}) });
    },
    [STATE.promote]: async (input) => {
      signal?.throwIfAborted();
      const { promote } = await import('../steps/promote.js');
      const out = await promote(store, input as PromoteInput, { ...(opts.prices ? { prices: opts.prices } : {}) });
      training.started.clear();
      training.roundItems = out.itemCount;
      progress({ type: 'round', total: out.itemCount });
      return out;
    },
    [STATE.finalize]: async (input) => {
      signal?.throwIfAborted();
      const runs = input as FinalizeInput;
      progress({ type: 'finalizing', refits: runs.runs.filter((r) => !r.duplicate && r.recommended).length });
      await opts.beforeFinalize?.(runs);
      // While a worker refits, this process draws the report's figures (Report takes them drawn).
      if (pool) drawingAhead ??= (reportModule ??= import('../steps/report.js')).then((m) => m.drawReportsAhead(store, runs)).catch(() => undefined);
      // A refit trains: in a worker, with Train's timeout (in this process when a test trainer replaces the pool).
      if (!pool) {
        const { finalize } = await import('../steps/finalize.js');
        return finalize(store, runs, { backend: opts.backend, datasetScope: 'anywhere' });
      }
      return withTimeout(`Finalize of ${runs.runs.map((r) => r.runId).join(', ')}`, timeoutMs, signal, (s) => pool.finalize(runs, s));
    },
    [STATE.report]: async (input) => {
      signal?.throwIfAborted();
      const { report } = await (reportModule ??= import('../steps/report.js'));
      await drawingAhead; // what it drew, Report uses
      return report(store, input as ReportInput, { ...(opts.prices ? { prices: opts.prices } : {}) });
    },
  };

  // A failed execution ends while other Map iterations still run: the run returns only when they have
  // settled, so nothing of theirs (a temp file, a document) appears after the caller is told it failed.
  const inFlight = new Tasks();
  try {
    // Not validated again here (about a second of schema compilation before every run): the rendered
    // definition is validated by the interpreter in test/workflow.definition.test.ts.
    const machine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { noValidate: true } });
    const execution = machine.run(opts.input as never, {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          Object.entries(handlers).map(([name, handler]) => [name, (input: unknown) => inFlight.run(async () => (await attachItemList(store, await handler(input))) as never)]),
        ),
        ...(opts.retryIntervalMs === undefined ? {} : { retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((s) => [s, opts.retryIntervalMs!])) }),
      },
    });
    stop = () => {
      execution.abort();
      void pool?.destroy();
    };
    signal?.addEventListener('abort', stop, { once: true });
    const following = opts.onProgress ? followRetries(execution.eventLogs, opts.onProgress, lastTrainError) : undefined;
    let output: ReportOutput;
    try {
      output = (await execution.result) as unknown as ReportOutput;
    } finally {
      await following?.catch(() => undefined);
    }
    return { executionOutput: output, runs: output.runs, plan: planned ?? { runs: [], itemsKey: '', itemCount: 0, items: [] }, definition };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw rootCause(err);
  } finally {
    if (stop) signal?.removeEventListener('abort', stop);
    await pool?.destroy();
    await inFlight.close();
    await (await drawingThread)?.stop();
    // A worker killed mid-write (a crash, a timeout, an interrupt) leaves its temp file: gone with the worker.
    if (store instanceof LocalStore) await store.removeStaleTemps().catch(() => undefined);
  }
}

/** A step output that names an item list gets the list itself at `$.items`, where the local Map (localDefinition) reads it. */
export async function attachItemList(store: Store, output: unknown): Promise<unknown> {
  const key = (output as { itemsKey?: unknown } | null)?.itemsKey;
  if (typeof key !== 'string' || key === '') return output;
  return { ...(output as object), items: await getJson<WorkItem[]>(store, key) };
}

async function trainWithTimeout(pool: TrainPool, item: WorkItem, timeoutMs: number, stop?: AbortSignal): Promise<TrainOutput> {
  return withTimeout(`candidate ${item.candidateId}`, timeoutMs, stop, (signal) => pool.run(item, signal, timeoutMs));
}

/**
 * A worker task that fails as States.Timeout (what Step Functions raises) when it runs longer than the
 * state's timeout; `stop` (an interrupt) ends it with its own reason.
 */
async function withTimeout<T>(what: string, timeoutMs: number, stop: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await run(stop ? AbortSignal.any([timeout, stop]) : timeout);
  } catch (err) {
    if (stop?.aborted) throw stop.reason;
    if (timeout.aborted) {
      const timedOut = new Error(`${what} ran longer than ${timeoutMs / 1000} s`);
      timedOut.name = 'States.Timeout';
      throw timedOut;
    }
    throw err;
  }
}

/** The interpreter wraps a failed state's error; the CLI wants ours (a SpecError exits 2), also from a worker (it carries its exit code). */
function rootCause(err: unknown): unknown {
  const ours = (e: unknown) => e instanceof LayerbenchError || (e instanceof WorkerTaskError && e.exitCode !== undefined);
  let e = err;
  for (let i = 0; i < 5 && e instanceof Error && !ours(e) && e.cause instanceof Error; i++) e = e.cause;
  return ours(e) ? e : err;
}

/** Retries of Train are announced from the execution's event log (the bindings announce everything else), with the error that was retried. */
async function followRetries(events: ReturnType<StateMachine['run']>['eventLogs'], onProgress: (e: ProgressEvent) => void, lastError: ReadonlyMap<string, string>): Promise<void> {
  for await (const ev of events) {
    if (ev.type === 'StateRetried' && ev.state.name === STATE.train) {
      const item = ev.state.input as unknown as WorkItem;
      onProgress({ type: 'retry', candidateId: item.candidateId, attempt: ev.retry.attempt, error: lastError.get(item.candidateId) ?? ev.retry.retrier.ErrorEquals.join(',') });
    }
  }
}

/** The tasks a run has started; once closed, it starts none and waits for those still running. */
class Tasks {
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the execution has ended'));
    const p = task();
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
