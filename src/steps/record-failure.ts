/**
 * RecordFailure: the Map's Catch path. A Train task that crashed, timed out or spent its retries
 * leaves no document of its own; this step writes the candidate's failed document with the reason
 * the Catch reported, so Aggregate finds one document per candidate in the store. It never replaces
 * a document that is there (the task may have written it after all, e.g. just before a timeout), except
 * the old failure of a candidate a resumed run retrained.
 */
import { StoreError } from '../errors.js';
import { caughtFailureKind, failedCandidateDoc, readCandidateDoc, type CandidateDoc } from '../results/document.js';
import type { Candidate } from '../sweep/candidate.js';
import { keys } from '../store/keys.js';
import { putJson, putJsonIfAbsent, type Store } from '../store/store.js';
import { readManifest } from '../results/manifest.js';
import { fractionKey } from '../results/learning-curve.js';
import { currentRound, readHalvingState } from '../results/halving.js';
import { caughtFailureSchema, parsePayload, type CaughtFailure } from './types.js';

export interface RecordFailureOptions {
  now?: Date;
}

/** Whether a failed document was written, and the reason recorded. */
export interface RecordFailureOutput {
  recorded: boolean;
  reason: string;
}

export async function recordFailure(store: Store, payload: CaughtFailure, opts: RecordFailureOptions = {}): Promise<RecordFailureOutput> {
  const input = parsePayload(caughtFailureSchema, payload, 'RecordFailure');
  // A store that cannot be used (a full disk, refused credentials) is no candidate's failure and no
  // retry cures it: the run stops here, at once, with the real message (src/errors.ts).
  if (input.error?.Error === 'StoreError') throw new StoreError(caughtMessage(input.error));
  const reason = caughtReason(input.error ?? {});
  const manifest = await readManifest(store, input.runId);
  const candidate = manifest.candidates.find((c) => c.id === input.candidateId);
  // An item Plan did not make has no document to write; Aggregate only ranks the manifest's candidates.
  if (!candidate) return { recorded: false, reason };
  const doc = caughtFailureDoc(input.runId, candidate, input, opts.now ?? new Date(), manifest.sweep.training.maxTaskSeconds);
  // A learning curve's item failed: its point's document, never the candidate's own.
  if (input.fraction !== undefined) {
    const recorded = await putJsonIfAbsent(store, keys.curvePoint(input.runId, candidate.id, fractionKey(input.fraction)), doc);
    return { recorded, reason };
  }
  const key = keys.candidate(input.runId, candidate.id);
  if (await putJsonIfAbsent(store, key, doc)) return { recorded: true, reason };
  // A halving candidate that failed in a later round replaces its document of the round before, so
  // Promote sees the round finished (it would otherwise hand the item out again).
  const halving = await readHalvingState(store, input.runId);
  const round = halving ? currentRound(halving) : undefined;
  if (halving && round?.candidates.includes(candidate.id)) {
    const before = await readCandidateDoc(store, key);
    if (before.ok && before.doc.status === 'succeeded' && (before.doc.rung?.round ?? -1) < round.round) {
      await putJson(store, key, { ...doc, rung: { round: round.round, epochs: round.epochs, rounds: halving.budgets.length } });
      return { recorded: true, reason };
    }
  }
  // A resumed run's retrain failed again: its new reason replaces the old failure (never a success).
  const existing = input.retrain ? await readCandidateDoc(store, key) : undefined;
  if (existing && !(existing.ok && existing.doc.status === 'succeeded')) {
    await putJson(store, key, doc);
    return { recorded: true, reason };
  }
  return { recorded: false, reason };
}

/** The reason in a Catch's error: Lambda's Cause is often the JSON of `{ errorType, errorMessage, trace }`. */
export function caughtReason(error: CaughtFailure['error']): string {
  const cause = caughtMessage(error);
  const name = error.Error ?? 'Error';
  return cause ? `${name}: ${cause}` : name;
}

/** The message of a Catch's error: the Cause, or its `errorMessage` when it is Lambda's JSON. */
function caughtMessage(error: CaughtFailure['error']): string {
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause as it is
  }
  return cause;
}

/**
 * A timeout in words that say what to do: which limit was hit (when the cause names it: the local
 * runner's "ran longer than 900 s", Lambda's "Task timed out after 900.02 seconds") and which setting
 * to change. A task checkpoints after training.maxTaskSeconds only between epochs, so the limit must
 * leave room for one epoch and for saving.
 */
export function timeoutMessage(cause: string, maxTaskSeconds: number): string {
  const m = /(?:longer than|after) (\d+(?:\.\d+)?) s/.exec(cause);
  const limit = m ? Math.round(Number(m[1])) : null;
  const fix =
    limit !== null && maxTaskSeconds >= limit
      ? `training.maxTaskSeconds (${maxTaskSeconds} s) is not below it, so the task never handed over: set it below ${limit} s, or raise the limit`
      : `a task hands over to the next after training.maxTaskSeconds (${maxTaskSeconds} s), but only between epochs: lower it to leave room for one epoch and for saving, or raise the limit`;
  return `timed out: a Train task ran past ${limit === null ? 'its time limit' : `its ${limit} s limit`} (locally --train-timeout, default 900 s; deployed, the Train function's timeout, -c trainTimeoutMinutes); ${fix}`;
}

function caughtFailureDoc(runId: string, candidate: Candidate, failure: CaughtFailure, now: Date, maxTaskSeconds: number): CandidateDoc {
  const at = now.toISOString();
  const name = failure.error?.Error ?? '';
  return failedCandidateDoc({
    runId,
    candidate,
    error: {
      kind: caughtFailureKind(name),
      code: name === 'States.Timeout' ? 'E_TIMEOUT' : 'E_TASK_FAILED',
      message: name === 'States.Timeout' ? timeoutMessage(caughtMessage(failure.error ?? {}), maxTaskSeconds) : caughtReason(failure.error ?? {}),
    },
    startedAt: at,
    finishedAt: at,
  });
}
