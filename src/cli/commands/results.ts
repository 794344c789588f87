/**
 * `layerbench results <runId> --stack <name> [--out dir]`: download a run's leaderboard and report
 * from the deployed stack's bucket and print the leaderboard (or, with --json, one JSON document with
 * the leaderboard and the recommendation). On a terminal, stderr says what is being fetched meanwhile.
 */
import { cloudClients, type CloudClients } from '../../cloud/clients.js';
import { fetchResults, type FetchedResults } from '../../cloud/results.js';
import { leaderboardTable } from '../../report/terminal.js';
import type { LeaderboardRow } from '../../results/leaderboard.js';
import { withActivity } from '../activity.js';
import type { CloudCommandOptions } from './submit.js';

export interface ResultsCommandOptions extends CloudCommandOptions {
  out: string;
  json?: boolean;
}

export const DEFAULT_RESULTS_DIR = 'layerbench-results';

/** `--json`: the run's leaderboard, its recommendation, and the files written. */
export const RESULTS_RESULT_SCHEMA = 'layerbench.cli.results.v1' as const;

export async function resultsAction(runId: string, opts: ResultsCommandOptions): Promise<void> {
  await resultsCommand(runId, opts);
}

export async function resultsCommand(
  runId: string,
  opts: ResultsCommandOptions,
  clients: CloudClients = cloudClients({ region: opts.region }),
  out: NodeJS.WritableStream = process.stdout,
): Promise<FetchedResults> {
  const r = await withActivity(opts, (activity) => {
    activity.phase(`downloading run ${runId}'s results from stack ${opts.stack}`);
    return fetchResults(clients, runId, { stack: opts.stack, out: opts.out ?? DEFAULT_RESULTS_DIR });
  });
  if (opts.json) {
    out.write(`${JSON.stringify({ schema: RESULTS_RESULT_SCHEMA, runId, location: r.location, files: r.files, recommended: recommendedRow(r), leaderboard: r.leaderboard }, null, 2)}\n`);
    return r;
  }
  out.write(`${leaderboardTable(r.leaderboard)}\n`);
  out.write(`from ${r.location}\n${r.files.map((f) => `  ${f}`).join('\n')}\n`);
  return r;
}

/** The recommended candidate's row (null when the run recommends none). */
function recommendedRow(r: FetchedResults): LeaderboardRow | null {
  return r.leaderboard.rows.find((row) => row.candidateId === r.leaderboard.recommended?.candidateId) ?? null;
}
