/**
 * The local stand-in for the Train Lambda: a pool of child processes (tinypool, one per core by
 * default), each running src/workflow/worker.ts through tsx. Processes rather than threads: each
 * candidate's memory figures are its own process's, a native tfjs-node addon loads once per process,
 * and a runaway candidate can be killed without touching the others. A worker keeps its parsed datasets
 * between candidates.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import Tinypool from 'tinypool';
import type { FinalizeInput, FinalizeOutput, TrainOutput, WorkItem } from '../steps/types.js';
import type { FinalizeResult, FinalizeTask, WarmTask, WorkerError, WorkerResult, WorkerTask } from './worker.js';

export interface TrainPoolOptions {
  /** Where the workers open the store: a directory or `s3://bucket/prefix`. */
  storeUri: string;
  /** Worker processes; default one per core. */
  workers?: number;
  /** Backend preference passed to every candidate. */
  backend?: string;
}

/** A worker's error under its original name, so Retry/Catch match it as they would the Lambda's. */
export class WorkerTaskError extends Error {
  readonly code?: string;
  readonly kind?: string;
  constructor(e: WorkerError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code;
    this.kind = e.kind;
  }
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export class TrainPool {
  readonly workers: number;
  private readonly pool: Tinypool;
  private readonly storeUri: string;
  private readonly backend?: string;

  constructor(opts: TrainPoolOptions) {
    this.workers = opts.workers ?? defaultWorkers();
    this.storeUri = opts.storeUri;
    this.backend = opts.backend;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    this.pool = new Tinypool({
      filename: new URL('./worker.ts', import.meta.url).href,
      runtime: 'child_process',
      minThreads: this.workers,
      maxThreads: this.workers,
      isolateWorkers: false,
      execArgv: ['--import', tsx],
      env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    });
  }

  /**
   * Start every worker's tfjs and backend now (about a second each), so it overlaps with Plan
   * instead of delaying the first candidates. Never fails: a worker that cannot start says so on
   * its first real task.
   */
  async warm(): Promise<void> {
    const task: WarmTask = { warm: true, ...(this.backend ? { backend: this.backend } : {}) };
    await Promise.all(Array.from({ length: this.workers }, () => this.pool.run(task).catch(() => undefined)));
  }

  /** Train one candidate in a worker; `signal` kills the worker running it (a timeout). */
  async run(item: WorkItem, signal?: AbortSignal): Promise<TrainOutput> {
    const task: WorkerTask = { storeUri: this.storeUri, item, ...(this.backend ? { backend: this.backend } : {}) };
    const result = (await this.pool.run(task, signal ? { signal } : {})) as WorkerResult;
    if (!result.ok) throw new WorkerTaskError(result.error);
    return result.output;
  }

  /** Run the Finalize step (a refit) in a worker, as the cloud runs it on Train's resources; `signal` kills it. */
  async finalize(input: FinalizeInput, signal?: AbortSignal): Promise<FinalizeOutput> {
    const task: FinalizeTask = { storeUri: this.storeUri, finalize: input, ...(this.backend ? { backend: this.backend } : {}) };
    const result = (await this.pool.run(task, signal ? { signal } : {})) as FinalizeResult;
    if (!result.ok) throw new WorkerTaskError(result.error);
    return result.output;
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
