/**
 * Aggregate: per run, record the candidates the Map's Catch reported (a task that crashed, timed out
 * or spent its retries leaves no document of its own), read the candidate documents, write the
 * leaderboard as JSON, CSV and Markdown under `runs/<runId>/`, and choose the recommendation. The
 * report and the history are the Report step's (src/steps/report.ts).
 */
import { caughtFailureKind, failedCandidateDoc, type CandidateDoc } from '../results/document.js';
import { analyzeRun } from '../report/stats.js';
import type { Candidate } from '../search/candidates.js';
import type { SweepSpec } from '../spec/schema.js';
import { keys } from '../store/keys.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { readRunDocuments } from './documents.js';
import { buildLeaderboard, LEADERBOARD_SCHEMA, leaderboardCsv, leaderboardMarkdown, type Leaderboard } from './leaderboard.js';
import { readManifest } from './manifest.js';
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
  const lb = buildLeaderboard(manifest, docs, missing, now.toISOString());
  await putJson(store, keys.leaderboard(runId, 'json'), lb);
  await store.put(keys.leaderboard(runId, 'csv'), leaderboardCsv(lb), 'text/csv');
  await store.put(keys.leaderboard(runId, 'md'), leaderboardMarkdown(lb), 'text/markdown');
  return { ...summarise(lb), ...recommendation(docs, manifest.sweep) };
}

/** The smallest candidate within one standard error of the best (src/report/stats.ts), when there is one. */
function recommendation(docs: CandidateDoc[], spec: SweepSpec): { recommended?: string } {
  const id = analyzeRun(docs, spec).recommended?.candidate.id;
  return id ? { recommended: id } : {};
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
  };
}

/** A duplicated execution leaves the run alone and reports what its leaderboard says (if it has one yet). */
async function existingSummary(store: Store, runId: string, sweep: string): Promise<RunSummary> {
  const key = keys.leaderboard(runId, 'json');
  if (await store.exists(key)) {
    const lb = await getJson<Leaderboard>(store, key);
    if (lb.schema === LEADERBOARD_SCHEMA) return { ...summarise(lb), duplicate: true };
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

function caughtFailureDoc(runId: string, candidate: Candidate, failure: CaughtFailure, now: Date): CandidateDoc {
  const at = now.toISOString();
  const name = failure.error?.Error ?? '';
  return failedCandidateDoc({
    runId,
    candidate,
    error: {
      kind: caughtFailureKind(name),
      code: name === 'States.Timeout' ? 'E_TIMEOUT' : 'E_TASK_FAILED',
      message: caughtReason(failure.error ?? {}),
    },
    startedAt: at,
    finishedAt: at,
  });
}
