/**
 * A run taken through the workflow's own steps in this process — Plan, Train for every candidate,
 * Aggregate, Finalize — on a temporary store, for tests that need a final model without the worker pool.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate } from '../../src/steps/aggregate.js';
import { finalize } from '../../src/steps/finalize.js';
import { plan } from '../../src/steps/plan.js';
import { train } from '../../src/steps/train.js';
import type { FinalizeOutput } from '../../src/steps/types.js';
import type { SweepSpecInput } from '../../src/sweep/schema.js';
import { keys } from '../../src/store/keys.js';
import { LocalStore } from '../../src/store/local.js';
import { putJson } from '../../src/store/store.js';

export interface FinalizedRun {
  dir: string;
  store: LocalStore;
  runId: string;
  finalized: FinalizeOutput;
}

/** Write `data` under `datasetKey`, then plan, train, aggregate and finalize `sweep` as run `runId`. */
export async function finalizedRun(opts: {
  sweep: SweepSpecInput;
  datasetKey: string;
  data: string | Uint8Array;
  runId: string;
  backend?: string;
  /** Stop after Aggregate (a run without a final model yet). */
  skipFinalize?: boolean;
}): Promise<FinalizedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-final-'));
  const store = new LocalStore(dir);
  await store.put(opts.datasetKey, opts.data);
  await putJson(store, keys.sweep(opts.sweep.name), opts.sweep);
  const planned = await plan(store, { trigger: 'cli', key: keys.sweep(opts.sweep.name), runId: opts.runId });
  for (const item of planned.items) await train(store, item, { backend: opts.backend });
  const aggregated = await aggregate(store, { runs: planned.runs });
  const finalized = opts.skipFinalize ? aggregated : await finalize(store, aggregated, { backend: opts.backend });
  return { dir, store, runId: opts.runId, finalized };
}

/** A seeded generator (LCG) for test data: no Math.random. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
