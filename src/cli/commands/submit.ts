/**
 * `layerbench submit <sweep> --stack <name>`: validate a sweep and upload it to the deployed stack's
 * bucket, which starts its run — or, with --start, start an execution for the registered sweep.
 */
import type { Command } from 'commander';
import { cloudClients, type CloudClients } from '../../cloud/clients.js';
import { submitSweep, type SubmitResult } from '../../cloud/submit.js';

/** Options every command that drives a deployed stack shares (status and results use them too). */
export interface CloudCommandOptions {
  stack: string;
  region?: string;
}

export const DEFAULT_STACK = 'layerbench';

export function withCloudOptions(cmd: Command): Command {
  return cmd
    .option('--stack <name>', 'the deployed layerbench stack (CloudFormation stack name)', process.env.LAYERBENCH_STACK || DEFAULT_STACK)
    .option('--region <region>', 'AWS region of the stack (default: AWS_REGION or the profile)');
}

export interface SubmitCommandOptions extends CloudCommandOptions {
  start?: boolean;
  runId?: string;
}

export function registerSubmit(program: Command): void {
  withCloudOptions(
    program
      .command('submit')
      .description("upload a sweep to a deployed stack's bucket (the upload starts its run)")
      .argument('<sweep>', 'the sweep spec, a JSON file (with --start: or the name of a registered sweep)'),
  )
    .option('--start', 'start an execution of the registered sweep now, without uploading')
    .option('--run-id <id>', 'with --start: the run id (and execution name)')
    .action(async (sweep: string, opts: SubmitCommandOptions) => {
      await submitCommand(sweep, opts);
    });
}

export async function submitCommand(
  sweep: string,
  opts: SubmitCommandOptions,
  clients: CloudClients = cloudClients({ region: opts.region }),
  out: NodeJS.WritableStream = process.stdout,
): Promise<SubmitResult> {
  const r = await submitSweep(clients, sweep, { stack: opts.stack, start: opts.start, runId: opts.runId });
  const follow = `layerbench status ${r.runId} --stack ${r.stack.stackName}`;
  if (r.executionArn) {
    out.write(`started run ${r.runId} of ${r.key}\nexecution: ${r.executionArn}\nfollow it: ${follow}\n`);
  } else {
    out.write(`uploaded ${r.key} to s3://${r.stack.bucket} (ETag ${r.etag}); the upload starts run ${r.runId}\nfollow it: ${follow}\n`);
  }
  return r;
}
