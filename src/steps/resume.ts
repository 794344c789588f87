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
import { readCandidateDoc, RETRIED_ON_RESUME } from '../results/document.js';
import type { Candidate } from '../search/candidates.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

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
