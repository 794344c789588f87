/**
 * Failed candidates, summed up for every surface: how many failed and the most common reason. A
 * reason that names its own candidate ("candidate dense-d1-w8-… ran longer than 900 s") is counted
 * with the same reason of the others by leaving the id out.
 */
import { count } from '../format.js';

export interface Failure {
  candidateId: string;
  reason: string;
}

export interface FailureSummary {
  failed: number;
  /** The most common reason, its candidate's id left out, and how many share it. */
  reason: string;
  sharing: number;
  /** Other distinct reasons. */
  others: number;
}

/** A reason without the id of the candidate it belongs to. */
export function generalReason(f: Failure): string {
  return f.reason.split(f.candidateId).join('the candidate').replace(/\s+/g, ' ').trim() || 'no reason recorded';
}

export function summarizeFailures(failed: readonly Failure[]): FailureSummary | null {
  if (failed.length === 0) return null;
  const counts = new Map<string, number>();
  for (const f of failed) {
    const r = generalReason(f);
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const [reason, sharing] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
  return { failed: failed.length, reason, sharing, others: counts.size - 1 };
}

/** `All 12 candidates failed.` and the most common reason, in two sentences. */
export function allFailedSentences(failed: readonly Failure[], planned: number): string[] {
  const s = summarizeFailures(failed);
  if (!s) return [`None of the ${count(planned, 'candidate')} produced a result.`];
  const all =
    s.failed === planned ? (planned === 1 ? 'The only candidate failed' : `All ${count(planned, 'candidate')} failed`) : `${s.failed} of ${count(planned, 'candidate')} failed and none was ranked`;
  const share = s.sharing === s.failed ? (s.failed === 1 ? '' : ` (all ${s.failed})`) : ` (${s.sharing} of ${s.failed}${s.others > 0 ? `; ${count(s.others, 'other reason')}` : ''})`;
  return [`${all}: nothing was ranked.`, `Most common reason${share}: ${s.reason}`];
}
