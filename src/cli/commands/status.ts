/**
 * `layerbench status <runId|executionArn> --stack <name>`: follow a run of a deployed stack with the
 * same progress display as local runs, until its leaderboard is written.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { cloudClients, type CloudClients } from '../../cloud/clients.js';
import { runStatus, type StatusResult } from '../../cloud/status.js';
import { createProgressDisplay } from '../../workflow/progress.js';
import { withCloudOptions, type CloudCommandOptions } from './submit.js';

export interface StatusCommandOptions extends CloudCommandOptions {
  follow?: boolean;
  interval?: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1) throw new InvalidArgumentError('must be a number of seconds ≥ 1');
  return n;
}

export function registerStatus(program: Command): void {
  withCloudOptions(
    program
      .command('status')
      .description('follow a run of a deployed stack (by run id or execution ARN) until its leaderboard is written')
      .argument('<run>', 'a run id, or a Step Functions execution ARN'),
  )
    .option('--no-follow', 'look once and exit')
    .option('--interval <seconds>', 'seconds between polls', seconds, 10)
    .action(async (run: string, opts: StatusCommandOptions) => {
      await statusCommand(run, opts);
    });
}

export async function statusCommand(
  run: string,
  opts: StatusCommandOptions,
  clients: CloudClients = cloudClients({ region: opts.region }),
  out: NodeJS.WritableStream = process.stdout,
  sleep?: (ms: number) => Promise<void>,
): Promise<StatusResult> {
  const progress = createProgressDisplay();
  let result: StatusResult;
  try {
    result = await runStatus(clients, run, {
      stack: opts.stack,
      follow: opts.follow ?? true,
      intervalMs: (opts.interval ?? 10) * 1000,
      onProgress: (e) => progress.onProgress(e),
      sleep,
    });
  } finally {
    progress.stop();
  }
  if (result.execution) out.write(`execution ${result.execution.arn}: ${result.execution.status}\n`);
  for (const r of result.runs) {
    const done = r.succeeded + r.failed;
    out.write(
      `run ${r.runId} (${r.sweep}): ${done}/${r.candidates} candidates done, ${r.failed} failed` +
        `${r.leaderboardKey ? ` · leaderboard s3://${result.stack.bucket}/${r.leaderboardKey}` : ''}\n`,
    );
    if (r.leaderboardKey) out.write(`fetch it: layerbench results ${r.runId} --stack ${result.stack.stackName}\n`);
  }
  if (result.runs.length === 0) out.write('no run planned (yet)\n');
  return result;
}
