/**
 * The local runner: the deployed state machine definition (rendered from the CDK construct) executed by
 * aws-local-stepfunctions, with each Task state bound to the step code — Plan, Aggregate and Report in
 * this process, Train in a pool of worker processes.
 */
import './polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { LayerbenchError } from '../errors.js';
import { plan, type PlanOptions } from '../steps/plan.js';
import type { AggregateInput, CaughtFailure, PlanInput, PlanOutput, ReportInput, ReportOutput, TrainOutput, WorkItem } from '../steps/types.js';
import type { Store } from '../store/store.js';
import { STATE } from '../../infra/workflow.js';
import { renderDefinition, trainState, type AslDefinition } from './definition.js';
import { defaultWorkers, TrainPool, type TrainPoolOptions } from './pool.js';

export type ProgressEvent =
  | { type: 'planned'; plan: PlanOutput; total: number }
  | { type: 'candidate'; runId: string; candidateId: string; status: TrainOutput['status']; reason?: string }
  | { type: 'retry'; candidateId: string; attempt: number; error: string }
  | { type: 'aggregating' };

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
  /** Seconds a Train task may run (default: the construct's 15 minutes). */
  trainTimeoutSeconds?: number;
  /** Pause before a retry, in ms, instead of the definition's backoff (tests). */
  retryIntervalMs?: number;
  /**
   * Fault injection for tests: runs in the runner before each Train task is handed to a worker;
   * whatever it throws fails that task as a crashed Lambda would (Retry and Catch apply).
   */
  beforeTrain?: (item: WorkItem) => void | Promise<void>;
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
}

export interface RunLocalResult {
  executionOutput: ReportOutput;
  runs: ReportOutput['runs'];
  plan: PlanOutput;
  definition: AslDefinition;
}

export async function runLocal(opts: RunLocalOptions): Promise<RunLocalResult> {
  const workers = opts.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1) throw new LayerbenchError(`workers: must be an integer ≥ 1, got ${workers}`, { code: 'E_SPEC', kind: 'fatal' });
  const { definition } = renderDefinition({ maxConcurrency: workers, trainTimeoutSeconds: opts.trainTimeoutSeconds });
  const timeoutMs = (trainState(definition).TimeoutSeconds ?? 60) * 1000;
  const { store } = opts;
  const { signal } = opts;
  signal?.throwIfAborted();
  const pool = opts.trainPool ?? new TrainPool({ storeUri: opts.storeUri ?? store.location, workers, backend: opts.backend, ...opts.pool });
  void pool.warm(); // never rejects; destroy() ends it if the run is over first
  let planned: PlanOutput | undefined;
  let stop: (() => void) | undefined;
  try {
    // Not validated again here (about a second of schema compilation before every run): the rendered
    // definition is validated by the interpreter in test/workflow.definition.test.ts.
    const machine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { noValidate: true } });
    const execution = machine.run(opts.input as never, {
      overrides: {
        taskResourceLocalHandlers: {
          [STATE.plan]: async (input) => {
            planned = await plan(store, input as PlanInput, opts.planOptions);
            return planned as never;
          },
          [STATE.train]: async (input) => {
            const item = input as unknown as WorkItem;
            await opts.beforeTrain?.(item);
            return (await trainWithTimeout(pool, item, timeoutMs, signal)) as never;
          },
          [STATE.aggregate]: async (input) => {
            // An interrupted run writes no leaderboard: the candidates stopped mid-way are not failures.
            signal?.throwIfAborted();
            // Aggregate and Report (and the report's tfjs and vega) load when the training is done,
            // not before the first candidate starts.
            const { aggregate } = await import('../steps/aggregate.js');
            return (await aggregate(store, input as unknown as AggregateInput)) as never;
          },
          [STATE.report]: async (input) => {
            signal?.throwIfAborted();
            const { report } = await import('../steps/report.js');
            return (await report(store, input as unknown as ReportInput)) as never;
          },
        },
        ...(opts.retryIntervalMs === undefined
          ? {}
          : { retryIntervalOverrides: Object.fromEntries([STATE.plan, STATE.train, STATE.aggregate, STATE.report].map((s) => [s, opts.retryIntervalMs!])) }),
      },
    });
    stop = () => {
      execution.abort();
      void pool.destroy();
    };
    signal?.addEventListener('abort', stop, { once: true });
    const following = opts.onProgress ? follow(execution.eventLogs, opts.onProgress) : undefined;
    let output: ReportOutput;
    try {
      output = (await execution.result) as unknown as ReportOutput;
    } finally {
      await following?.catch(() => undefined);
    }
    return { executionOutput: output, runs: output.runs, plan: planned ?? { runs: [], items: [] }, definition };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw rootCause(err);
  } finally {
    if (stop) signal?.removeEventListener('abort', stop);
    await pool.destroy();
  }
}

async function trainWithTimeout(pool: TrainPool, item: WorkItem, timeoutMs: number, stop?: AbortSignal): Promise<TrainOutput> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await pool.run(item, stop ? AbortSignal.any([timeout, stop]) : timeout);
  } catch (err) {
    if (stop?.aborted) throw stop.reason;
    if (timeout.aborted) {
      const timedOut = new Error(`candidate ${item.candidateId} ran longer than ${timeoutMs / 1000} s`);
      timedOut.name = 'States.Timeout';
      throw timedOut;
    }
    throw err;
  }
}

/** The interpreter wraps a failed state's error; the CLI wants ours (a SpecError exits 2). */
function rootCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5 && e instanceof Error && !(e instanceof LayerbenchError) && e.cause instanceof Error; i++) e = e.cause;
  return e instanceof LayerbenchError ? e : err;
}

/** Turn the execution's event log into progress events. */
async function follow(events: ReturnType<StateMachine['run']>['eventLogs'], onProgress: (e: ProgressEvent) => void): Promise<void> {
  for await (const ev of events) {
    if (ev.type === 'StateExited' && ev.state.name === STATE.plan) {
      const p = ev.state.output as unknown as PlanOutput;
      onProgress({ type: 'planned', plan: p, total: p.items.length });
    } else if (ev.type === 'StateExited' && ev.state.name === STATE.train) {
      const out = ev.state.output as unknown as Partial<TrainOutput>;
      // A caught failure also exits Train (with the error); RecordFailure reports it.
      if (out && typeof out.status === 'string' && out.runId && out.candidateId) {
        onProgress({ type: 'candidate', runId: out.runId, candidateId: out.candidateId, status: out.status });
      }
    } else if (ev.type === 'StateExited' && ev.state.name === STATE.recordFailure) {
      const out = ev.state.output as unknown as CaughtFailure;
      const { caughtReason } = await import('../steps/aggregate.js');
      onProgress({ type: 'candidate', runId: out.runId, candidateId: out.candidateId, status: 'failed', reason: caughtReason(out.error ?? {}) });
    } else if (ev.type === 'StateRetried' && ev.state.name === STATE.train) {
      const item = ev.state.input as unknown as WorkItem;
      onProgress({ type: 'retry', candidateId: item.candidateId, attempt: ev.retry.attempt, error: ev.retry.retrier.ErrorEquals.join(',') });
    } else if (ev.type === 'StateEntered' && ev.state.name === STATE.aggregate) {
      onProgress({ type: 'aggregating' });
    }
  }
}
