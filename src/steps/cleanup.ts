/**
 * What a run leaves behind that it no longer needs, deleted when it is done with it: the candidates'
 * checkpoints once the run has no round left to train, and each item list once its Map has read it.
 * Only scratch is ever deleted (src/store/keys.ts isScratchKey), never a result. In the cloud the
 * bucket's lifecycle rules expire the scratch of runs that never get here (infra/constructs/data-bucket.ts).
 */
import { LayerbenchError } from '../errors.js';
import { mapConcurrent } from '../store/concurrent.js';
import { isScratchKey, keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

/** Deletes at once: as many as documents are read at once (src/steps/documents.ts). */
const DELETE_CONCURRENCY = 32;

/** Deletes the given scratch keys; a key that is not scratch is refused before anything is deleted. */
export async function deleteScratch(store: Store, scratch: readonly string[]): Promise<void> {
  const result = scratch.find((key) => !isScratchKey(key));
  if (result !== undefined) throw new LayerbenchError(`${result}: not scratch, never deleted`, { code: 'E_INTERNAL', kind: 'fatal', exitCode: 1 });
  await mapConcurrent(scratch, DELETE_CONCURRENCY, (key) => store.delete(key));
}

/** A finished run's checkpoints (runs/<runId>/checkpoints/). */
export async function deleteCheckpoints(store: Store, runId: string): Promise<void> {
  await deleteScratch(store, await store.list(keys.checkpointsPrefix(runId)));
}
