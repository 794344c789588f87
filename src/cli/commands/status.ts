/**
 * `layerbench status <runId|executionArn> --stack <name>`: follow a run of a deployed stack with the
 * same progress display as local runs, until its leaderboard is written.
 */
import { cloudClients, type CloudClients } from '../../cloud/clients.js';
import { runStatus, type StatusResult } from '../../cloud/status.js';
import { createProgressDisplay } from '../progress.js';
import type { CloudCommandOptions } from './submit.js';

export interface StatusCommandOptions extends CloudCommandOptions {
  follow?: boolean;
  interval?: number;
  json?: boolean;
}

/** `--json`: the execution and the progress of its runs. */
export const STATUS_RESULT_SCHEMA = 'layerbench.cli.status.v1' as const;

export async function statusAction(run: string, opts: StatusCommandOptions): Promise<void> {
  await statusCommand(run, opts);
}

export async function statusCommand(
  run: string,
  opts: StatusCommandOptions,
  clients: CloudClients = cloudClients({ region: opts.region }),
  out: NodeJS.WritableStream = process.stdout,
  sleep?: (ms: number) => Promise<void>,
): Promise<StatusResult> {
  const progress = createProgressDisplay({ quiet: opts.quiet });
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
  if (opts.json) {
    out.write(`${JSON.stringify({ schema: STATUS_RESULT_SCHEMA, ...result }, null, 2)}\n`);
    return result;
  }
  if (result.execution) out.write(`execution ${result.execution.arn}: ${result.execution.status}\n`);
  for (const r of result.runs) {
    const done = r.succeeded + r.failed;
    out.write(
      `run ${r.runId} (${r.sweep}): ${done}/${r.candidates} candidates done, ${r.failed} failed` + `${r.leaderboardKey ? ` · leaderboard s3://${result.stack.bucket}/${r.leaderboardKey}` : ''}\n`,
    );
    if (r.leaderboardKey) out.write(`fetch it: layerbench results ${r.runId} --stack ${result.stack.stackName}\n`);
  }
  if (result.runs.length === 0) out.write('no run planned (yet)\n');
  return result;
}
