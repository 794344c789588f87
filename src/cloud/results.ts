/**
 * Fetching a run's results from a deployed stack: its leaderboard (JSON, CSV, Markdown) and report
 * (HTML, Markdown) as far as they exist, written under `<out>/<runId>/`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SpecError } from '../errors.js';
import { parseLeaderboard } from '../results/leaderboard-read.js';
import type { Leaderboard } from '../results/leaderboard.js';
import { RUN_ID } from '../results/manifest.js';
import { keys } from '../store/keys.js';
import { getJson } from '../store/store.js';
import { CloudError, type CloudClients } from './clients.js';
import { findStack, stackStore } from './stack.js';

export interface ResultsOptions {
  stack: string;
  /** Directory to write into (a `<runId>/` directory is made inside). */
  out: string;
}

export interface FetchedResults {
  leaderboard: Leaderboard;
  /** Local paths written. */
  files: string[];
  /** Where the run lives in the bucket. */
  location: string;
}

/** The run's files, in the order they are fetched; the leaderboard JSON must exist. */
export function resultKeys(runId: string): string[] {
  return [keys.leaderboard(runId, 'json'), keys.leaderboard(runId, 'csv'), keys.leaderboard(runId, 'md'), keys.report(runId, 'html'), keys.report(runId, 'md'), keys.runManifest(runId)];
}

export async function fetchResults(clients: CloudClients, runId: string, opts: ResultsOptions): Promise<FetchedResults> {
  if (!RUN_ID.test(runId)) throw new SpecError(`${JSON.stringify(runId)}: not a run id`);
  const stack = await findStack(clients, opts.stack);
  const store = stackStore(clients, stack);
  const lbKey = keys.leaderboard(runId, 'json');
  if (!(await store.exists(lbKey))) {
    const planned = await store.exists(keys.runManifest(runId));
    throw new CloudError(
      planned
        ? `run ${runId}: no leaderboard yet in ${store.location}/${keys.run(runId)}; follow it with layerbench status ${runId} --stack ${opts.stack}`
        : `run ${runId}: not in ${store.location} (no ${keys.runManifest(runId)})`,
    );
  }
  const dir = join(opts.out, runId);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const key of resultKeys(runId)) {
    if (!(await store.exists(key))) continue;
    const path = join(dir, key.slice(keys.run(runId).length));
    await writeFile(path, await store.get(key));
    files.push(path);
  }
  return { leaderboard: parseLeaderboard(await getJson(store, lbKey), lbKey), files, location: `${store.location}/${keys.run(runId)}` };
}
