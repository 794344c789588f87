/**
 * The local stand-in for the Train Lambda: worker processes (tinypool's child_process runtime), each
 * running src/workflow/worker.ts through tsx. Processes rather than threads: each candidate's memory
 * figures are its own process's, a native tfjs-node addon loads once per process, and a runaway
 * candidate can be killed without touching the others. A worker keeps its parsed datasets between
 * candidates.
 *
 * Isolation: one candidate must never damage the next, so a worker process is replaced
 *  - after any candidate that failed (a wasm heap left broken by an out-of-bounds access fails every
 *    later candidate of that process),
 *  - after `recycleAfter` candidates, and when its RSS after a candidate (and a garbage collection)
 *    has grown by more than `rssGrowth` over its RSS after its first `warmupCandidates` (memory
 *    creeps over hundreds of candidates),
 *  - when it died or was killed (a timeout): tinypool starts another.
 * Each worker is a single-process Tinypool (a "slot"), so replacing one is tinypool's own
 * `recycleWorkers()` and never touches the others.
 */
import { availableParallelism, freemem } from 'node:os';
import Tinypool from 'tinypool';
import { WorkerCrashedError } from '../errors.js';
import { formatBytes } from '../model/params.js';
import type { FinalizeInput, FinalizeOutput, TrainOutput, WorkItem } from '../steps/types.js';
import type { FinalizeResult, FinalizeTask, WarmTask, WorkerError, WorkerResult, WorkerTask } from './worker.js';
import { workerEntry } from './worker-entry.js';

export interface TrainPoolOptions {
  /**
   * Where the workers open the store: a directory or `s3://bucket/prefix`. May come later (useStore),
   * before the first task: workers start and warm up without it.
   */
  storeUri?: string;
  /** Worker processes at most; default one per core. They start as candidates need them. */
  workers?: number;
  /** Backend preference passed to every candidate. */
  backend?: string;
  /** Replace a worker after this many candidates (default 200). */
  recycleAfter?: number;
  /** Replace a worker whose RSS grew by more than this fraction over its RSS after its warm-up (default 0.5: see DEFAULT_RSS_GROWTH). */
  rssGrowth?: number;
  /** Candidates whose RSS make a new worker's reference (the largest of them) rather than count as growth (default 5). */
  warmupCandidates?: number;
  /** Called when a worker is replaced, with the reason (for tests and diagnostics). */
  onRecycle?: (event: RecycleEvent) => void;
  /** Called after each candidate a worker finished (failed ones included), with the worker's process id and RSS. */
  onTaskDone?: (event: TaskDoneEvent) => void;
}

export interface TaskDoneEvent {
  candidateId: string;
  status: TrainOutput['status'] | 'error';
  pid?: number;
  rssBytes?: number;
}

export interface RecycleEvent {
  reason: 'failed' | 'count' | 'rss' | 'crashed' | 'aborted';
  candidateId: string;
  /** The replaced worker's process id and RSS after the candidate, when it reported them. */
  pid?: number;
  rssBytes?: number;
}

/**
 * A worker's error under its original name, so Retry/Catch match it as they would the Lambda's; one of
 * ours keeps its code, kind and exit code (the CLI prints it as it would have been thrown here).
 */
export class WorkerTaskError extends Error {
  readonly code?: string;
  readonly kind?: string;
  readonly exitCode?: number;
  constructor(e: WorkerError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code;
    this.kind = e.kind;
    if (e.exitCode !== undefined) this.exitCode = e.exitCode;
  }
}

export const DEFAULT_RECYCLE_AFTER = 200;
/**
 * Half as much again. A healthy worker's RSS moves with the candidates it trains — the wasm heap grows
 * to the largest network so far and never shrinks, V8 keeps what it compiled — by 5–15 % on a grid of
 * mixed sizes, and stays flat after that (600 candidates: 126–129 MB after the first, 127–132 MB after
 * the last; benchmarks/results/2026-12-07-worker-rss-600.md). At 8 % two workers of that run were
 * replaced 15 times, and an 81-candidate halving run 8 times, each a worker start (~1 CPU-second)
 * for nothing. A leak — tensors never freed — grows with every candidate and crosses 50 % all the same.
 */
export const DEFAULT_RSS_GROWTH = 0.5;
export const DEFAULT_WARMUP_CANDIDATES = 5;

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A training worker's own memory before any candidate: Node, tsx, tfjs and the backend (measured: 180–200 MB). */
export const WORKER_BASE_BYTES = 200 * 2 ** 20;

/** More processes than this per core only make every candidate slower. */
export const MAX_WORKERS_PER_CORE = 4;

export interface WorkerCountOptions {
  /** --workers, when given. */
  requested?: number;
  /** Candidates in the sweep: more workers than candidates would idle. */
  candidates: number;
  /** The largest candidate's estimated memory (see estimateResources). */
  candidateBytes: number;
  cores?: number;
  /** Memory free for workers (default: what the OS reports available). */
  availableBytes?: number;
  /**
   * Workers started already (the CLI starts them before it reads the sweep): the memory they hold
   * counts as theirs, about WORKER_BASE_BYTES each, not as taken from the others.
   */
  started?: number;
}

/**
 * How many workers a run starts: one per core unless more or fewer are asked for; more than the cores
 * only with a warning, never more than MAX_WORKERS_PER_CORE per core, never more than fit in free
 * memory, never more than there are candidates.
 */
export function workerCount(opts: WorkerCountOptions): { workers: number; notes: string[] } {
  const cores = opts.cores ?? defaultWorkers();
  const available = (opts.availableBytes ?? availableMemory()) + (opts.started ?? 0) * WORKER_BASE_BYTES;
  const notes: string[] = [];
  let workers = opts.requested ?? cores;
  const max = MAX_WORKERS_PER_CORE * cores;
  if (workers > max) {
    notes.push(`--workers ${workers}: more than ${MAX_WORKERS_PER_CORE} per core only slows every candidate; using ${max} (${cores} cores here)`);
    workers = max;
  } else if (workers > cores) {
    notes.push(`--workers ${workers}: more workers than the ${cores} cores here; each candidate trains slower and its timings are noisier`);
  }
  const each = WORKER_BASE_BYTES + opts.candidateBytes;
  const fit = Math.max(1, Math.floor(available / each));
  if (workers > fit) {
    notes.push(`${workers} workers do not fit in the ${formatBytes(available)} of free memory (about ${formatBytes(each)} each); using ${fit}`);
    workers = fit;
  }
  return { workers: Math.max(1, Math.min(workers, opts.candidates)), notes };
}

function availableMemory(): number {
  const p = process as NodeJS.Process & { availableMemory?: () => number };
  return typeof p.availableMemory === 'function' ? p.availableMemory() : freemem();
}

/** One worker process: a Tinypool of exactly one, so it can be replaced alone. */
interface Slot {
  pool: Tinypool;
  /** Candidates the current process has trained. */
  trained: number;
  /** The current process's reference RSS: the largest it reported over its warm-up candidates. */
  baselineRss?: number;
}

export class TrainPool {
  private maxWorkers: number;
  private storeUri: string | undefined;
  private readonly backend?: string;
  private readonly recycleAfter: number;
  private readonly warmupCandidates: number;
  private readonly rssGrowth: number;
  private readonly onRecycle?: (event: RecycleEvent) => void;
  private readonly onTaskDone?: (event: TaskDoneEvent) => void;
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly waiting: { resolve: (slot: Slot) => void; reject: (err: Error) => void }[] = [];
  private destroyed = false;

  constructor(opts: TrainPoolOptions) {
    this.maxWorkers = opts.workers ?? defaultWorkers();
    this.storeUri = opts.storeUri;
    this.backend = opts.backend;
    this.recycleAfter = opts.recycleAfter ?? DEFAULT_RECYCLE_AFTER;
    this.warmupCandidates = opts.warmupCandidates ?? DEFAULT_WARMUP_CANDIDATES;
    this.rssGrowth = opts.rssGrowth ?? DEFAULT_RSS_GROWTH;
    this.onRecycle = opts.onRecycle;
    this.onTaskDone = opts.onTaskDone;
  }

  /** Worker processes at most. */
  get workers(): number {
    return this.maxWorkers;
  }

  /** Worker processes started so far (and not stopped). */
  get started(): number {
    return this.slots.length;
  }

  /**
   * Fewer workers than the pool was made for (once the sweep says how many it can use): no more start,
   * and those started beyond it (warm() before the sweep was read) are stopped while they are idle.
   */
  limit(workers: number): void {
    this.maxWorkers = Math.max(1, Math.min(this.maxWorkers, workers));
    while (this.slots.length > this.maxWorkers) {
      const spare = this.idle.pop();
      if (!spare) break;
      this.slots.splice(this.slots.indexOf(spare), 1);
      void spare.pool.destroy();
    }
  }

  /** The store the tasks open, when it was not known as the pool started. */
  useStore(storeUri: string): void {
    this.storeUri = storeUri;
  }

  private store(): string {
    if (this.storeUri === undefined) throw new Error('TrainPool: a task before the store was named (useStore)');
    return this.storeUri;
  }

  /**
   * Start `count` workers now (default: as many as there are workers, at most one per core) and load
   * tfjs and the backend in each, so it overlaps with Plan instead of delaying the first candidates.
   * Never fails: a worker that cannot start says so on its first real task.
   */
  async warm(count = Math.min(this.workers, defaultWorkers())): Promise<void> {
    if (this.destroyed) return;
    const started: Slot[] = [];
    while (this.slots.length < Math.min(count, this.workers)) {
      const slot = this.addSlot();
      this.release(slot);
      started.push(slot);
    }
    await Promise.all(started.map((slot) => this.warmSlot(slot)));
  }

  /**
   * Train one candidate in a worker; `signal` kills the worker running it (a timeout, an interrupt).
   * `timeoutMs`: when, from now, the signal fires for a timeout; the task checkpoints and hands over before.
   */
  async run(item: WorkItem, signal?: AbortSignal, timeoutMs?: number): Promise<TrainOutput> {
    const stopsAt = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const storeUri = this.store();
    const slot = await this.acquire();
    const task: WorkerTask = {
      storeUri,
      item,
      ...(this.backend ? { backend: this.backend } : {}),
      ...(stopsAt !== undefined ? { stopsAt } : {}),
      ...(slot.baselineRss === undefined || slot.trained < this.warmupCandidates ? {} : { collectAboveRss: this.rssLimit(slot.baselineRss) }),
    };
    try {
      const result = await this.runIn<WorkerResult>(slot, task, signal, `candidate ${item.candidateId}`, item.candidateId);
      slot.trained++;
      const seen = { ...(result.pid ? { pid: result.pid } : {}), ...(result.rssBytes ? { rssBytes: result.rssBytes } : {}) };
      this.onTaskDone?.({ candidateId: item.candidateId, status: result.ok ? result.output.status : 'error', ...seen });
      const recycle = this.recycleReason(slot, result);
      if (recycle) {
        this.onRecycle?.({ reason: recycle, candidateId: item.candidateId, ...seen });
        await this.replace(slot);
      }
      if (!result.ok) throw new WorkerTaskError(result.error);
      return result.output;
    } finally {
      this.release(slot);
    }
  }

  /**
   * Run the Finalize step (a refit) in a worker, as the cloud runs it on Train's resources; `signal`
   * kills it. A worker whose refit failed is replaced, as after a failed candidate.
   */
  async finalize(input: FinalizeInput, signal?: AbortSignal): Promise<FinalizeOutput> {
    const storeUri = this.store();
    const slot = await this.acquire();
    const task: FinalizeTask = { storeUri, finalize: input, ...(this.backend ? { backend: this.backend } : {}) };
    try {
      const result = await this.runIn<FinalizeResult>(slot, task, signal, "the final model's refit", 'final model');
      if (!result.ok) {
        await this.replace(slot);
        throw new WorkerTaskError(result.error);
      }
      return result.output;
    } finally {
      this.release(slot);
    }
  }

  /** A task in the slot's process. A process that died, or that `signal` killed, is replaced by tinypool and the slot starts afresh. */
  private async runIn<R>(slot: Slot, task: WorkerTask | FinalizeTask, signal: AbortSignal | undefined, what: string, candidateId: string): Promise<R> {
    try {
      return (await slot.pool.run(task, signal ? { signal } : {})) as R;
    } catch (err) {
      slot.trained = 0;
      slot.baselineRss = undefined;
      if (signal?.aborted) {
        this.onRecycle?.({ reason: 'aborted', candidateId });
        throw err;
      }
      this.onRecycle?.({ reason: 'crashed', candidateId });
      throw new WorkerCrashedError(`${what}: its worker process died while training it (killed, or out of memory)${this.destroyed ? ' as the pool shut down' : ''}`, err);
    }
  }

  /** Stop every worker now (SIGTERM, SIGKILL after a second); tasks in flight and waiting reject. Idempotent. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('the training pool was shut down'));
    await Promise.all(this.slots.map((slot) => slot.pool.destroy()));
  }

  private recycleReason(slot: Slot, result: WorkerResult): RecycleEvent['reason'] | undefined {
    if (!result.ok || result.output.status === 'failed') return 'failed';
    if (slot.trained >= this.recycleAfter) return 'count';
    const rss = result.rssBytes;
    if (rss === undefined) return undefined;
    // A new process grows over its first candidates (compiled code, first-use allocations): its
    // reference is the largest RSS it reports over those, and growth counts from there.
    if (slot.trained <= this.warmupCandidates) {
      slot.baselineRss = Math.max(slot.baselineRss ?? 0, rss);
      return undefined;
    }
    return slot.baselineRss !== undefined && rss > this.rssLimit(slot.baselineRss) ? 'rss' : undefined;
  }

  private rssLimit(baseline: number): number {
    return baseline * (1 + this.rssGrowth);
  }

  /** A fresh process in the slot, warming while the slot waits for its next candidate. */
  private async replace(slot: Slot): Promise<void> {
    slot.trained = 0;
    slot.baselineRss = undefined;
    if (this.destroyed) return;
    await slot.pool.recycleWorkers();
    void this.warmSlot(slot);
  }

  private warmSlot(slot: Slot): Promise<void> {
    const task: WarmTask = { warm: true, ...(this.backend ? { backend: this.backend } : {}) };
    return slot.pool.run(task).then(
      () => undefined,
      () => undefined,
    );
  }

  private addSlot(): Slot {
    // The worker bundled into plain JavaScript where possible (see worker-entry.ts: ~1 s less start-up each).
    const entry = workerEntry();
    const pool = new Tinypool({
      filename: entry.filename,
      runtime: 'child_process',
      minThreads: 1,
      maxThreads: 1,
      isolateWorkers: false,
      // --expose-gc: a worker collects garbage before its RSS counts as grown (see WorkerTask.collectAboveRss).
      execArgv: ['--expose-gc', ...entry.execArgv],
      env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    });
    // A worker that dies between candidates is replaced by tinypool; without a listener its 'error'
    // event would end this process.
    pool.on('error', () => undefined);
    const slot: Slot = { pool, trained: 0 };
    this.slots.push(slot);
    return slot;
  }

  private async acquire(): Promise<Slot> {
    if (this.destroyed) throw new Error('the training pool was shut down');
    const free = this.idle.pop();
    if (free) return free;
    if (this.slots.length < this.workers) return this.addSlot();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next.resolve(slot);
    else this.idle.push(slot);
  }
}
