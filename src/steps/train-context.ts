/**
 * What a Train task needs of its run, apart from its own item: the sweep as validated, the dataset
 * version it was planned against and where its prepared form is (src/data/prepared.ts) —
 * `runs/<runId>/train-context.json`, written by Plan beside run.json. A few kilobytes whatever the
 * number of candidates, where run.json carries every candidate (5 MB at 10,000): each Train reads this
 * and its item, which carries its candidate, and never the whole plan.
 *
 * Runs planned before this document existed, and items without their candidate, are read from run.json
 * as before. A process keeps the contexts it read (a run's never changes once planned: resuming needs
 * the same sweep and dataset version).
 */
import { z } from 'zod';
import { LayerbenchError } from '../errors.js';
import { candidateSchema, type Candidate } from '../sweep/candidate.js';
import { sweepSpecSchema } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { findCandidate, readManifest, type RunManifest } from '../results/manifest.js';
import type { WorkItem } from './types.js';

export const TRAIN_CONTEXT_SCHEMA = 'layerbench.train-context.v1' as const;

export const trainContextSchema = z.object({
  schema: z.literal(TRAIN_CONTEXT_SCHEMA),
  runId: z.string(),
  sweep: sweepSpecSchema,
  dataset: z.object({
    key: z.string(),
    version: z.string(),
    /** The prepared dataset's key (prepared/<hash>.bin); Train falls back to the dataset itself when it is gone. */
    prepared: z.string().optional(),
  }),
});
export type TrainContext = z.infer<typeof trainContextSchema>;

/** What Plan writes for a run (from its manifest and the prepared dataset's key). */
export function trainContextOf(manifest: RunManifest, prepared: string | undefined): TrainContext {
  return {
    schema: TRAIN_CONTEXT_SCHEMA,
    runId: manifest.runId,
    sweep: manifest.sweep,
    dataset: { ...manifest.dataset, ...(prepared ? { prepared } : {}) },
  };
}

export async function writeTrainContext(store: Store, context: TrainContext): Promise<void> {
  await putJson(store, keys.trainContext(context.runId), context);
}

/** A run's context and an item's candidate, as one Train task needs them. */
export interface TaskContext {
  context: TrainContext;
  candidate: Candidate;
}

const CACHE_SIZE = 8;
const cache = new Map<string, Promise<TrainContext>>();

/**
 * The run's context (cached per process) and the item's candidate: from the item when it carries it
 * (checked against its id), else from run.json — as for runs planned before the context existed.
 */
export async function readTaskContext(store: Store, item: Pick<WorkItem, 'runId' | 'candidateId' | 'candidate'>): Promise<TaskContext> {
  const id = `${store.location}\u0000${item.runId}`;
  let manifest: RunManifest | undefined;
  let loading = cache.get(id);
  if (!loading) {
    loading = (async () => {
      const key = keys.trainContext(item.runId);
      if (await store.exists(key)) return parseContext(await getJson(store, key), key);
      manifest = await readManifest(store, item.runId);
      return trainContextOf(manifest, undefined);
    })();
    cache.set(id, loading);
    loading.catch(() => cache.delete(id));
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  const context = await loading;
  if (item.candidate !== undefined) return { context, candidate: itemCandidate(item) };
  manifest ??= await readManifest(store, item.runId);
  return { context, candidate: findCandidate(manifest, item.candidateId) };
}

function parseContext(doc: unknown, key: string): TrainContext {
  const parsed = trainContextSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LayerbenchError(`${key}: not a ${TRAIN_CONTEXT_SCHEMA} document (${issue.path.join('.') || '(root)'}: ${issue.message})`, { code: 'E_MANIFEST', kind: 'fatal' });
  }
  return parsed.data;
}

function itemCandidate(item: Pick<WorkItem, 'runId' | 'candidateId' | 'candidate'>): Candidate {
  const parsed = candidateSchema.safeParse(item.candidate);
  if (!parsed.success || parsed.data.id !== item.candidateId) {
    throw new LayerbenchError(`run ${item.runId}: item ${item.candidateId} carries ${parsed.success ? `candidate ${parsed.data.id}` : 'no valid candidate'}`, { code: 'E_MANIFEST', kind: 'fatal' });
  }
  return parsed.data;
}
