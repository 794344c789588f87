/**
 * The items of Train tasks that handed over (status "continue", src/steps/train.ts): each left its
 * work item at `keys.continuation`, and the parent workflow — not the Map's child, which may be an
 * Express execution of five minutes at most — trains it again. Aggregate sees a run has some and
 * sends the workflow to Promote, which takes them as the Map's next items before deciding anything.
 */
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';
import { trainInputSchema, type WorkItem } from './types.js';

const isContinuation = (key: string) => key.endsWith('.continue.json');

/** The keys of a run's handed-over items. */
export async function continuationKeys(store: Store, runId: string): Promise<string[]> {
  return (await store.list(keys.checkpointsPrefix(runId))).filter(isContinuation).sort();
}

/** A run's handed-over items and their keys (to delete once the next item list is written: a retried Promote finds them again). */
export async function readContinuations(store: Store, runId: string): Promise<{ items: WorkItem[]; keys: string[] }> {
  const found = await continuationKeys(store, runId);
  return { items: await Promise.all(found.map(async (key) => trainInputSchema.parse(await getJson(store, key)))), keys: found };
}
