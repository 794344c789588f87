/**
 * `layerbench results <runId> --stack <name> [--out dir]`: download a run's leaderboard and report
 * from the deployed stack's bucket and print the leaderboard.
 */
import type { Command } from 'commander';
import { cloudClients, type CloudClients } from '../../cloud/clients.js';
import { fetchResults, type FetchedResults } from '../../cloud/results.js';
import { withCloudOptions, type CloudCommandOptions } from './submit.js';
import { leaderboardTable } from '../../report/terminal.js';

export interface ResultsCommandOptions extends CloudCommandOptions {
  out: string;
}

export const DEFAULT_RESULTS_DIR = 'layerbench-results';

export function registerResults(program: Command): void {
  withCloudOptions(
    program
      .command('results')
      .description("download a run's leaderboard and report from a deployed stack")
      .argument('<runId>', 'the run id'),
  )
    .option('--out <dir>', 'where to write <runId>/…', DEFAULT_RESULTS_DIR)
    .action(async (runId: string, opts: ResultsCommandOptions) => {
      await resultsCommand(runId, opts);
    });
}

export async function resultsCommand(
  runId: string,
  opts: ResultsCommandOptions,
  clients: CloudClients = cloudClients({ region: opts.region }),
  out: NodeJS.WritableStream = process.stdout,
): Promise<FetchedResults> {
  const r = await fetchResults(clients, runId, { stack: opts.stack, out: opts.out ?? DEFAULT_RESULTS_DIR });
  out.write(`${leaderboardTable(r.leaderboard)}\n`);
  out.write(`from ${r.location}\n${r.files.map((f) => `  ${f}`).join('\n')}\n`);
  return r;
}
