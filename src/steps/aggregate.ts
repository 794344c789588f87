/**
 * Aggregate: per run, record the candidates the Map's Catch reported (a task that crashed, timed out
 * or spent its retries leaves no document of its own), read the candidate documents and the run's
 * baseline (when it has one), write the leaderboard as JSON, CSV and Markdown under `runs/<runId>/`,
 * and choose the recommendation — one analysis (src/report/stats.ts) for both. The report and the
 * history are the Report step's (src/steps/report.ts).
 */
import { failedCandidateDoc, type CandidateDoc } from '../results/document.js';
import type { Candidate } from '../search/candidates.js';
import { keys } from '../store/keys.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { readRunDocuments } from './documents.js';
import { buildLeaderboard, leaderboardCsv, leaderboardMarkdown, parseLeaderboard, type Leaderboard } from './leaderboard.js';
import { readManifest } from './manifest.js';
import { readRunExtras } from '../report/run-extras.js';
import type { AggregateInput, AggregateOutput, CaughtFailure, RunSummary } from './types.js';

export interface AggregateOptions {
  now?: Date;
}

export async function aggregate(store: Store, input: AggregateInput, opts: AggregateOptions = {}): Promise<AggregateOutput> {
  const runs: RunSummary[] = [];
  for (const ref of input.runs ?? []) {
    if (ref.duplicate) {
      runs.push(await existingSummary(store, ref.runId, ref.sweep));
      continue;
    }
    const caught = (input.results ?? []).filter(
      (r): r is CaughtFailure => r.runId === ref.runId && r.status === 'failed' && 'error' in r,
    );
    runs.push(await aggregateRun(store, ref.runId, caught, opts.now ?? new Date()));
  }
  return { runs };
}

async function aggregateRun(store: Store, runId: string, caught: CaughtFailure[], now: Date): Promise<RunSummary> {
  const manifest = await readManifest(store, runId);
  for (const failure of caught) {
    const candidate = manifest.candidates.find((c) => c.id === failure.candidateId);
    const key = keys.candidate(runId, failure.candidateId);
    if (candidate && !(await store.exists(key))) await putJson(store, key, caughtFailureDoc(runId, candidate, failure, now));
  }
  const { docs, missing } = await readRunDocuments(store, manifest);
  const extras = await readRunExtras(store, runId);
  const lb = buildLeaderboard(manifest, docs, missing, now.toISOString(), extras);
  await putJson(store, keys.leaderboard(runId, 'json'), lb);
  await store.put(keys.leaderboard(runId, 'csv'), leaderboardCsv(lb), 'text/csv');
  await store.put(keys.leaderboard(runId, 'md'), leaderboardMarkdown(lb), 'text/markdown');
  return summarise(lb);
}

function summarise(lb: Leaderboard): RunSummary {
  const top = lb.rows[0];
  return {
    runId: lb.runId,
    sweep: lb.sweep,
    leaderboardKey: keys.leaderboard(lb.runId, 'json'),
    succeeded: lb.rows.length,
    failed: lb.failed.length,
    ...(top ? { best: { candidateId: top.candidateId, metric: lb.metric.name, value: top.metric.mean } } : {}),
    ...(lb.recommended ? { recommended: lb.recommended.candidateId } : {}),
  };
}

/** A duplicated execution leaves the run alone and reports what its leaderboard says (if it has one yet). */
async function existingSummary(store: Store, runId: string, sweep: string): Promise<RunSummary> {
  const key = keys.leaderboard(runId, 'json');
  if (await store.exists(key)) {
    // Either version: a v1 leaderboard (an older run) has no recommendation to report.
    let lb: Leaderboard | null = null;
    try {
      lb = parseLeaderboard(await getJson(store, key), key);
    } catch {
      lb = null; // not a leaderboard we can read: report the run without one
    }
    if (lb) return { ...summarise(lb), duplicate: true };
  }
  return { runId, sweep, leaderboardKey: key, succeeded: 0, failed: 0, duplicate: true };
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
