/**
 * Submitting a sweep to a deployed stack.
 *
 *  - Default: the sweep file is validated and uploaded to `sweeps/<name>.json` in the stack's bucket.
 *    That upload starts the run (the EventBridge rule); its run id follows from key and ETag, so it
 *    is known here and printed.
 *  - `start`: no upload (which would start a run of its own); an execution of the state machine is
 *    started directly for the sweep registered in the bucket, named by a fresh run id. A sweep file
 *    given with `start` must equal the registered copy.
 */
import { statSync } from 'node:fs';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DataError, SpecError } from '../errors.js';
import { parseSweepText, readSweepFile } from '../sweep/load.js';
import { SWEEP_NAME, type SweepSpec } from '../sweep/schema.js';
import { runIdFor } from '../steps/plan.js';
import { checkRunIdOption } from '../results/manifest.js';
import type { PlanInput } from '../steps/types.js';
import { keys } from '../store/keys.js';
import { getText } from '../store/store.js';
import { cloudError, CloudError, type CloudClients } from './clients.js';
import { findStack, stackStore, type DeployedStack } from './stack.js';

export interface SubmitOptions {
  stack: string;
  /** Start an execution directly instead of uploading. */
  start?: boolean;
  /** With `start`: the run id (default: `<sweep>-<utc time>-<hex>`). */
  runId?: string;
  now?: Date;
}

export interface SubmitResult {
  stack: DeployedStack;
  sweep: string;
  key: string;
  runId: string;
  /** The upload's ETag (default mode). */
  etag?: string;
  /** The started execution (start mode). */
  executionArn?: string;
}

/** A sweep file (validated) or, with `start`, the name of a registered sweep when no such file exists. */
async function readSweep(ref: string, allowName: boolean): Promise<{ text?: string; spec?: SweepSpec; name: string }> {
  if (allowName && SWEEP_NAME.test(ref) && !statSync(ref, { throwIfNoEntry: false })?.isFile()) return { name: ref };
  const { text, spec } = await readSweepFile(ref);
  return { text, spec, name: spec.name };
}

/** A dataset the sweep names by store key must be in the bucket before the sweep is. */
async function checkDataset(store: ReturnType<typeof stackStore>, spec: SweepSpec): Promise<void> {
  const key = spec.dataset.key;
  if (key.startsWith('s3://') || !key.startsWith('datasets/')) return;
  if (!(await store.exists(key))) {
    throw new DataError(`dataset.key: ${key} is not in ${store.location}; upload it first (aws s3 cp <file> ${store.location}/${key})`);
  }
}

export async function submitSweep(clients: CloudClients, ref: string, opts: SubmitOptions): Promise<SubmitResult> {
  if (opts.runId !== undefined && !opts.start) throw new SpecError('--run-id: only with --start (an upload derives its run id from key and ETag)');
  if (opts.runId !== undefined) checkRunIdOption(opts.runId);
  const local = await readSweep(ref, Boolean(opts.start));
  const stack = await findStack(clients, opts.stack);
  const store = stackStore(clients, stack);
  const key = keys.sweep(local.name);
  const now = opts.now ?? new Date();

  if (!opts.start) {
    await checkDataset(store, local.spec!);
    await store.put(key, local.text!, 'application/json');
    const etag = await store.version(key);
    const runId = runIdFor(local.name, { trigger: 'upload', key, etag, now });
    return { stack, sweep: local.name, key, runId, etag };
  }

  if (!(await store.exists(key))) {
    throw new SpecError(`${ref}: ${key} is not registered in ${store.location}; submit it without --start to upload it`);
  }
  if (local.text !== undefined && (await getText(store, key)) !== local.text) {
    throw new SpecError(`${ref}: differs from ${store.location}/${key}; submit it without --start to upload the new version`);
  }
  const registered = local.spec ?? parseSweepText(await getText(store, key), `${store.location}/${key}`);
  await checkDataset(store, registered);
  const runId = opts.runId ?? runIdFor(local.name, { trigger: 'cli', now });
  const input: PlanInput = { trigger: 'cli', key, runId };
  let arn: string | undefined;
  try {
    arn = (await clients.sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: runId, input: JSON.stringify(input) }))).executionArn;
  } catch (err) {
    if ((err as { name?: string }).name === 'ExecutionAlreadyExists') {
      throw new CloudError(`--run-id: an execution named ${runId} already exists (with other input); choose another run id`, err);
    }
    throw cloudError(err, `starting an execution of ${stack.stateMachineArn}`);
  }
  if (!arn) throw new CloudError(`starting an execution of ${stack.stateMachineArn}: no execution ARN in the answer`);
  return { stack, sweep: local.name, key, runId, executionArn: arn };
}
