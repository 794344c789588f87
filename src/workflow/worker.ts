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
}

export type WorkerResult = { ok: true; output: TrainOutput } | { ok: false; error: WorkerError };
export type FinalizeResult = { ok: true; output: FinalizeOutput } | { ok: false; error: WorkerError };

// stdout belongs to the CLI's results; whatever a library prints in a worker goes to stderr.
for (const level of ['log', 'info', 'debug'] as const) {
  console[level] = (...args: unknown[]) => console.error(...args);
}

const stores = new Map<string, Store>();

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
    if ('finalize' in task) return { ok: true, output: await finalize(store, task.finalize, { backend: task.backend }) };
    return { ok: true, output: await train(store, task.item, { backend: task.backend }) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return {
      ok: false,
      error: {
        name: e.name || 'Error',
        message: errorMessage(e),
        ...(err instanceof LayerbenchError ? { code: err.code, kind: err.kind } : {}),
      },
    };
  }
}
