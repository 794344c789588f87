/**
 * Resuming a run: which of its candidates still need training. A candidate is done when its document
 * says it succeeded, or that it failed for a reason training it again would not cure. Everything else
 * is trained (again):
 *  - no document, or one that cannot be read (truncated, not a candidate document) — with a warning
 *    naming it, since a run should never be stuck on one broken file;
 *  - a failure that says nothing about the candidate (`transient`: an outage; `crashed`: its process
 *    died) — see RETRIED_ON_RESUME;
 *  - with `retryFailed`, every failure.
 */
import { DocumentError } from '../errors.js';
import { BASELINE_SCHEMA, baselineDocSchema } from '../results/baseline.js';
import { readCandidateDoc, RETRIED_ON_RESUME } from '../results/document.js';
import { FINAL_MODEL_SCHEMA, finalModelDocSchema } from '../results/final-model.js';
import { HALVING_SCHEMA, halvingStateSchema } from '../results/halving.js';
import type { Candidate } from '../sweep/candidate.js';
import { keys } from '../store/keys.js';
import { readDocument, type Store } from '../store/store.js';

export interface ResumeOptions {
  /** Train every failed candidate again, whatever its failure kind. */
  retryFailed?: boolean;
}

export interface ResumeState {
  /** Candidates to train, in the order given; `retrain` when a document exists and is to be replaced. */
  todo: { candidate: Candidate; retrain: boolean }[];
  /** One line per document that could not be read. */
  warnings: string[];
}

export async function resumeState(store: Store, runId: string, candidates: Candidate[], opts: ResumeOptions = {}): Promise<ResumeState> {
  const existing = new Set(await store.list(keys.candidatesPrefix(runId)));
  const todo: ResumeState['todo'] = [];
  const warnings: string[] = [];
  for (const candidate of candidates) {
    const key = keys.candidate(runId, candidate.id);
    if (!existing.has(key)) {
      todo.push({ candidate, retrain: false });
      continue;
    }
    const read = await readCandidateDoc(store, key);
    if (!read.ok) {
      warnings.push(`${read.reason}; training ${candidate.id} again`);
      todo.push({ candidate, retrain: true });
      continue;
    }
    const { doc } = read;
    if (doc.status === 'failed' && (opts.retryFailed || RETRIED_ON_RESUME.includes(doc.error?.kind ?? 'candidate'))) {
      todo.push({ candidate, retrain: true });
    }
  }
  return { todo, warnings };
}

/**
 * The documents a resumed run reads back as they are — its baseline, its halving rounds, its final
 * model's record — each one present must be readable: otherwise the resume is refused with one line
 * naming the key, before anything is written (not after training, when Aggregate or Report reads it).
 * A candidate document that cannot be read is no reason to refuse: that candidate is trained again.
 */
export async function checkRunDocuments(store: Store, runId: string): Promise<void> {
  const documents = [
    [keys.baseline(runId), baselineDocSchema, BASELINE_SCHEMA],
    [keys.halving(runId), halvingStateSchema, HALVING_SCHEMA],
    [keys.finalModelDoc(runId), finalModelDocSchema, FINAL_MODEL_SCHEMA],
  ] as const;
  for (const [key, schema, what] of documents) {
    if (!(await store.exists(key))) continue;
    const read = await readDocument<unknown>(store, key, schema, what);
    if (read.ok || read.missing) continue;
    throw new DocumentError(key, `${read.error instanceof DocumentError ? read.error.problem : read.reason}; run ${runId} cannot be resumed (choose another run id, or delete the file)`);
  }
}
