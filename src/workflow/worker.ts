/**
 * A training worker: one child process of the local pool. It runs the Train step on the store the
 * runner names and keeps its store client and parsed datasets between candidates. Errors come back as
 * data (name, message, code, kind) so the runner can rethrow them under the same name — the name is
 * what the state machine's Retry and Catch match.
 */
import './no-source-maps.js';
import { errorMessage, LayerbenchError } from '../errors.js';
import { finalize } from '../steps/finalize.js';
import { train } from '../steps/train.js';
import { selectBackend } from '../train/backend.js';
import type { FinalizeInput, FinalizeOutput, TrainOutput, WorkItem } from '../steps/types.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

export interface WorkerTask {
  storeUri: string;
  item: WorkItem;
  backend?: string;
  /** When the runner stops this task (Date.now() ms, the Train state's timeout): training hands over a safety margin before. */
  stopsAt?: number;
  /**
   * When the process's RSS after the candidate is above this, collect garbage first and report the
   * RSS after that: V8 grows its heap lazily, and a worker should not be replaced for garbage.
   */
  collectAboveRss?: number;
}

/** The Finalize step: it refits a model, so it runs where training runs (Train's resources). */
export interface FinalizeTask {
  storeUri: string;
  finalize: FinalizeInput;
  backend?: string;
}

/** Sent once to each worker while Plan runs: load tfjs and start the backend before the first candidate. */
export interface WarmTask {
  warm: true;
  backend?: string;
}

export interface WorkerError {
  name: string;
  message: string;
  code?: string;
  kind?: string;
  exitCode?: number;
}

/** A task's outcome, with the worker's process id and RSS after it (the pool replaces a worker whose memory creeps up). */
export type WorkerResult = ({ ok: true; output: TrainOutput } | { ok: false; error: WorkerError }) & { pid?: number; rssBytes?: number };
export type FinalizeResult = { ok: true; output: FinalizeOutput } | { ok: false; error: WorkerError };

// stdout belongs to the CLI's results; whatever a library prints in a worker goes to stderr.
for (const level of ['log', 'info', 'debug'] as const) {
  console[level] = (...args: unknown[]) => console.error(...args);
}

// When the runner goes away (killed, even with SIGKILL) its IPC channel closes: stop training for nobody.
process.on('disconnect', () => process.exit(0));

const stores = new Map<string, Store>();

/** The RSS now, after a full garbage collection if it is above `collectAbove` (the pool starts workers with --expose-gc). */
function rssAfter(collectAbove: number | undefined): number {
  const rss = process.memoryUsage.rss();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collectAbove === undefined || rss <= collectAbove || !gc) return rss;
  gc();
  return process.memoryUsage.rss();
}

export default async function runTask(task: WorkerTask | FinalizeTask | WarmTask): Promise<WorkerResult | FinalizeResult | null> {
  if ('warm' in task) {
    await selectBackend(task.backend).catch(() => undefined); // a bad preference is reported by the real task
    return null;
  }
  try {
    let store = stores.get(task.storeUri);
    if (!store) {
      store = openStore(task.storeUri);
      stores.set(task.storeUri, store);
    }
    // The pool trains local runs only: a sweep may name the user's own files (src/steps/dataset.ts).
    if ('finalize' in task) return { ok: true, output: await finalize(store, task.finalize, { backend: task.backend, datasetScope: 'anywhere' }) };
    const output = await train(store, task.item, { backend: task.backend, datasetScope: 'anywhere', ...(task.stopsAt !== undefined ? { stopsAt: task.stopsAt } : {}) });
    return { ok: true, output, pid: process.pid, rssBytes: rssAfter(task.collectAboveRss) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return {
      ok: false,
      error: {
        name: e.name || 'Error',
        message: errorMessage(e),
        ...(err instanceof LayerbenchError ? { code: err.code, kind: err.kind, exitCode: err.exitCode } : {}),
      },
      pid: process.pid,
      rssBytes: process.memoryUsage.rss(),
    };
  }
}
