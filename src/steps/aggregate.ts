/**
 * Aggregate: per run, list and read the candidate documents in the store (RecordFailure wrote one
 * for every candidate the Map's Catch reported) and the run's baseline (when it has one), write the
 * leaderboard as JSON, CSV and Markdown under `runs/<runId>/`, and choose the recommendation — one
 * analysis (src/report/stats.ts) for both. The report and the history are the Report step's
 * (src/steps/report.ts). Nothing but run ids arrives through the state payload.
 */
import { keys } from '../store/keys.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { readRunDocuments, type RunDocuments } from './documents.js';
import { buildLeaderboard, leaderboardCsv, leaderboardMarkdown, parseLeaderboard, type Leaderboard } from './leaderboard.js';
import { readManifest, type RunManifest } from './manifest.js';
import { readRunExtras, type RunExtras } from '../report/run-extras.js';
import type { AggregateInput, AggregateOutput, RunSummary } from './types.js';

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
    runs.push(await aggregateRun(store, ref.runId, opts.now ?? new Date()));
  }
  return { runs };
}

async function aggregateRun(store: Store, runId: string, now: Date): Promise<RunSummary> {
  const manifest = await readManifest(store, runId);
  const { docs, missing } = await readRunDocuments(store, manifest);
  const extras = await readRunExtras(store, runId);
  return summarise(await writeLeaderboard(store, manifest, { docs, missing }, extras, now));
}

/**
 * Build the run's leaderboard and write it as JSON, CSV and Markdown. Aggregate writes it first; Report
 * writes it again once Finalize saved the final model, whose test score it then carries.
 */
export async function writeLeaderboard(store: Store, manifest: RunManifest, read: RunDocuments, extras: RunExtras, now: Date): Promise<Leaderboard> {
  const runId = manifest.runId;
  const lb = buildLeaderboard(manifest, read.docs, read.missing, now.toISOString(), extras);
  await putJson(store, keys.leaderboard(runId, 'json'), lb);
  await store.put(keys.leaderboard(runId, 'csv'), leaderboardCsv(lb), 'text/csv');
  await store.put(keys.leaderboard(runId, 'md'), leaderboardMarkdown(lb), 'text/markdown');
  return lb;
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
