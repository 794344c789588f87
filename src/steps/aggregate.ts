/**
 * Aggregate: per run, read the candidate documents, record the candidates the Map's Catch reported
 * (a task that crashed, timed out or spent its retries leaves no document of its own), and write the
 * leaderboard as JSON, CSV and Markdown and the report as HTML and Markdown under `runs/<runId>/`.
 */
import { CANDIDATE_DOC_SCHEMA, candidateDocSchema, failedCandidateDoc, type CandidateDoc } from '../results/document.js';
import type { Candidate } from '../search/candidates.js';
import { keys } from '../store/keys.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { buildLeaderboard, LEADERBOARD_SCHEMA, leaderboardCsv, leaderboardMarkdown, type Leaderboard, type MissingResult } from './leaderboard.js';
import { readManifest } from './manifest.js';
import { writeRunReport } from '../report/run-report.js';
import type { AggregateInput, AggregateOutput, CaughtFailure } from './types.js';

export interface AggregateOptions {
  now?: Date;
}

type RunSummary = AggregateOutput['runs'][number];

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
  const docs: CandidateDoc[] = [];
  const missing: MissingResult[] = [];
  for (const candidate of manifest.candidates) {
    const key = keys.candidate(runId, candidate.id);
    if (await store.exists(key)) {
      const parsed = candidateDocSchema.safeParse(await getJson(store, key));
      if (parsed.success) docs.push(parsed.data);
      else missing.push({ candidateId: candidate.id, reason: `${key}: not a ${CANDIDATE_DOC_SCHEMA} document` });
      continue;
    }
    const failure = caught.find((c) => c.candidateId === candidate.id);
    if (failure) {
      const doc = caughtFailureDoc(runId, candidate, failure, now);
      await putJson(store, key, doc);
      docs.push(doc);
    } else {
      missing.push({ candidateId: candidate.id, reason: 'no result document: the task did not report' });
    }
  }
  const lb = buildLeaderboard(manifest, docs, missing, now.toISOString());
  await putJson(store, keys.leaderboard(runId, 'json'), lb);
  await store.put(keys.leaderboard(runId, 'csv'), leaderboardCsv(lb), 'text/csv');
  await store.put(keys.leaderboard(runId, 'md'), leaderboardMarkdown(lb), 'text/markdown');
  // The report answers "which depth and width, and how sure?"; it also appends the run to the
  // sweep's history and compares it with earlier runs (nightly).
  const report = await writeRunReport(store, runId, manifest.sweep, docs);
  return {
    ...summarise(lb),
    reportKey: report.htmlKey,
    ...(report.recommended ? { recommended: report.recommended } : {}),
    ...(report.historyKey ? { historyKey: report.historyKey } : {}),
  };
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
