/**
 * RecordFailure: the Map's Catch path. A Train task that crashed, timed out or spent its retries
 * leaves no document of its own; this step writes the candidate's failed document with the reason
 * the Catch reported, so Aggregate finds one document per candidate in the store. It never replaces
 * a document that is there (the task may have written it after all, e.g. just before a timeout).
 */
import { failedCandidateDoc, type CandidateDoc } from '../results/document.js';
import type { Candidate } from '../search/candidates.js';
import { keys } from '../store/keys.js';
import { putJsonIfAbsent, type Store } from '../store/store.js';
import { readManifest } from './manifest.js';
import type { CaughtFailure } from './types.js';

export interface RecordFailureOptions {
  now?: Date;
}

/** Whether a failed document was written, and the reason recorded. */
export interface RecordFailureOutput {
  recorded: boolean;
  reason: string;
}

export async function recordFailure(store: Store, input: CaughtFailure, opts: RecordFailureOptions = {}): Promise<RecordFailureOutput> {
  const reason = caughtReason(input.error ?? {});
  const manifest = await readManifest(store, input.runId);
  const candidate = manifest.candidates.find((c) => c.id === input.candidateId);
  // An item Plan did not make has no document to write; Aggregate only ranks the manifest's candidates.
  if (!candidate) return { recorded: false, reason };
  const doc = caughtFailureDoc(input.runId, candidate, input, opts.now ?? new Date());
  return { recorded: await putJsonIfAbsent(store, keys.candidate(input.runId, candidate.id), doc), reason };
}

/** The reason in a Catch's error: Lambda's Cause is often the JSON of `{ errorType, errorMessage, trace }`. */
export function caughtReason(error: CaughtFailure['error']): string {
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // not JSON: the cause as it is
  }
  const name = error.Error ?? 'Error';
  return cause ? `${name}: ${cause}` : name;
}

/** Names of our fatal errors (errors.ts), as a Catch reports them. */
const FATAL_ERRORS = new Set(['LayerbenchError', 'SpecError', 'DataError', 'NotFoundError']);

function caughtFailureDoc(runId: string, candidate: Candidate, failure: CaughtFailure, now: Date): CandidateDoc {
  const at = now.toISOString();
  const name = failure.error?.Error ?? '';
  return failedCandidateDoc({
    runId,
    candidate,
    error: {
      kind: name === 'TransientError' ? 'transient' : FATAL_ERRORS.has(name) ? 'fatal' : 'candidate',
      code: name === 'States.Timeout' ? 'E_TIMEOUT' : 'E_TASK_FAILED',
      message: caughtReason(failure.error ?? {}),
    },
    startedAt: at,
    finishedAt: at,
  });
}
