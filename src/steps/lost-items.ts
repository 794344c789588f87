/**
 * Items the Map's pass lost: a child execution that ended without a result of any kind — no document
 * from Train, none from RecordFailure, no handed-over item (src/steps/continuations.ts). An Express
 * child lasts five minutes at most (infra/workflow.ts); one whose Train task spent them in retries
 * ends there, and the Map tolerates it. Aggregate reads the pass's item list before it deletes it and
 * records each such candidate as failed, with the reason, through RecordFailure's own step — so a run
 * never waits for, nor silently drops, a candidate.
 */
import { z } from 'zod';
import { fractionKey } from '../results/learning-curve.js';
import { readCandidateDoc } from '../results/document.js';
import { mapConcurrent } from '../store/concurrent.js';
import { keys } from '../store/keys.js';
import { getJsonIfPresent, type Store } from '../store/store.js';
import { recordFailure } from './record-failure.js';
import { trainInputSchema, type WorkItem } from './types.js';

/** Halving items' documents read at once: as many as documents are read at once (src/steps/documents.ts). */
const CHECK_CONCURRENCY = 32;

export const LOST_ITEM_ERROR = {
  Error: 'ChildExecutionLost',
  Cause:
    'its Map child execution ended without a result: an Express child lasts at most 5 minutes, and its Train task (with its retries) and RecordFailure did not finish within them; deploy with -c mapExecution=standard for candidates whose tasks need longer',
} as const;

/** What a run's pass left in the store: the keys of its handed-over items and of its documents (one listing each, not a request per item). */
interface PassResults {
  handedOver: ReadonlySet<string>;
  written: ReadonlySet<string>;
}

/** Whether an item left a result: its item handed over, or its document (for a halving round, that round's). */
async function leftResult(store: Store, item: WorkItem, pass: PassResults): Promise<boolean> {
  const curve = item.fraction === undefined ? null : fractionKey(item.fraction);
  if (pass.handedOver.has(keys.continuation(item.runId, item.candidateId, curve))) return true;
  const key = curve === null ? keys.candidate(item.runId, item.candidateId) : keys.curvePoint(item.runId, item.candidateId, curve);
  if (!pass.written.has(key)) return false;
  if (item.round === undefined) return true;
  // A halving candidate's document of an earlier round is not this round's result (an unreadable one is Aggregate's to report).
  const read = await readCandidateDoc(store, key);
  return !read.ok || read.doc.status === 'failed' || (read.doc.rung?.round ?? -1) >= item.round;
}

/**
 * Records every item of the list at `itemsKey` that left no result as a failed candidate; returns how
 * many. `handedOver(runId)`: the keys of the run's handed-over items (Aggregate lists them once).
 */
export async function recordLostItems(store: Store, itemsKey: string, handedOver: (runId: string) => Promise<readonly string[]>, now: Date): Promise<number> {
  // A retried Aggregate may find the list deleted: its lost items were recorded the first time.
  const list = await getJsonIfPresent(store, itemsKey);
  if (list === undefined) return 0;
  const items = z.array(trainInputSchema).parse(list);
  const passes = new Map<string, PassResults>();
  for (const runId of new Set(items.map((i) => i.runId))) {
    const curves = items.some((i) => i.runId === runId && i.fraction !== undefined);
    const [continuing, candidates, points] = await Promise.all([handedOver(runId), store.list(keys.candidatesPrefix(runId)), curves ? store.list(keys.curvePrefix(runId)) : []]);
    passes.set(runId, { handedOver: new Set(continuing), written: new Set([...candidates, ...points]) });
  }
  const lost = (await mapConcurrent(items, CHECK_CONCURRENCY, async (item) => ((await leftResult(store, item, passes.get(item.runId)!)) ? null : item))).filter((i) => i !== null);
  for (const item of lost) await recordFailure(store, { ...item, error: LOST_ITEM_ERROR }, { now });
  return lost.length;
}
