/**
 * `layerbench submit <sweep> --stack <name>`: validate a sweep and upload it to the deployed stack's
 * bucket, which starts its run — or, with --start, start an execution for the registered sweep. On a
 * terminal, stderr says what is under way meanwhile (finding the stack, checking the data, uploading).
 */
import { cloudClients, type CloudClients } from '../../cloud/clients.js';
import { submitSweep, type SubmitResult } from '../../cloud/submit.js';
import { withActivity } from '../activity.js';

/** Options every command that drives a deployed stack shares (status and results use them too). */
export interface CloudCommandOptions {
  stack: string;
  region?: string;
  quiet?: boolean;
}

export const DEFAULT_STACK = 'layerbench';

export interface SubmitCommandOptions extends CloudCommandOptions {
  start?: boolean;
  runId?: string;
}

export async function submitAction(sweep: string, opts: SubmitCommandOptions): Promise<void> {
  await submitCommand(sweep, opts);
}

export async function submitCommand(
  sweep: string,
  opts: SubmitCommandOptions,
  clients: CloudClients = cloudClients({ region: opts.region }),
  out: NodeJS.WritableStream = process.stdout,
): Promise<SubmitResult> {
  const r = await withActivity(opts, (activity) => {
    activity.phase(opts.start ? `starting a run of ${sweep} on stack ${opts.stack}` : `uploading ${sweep} to stack ${opts.stack}`);
    return submitSweep(clients, sweep, { stack: opts.stack, start: opts.start, runId: opts.runId });
  });
  const follow = `layerbench status ${r.runId} --stack ${r.stack.stackName}`;
  if (r.executionArn) {
    out.write(`started run ${r.runId} of ${r.key}\nexecution: ${r.executionArn}\nfollow it: ${follow}\n`);
  } else {
    out.write(`uploaded ${r.key} to s3://${r.stack.bucket} (ETag ${r.etag}); the upload starts run ${r.runId}\nfollow it: ${follow}\n`);
  }
  return r;
}
