/**
 * The CLI against a deployed stack, offline: CloudFormation and Step Functions answer through
 * aws-sdk-client-mock (there is no Step Functions server to run offline); the stack's bucket is a
 * real S3 (s3rver), and the run documents in it are written by the real step code.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OUTPUTS } from '../infra/stack.js';
import { main } from '../src/cli/main.js';
import { statusCommand } from '../src/cli/commands/status.js';
import type { CloudClients } from '../src/cloud/clients.js';
import { fetchResults } from '../src/cloud/results.js';
import { findStack, STACK_OUTPUTS } from '../src/cloud/stack.js';
import { runStatus } from '../src/cloud/status.js';
import { aggregate } from '../src/steps/aggregate.js';
import { report } from '../src/steps/report.js';
import { recordFailure } from '../src/steps/record-failure.js';
import { plan } from '../src/steps/plan.js';
import type { PlanResult } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { S3Store } from '../src/store/s3.js';
import { putJson } from '../src/store/store.js';
import type { ProgressEvent } from '../src/workflow/local.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
import { TINY_DATASET_KEY, TINY_SWEEP_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

const STACK = 'lb-test';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:SweepStateMachine';
const cfnMock = mockClient(CloudFormationClient);
const sfnMock = mockClient(SFNClient);

let s3: S3rverHandle;
let store: S3Store;
let clients: CloudClients;
let dir: string;
let sweepFile: string;

/** Runs the CLI; returns exit code, stdout and stderr. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'layerbench', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3Store({ bucket: s3.bucket, client: s3.client });
  clients = { cfn: new CloudFormationClient({ region: 'us-east-1' }), sfn: new SFNClient({ region: 'us-east-1' }), s3: s3.client };
  dir = await mkdtemp(join(tmpdir(), 'layerbench-cloud-'));
  sweepFile = join(dir, 'tiny-weather.json');
  await writeFile(sweepFile, `${JSON.stringify(tinySweep, null, 2)}\n`);
});

afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  // The SDK clients the CLI builds itself read these; CloudFormation and Step Functions are mocked.
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
  cfnMock.reset();
  sfnMock.reset();
  cfnMock.on(DescribeStacksCommand, { StackName: STACK }).resolves({
    Stacks: [
      {
        StackName: STACK,
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'BucketName', OutputValue: s3.bucket },
          { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE },
          { OutputKey: 'TrainRuntime', OutputValue: 'zip' },
        ],
      },
    ],
  });
  cfnMock.on(DescribeStacksCommand, { StackName: 'nope' }).rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('finding the stack', () => {
  it('reads bucket and state machine from the outputs the stack defines', async () => {
    expect(STACK_OUTPUTS).toEqual(OUTPUTS);
    expect(await findStack(clients, STACK)).toEqual({ stackName: STACK, bucket: s3.bucket, stateMachineArn: STATE_MACHINE });
  });

  it('names the stack when it does not exist or is not a layerbench stack', async () => {
    await expect(findStack(clients, 'nope')).rejects.toThrow(/^--stack nope: no such stack/);
    cfnMock.on(DescribeStacksCommand, { StackName: 'other' }).resolves({ Stacks: [{ StackName: 'other', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });
    await expect(findStack(clients, 'other')).rejects.toThrow('--stack other: has no BucketName output');
  });
});

describe('layerbench submit', () => {
  it('refuses a sweep whose dataset is not in the bucket, uploading nothing', async () => {
    const r = await cli('submit', sweepFile, '--stack', STACK);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`layerbench: dataset.key: ${TINY_DATASET_KEY} is not in s3://${s3.bucket}; upload it first (aws s3 cp <file> s3://${s3.bucket}/${TINY_DATASET_KEY})\n`);
    expect(await store.exists(TINY_SWEEP_KEY)).toBe(false);
  });

  it('refuses an invalid sweep with the field named', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...tinySweep, model: { ...tinySweep.model, depth: [0] } }));
    const r = await cli('submit', bad, '--stack', STACK);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.depth\[0\]: must be ≥ 1/);
  });

  it('uploads the sweep; the run id it prints is the one Plan derives from the upload event', async () => {
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv(), 'text/csv');
    const r = await cli('submit', sweepFile, '--stack', STACK);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const uploaded = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: TINY_SWEEP_KEY }));
    expect(await uploaded.Body!.transformToString()).toBe(await readFile(sweepFile, 'utf8'));
    const etag = (uploaded.ETag ?? '').replace(/"/g, '');
    const printed = /starts run (\S+)/.exec(r.stdout)?.[1];
    const planned = await plan(store, { trigger: 'upload', key: TINY_SWEEP_KEY, etag });
    expect(printed).toBe(planned.runs[0]!.runId);
    expect(r.stdout).toContain(`follow it: layerbench status ${printed} --stack ${STACK}`);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('--start starts an execution named by the run id for the registered sweep, without uploading', async () => {
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    }));
    const r = await cli('submit', 'tiny-weather', '--stack', STACK, '--start', '--run-id', 'tiny-weather-manual-1');
    expect(r.stderr).toBe('');
    const [call] = sfnMock.commandCalls(StartExecutionCommand);
    expect(call!.args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE,
      name: 'tiny-weather-manual-1',
      input: JSON.stringify({ trigger: 'cli', key: TINY_SWEEP_KEY, runId: 'tiny-weather-manual-1' }),
    });
    expect(r.stdout).toContain(`execution: ${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:tiny-weather-manual-1`);
  });

  it('--start with a file that differs from the registered copy refuses, naming both', async () => {
    const changed = join(dir, 'changed.json');
    await writeFile(changed, JSON.stringify({ ...tinySweep, training: { ...tinySweep.training, epochs: 3 } }));
    const r = await cli('submit', changed, '--stack', STACK, '--start');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`differs from s3://${s3.bucket}/${TINY_SWEEP_KEY}`);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('layerbench status', () => {
  let planned: PlanResult;
  const runId = 'tiny-weather-status-1';
  const arn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${runId}`;

  beforeAll(async () => {
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv(), 'text/csv');
    await store.put(TINY_SWEEP_KEY, JSON.stringify(tinySweep), 'application/json');
    planned = await plan(store, { trigger: 'cli', key: TINY_SWEEP_KEY, runId });
  });

  it('follows a run by id: candidates as their documents appear, then the leaderboard, as the local progress display shows them', async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ executionArn: arn, status: 'RUNNING', stateMachineArn: STATE_MACHINE, startDate: new Date() })
      .resolves({ executionArn: arn, status: 'SUCCEEDED', stateMachineArn: STATE_MACHINE, startDate: new Date() });
    const [a, b] = planned.items;
    // What the deployed functions would write between two polls.
    const steps = [
      () => putJson(store, keys.candidate(runId, a!.candidateId), { status: 'succeeded', candidate: { id: a!.candidateId } }),
      () => putJson(store, keys.candidate(runId, b!.candidateId), { status: 'failed', candidate: { id: b!.candidateId }, error: { message: 'loss is NaN' } }),
      () => aggregate(store, { runs: planned.runs }),
    ];
    const events: ProgressEvent[] = [];
    const result = await runStatus(clients, runId, {
      stack: STACK,
      intervalMs: 5,
      onProgress: (e) => events.push(e),
      sleep: async () => {
        await steps.shift()?.();
      },
    });
    expect(events.map((e) => (e.type === 'candidate' ? `${e.type} ${e.candidateId} ${e.status}${e.reason ? ` ${e.reason}` : ''}` : e.type))).toEqual([
      'planned',
      `candidate ${a!.candidateId} succeeded`,
      `candidate ${b!.candidateId} failed loss is NaN`,
      'aggregating',
    ]);
    expect(events[0]).toMatchObject({ type: 'planned', total: 2, plan: { runs: [{ runId, sweep: 'tiny-weather', candidates: 2 }] } });
    expect(result).toMatchObject({
      finished: true,
      execution: { arn, status: 'SUCCEEDED' },
      runs: [{ runId, candidates: 2, succeeded: 1, failed: 1, leaderboardKey: keys.leaderboard(runId, 'json') }],
    });
  });

  it('finds the runs of an execution ARN in its history and prints where the leaderboard is', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: arn, status: 'SUCCEEDED', stateMachineArn: STATE_MACHINE, startDate: new Date() });
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, timestamp: new Date(), type: 'ExecutionStarted' },
        { id: 5, timestamp: new Date(), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Plan', output: JSON.stringify(planned) } },
      ],
    });
    let printed = '';
    const out = { write: (s: string) => ((printed += s), true) } as unknown as NodeJS.WritableStream;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await statusCommand(arn, { stack: STACK, follow: false }, clients, out);
    } finally {
      stderr.mockRestore();
    }
    expect(printed).toBe(
      `execution ${arn}: SUCCEEDED\n` +
        `run ${runId} (tiny-weather): 2/2 candidates done, 1 failed · leaderboard s3://${s3.bucket}/${keys.leaderboard(runId, 'json')}\n` +
        `fetch it: layerbench results ${runId} --stack ${STACK}\n`,
    );
  });

  it('--json --quiet: the execution and its runs as one document, nothing on stderr', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: arn, status: 'SUCCEEDED', stateMachineArn: STATE_MACHINE, startDate: new Date() });
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [{ id: 5, timestamp: new Date(), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Plan', output: JSON.stringify(planned) } }],
    });

    const r = await cli('status', arn, '--stack', STACK, '--no-follow', '--json', '--quiet');

    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({
      schema: 'layerbench.cli.status.v1',
      execution: { arn, status: 'SUCCEEDED' },
      runs: [{ runId, candidates: 2, leaderboardKey: keys.leaderboard(runId, 'json') }],
    });
  });

  it('a failed execution ends the command with its error and cause', async () => {
    const failedId = 'tiny-weather-status-2';
    await plan(store, { trigger: 'cli', key: TINY_SWEEP_KEY, runId: failedId });
    const failedArn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${failedId}`;
    sfnMock.on(DescribeExecutionCommand).resolves({
      executionArn: failedArn,
      status: 'FAILED',
      stateMachineArn: STATE_MACHINE,
      startDate: new Date(),
      error: 'DataError',
      cause: 'datasets/seattle-weather-tiny.csv: row 7: temp_max is not a number',
    });
    await expect(runStatus(clients, failedId, { stack: STACK, sleep: async () => {} })).rejects.toThrow(
      `execution ${failedArn} FAILED: DataError: datasets/seattle-weather-tiny.csv: row 7: temp_max is not a number`,
    );
  });

  it('an unknown run with no execution is named', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' }));
    const r = await cli('status', 'no-such-run', '--stack', STACK);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`layerbench: run no-such-run: no runs/no-such-run/run.json in s3://${s3.bucket} and no execution named no-such-run\n`);
  });
});

describe('layerbench results', () => {
  it('downloads the leaderboard (and what else the run has) and prints it', async () => {
    const runId = 'tiny-weather-results-1';
    const planned = await plan(store, { trigger: 'cli', key: TINY_SWEEP_KEY, runId });
    for (const i of planned.items) await recordFailure(store, { ...i, error: { Error: 'States.Timeout', Cause: 'too slow' } });
    await report(store, await aggregate(store, { runs: planned.runs }));
    const out = join(dir, 'results');
    const r = await cli('results', runId, '--stack', STACK, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Every candidate failed: the run says only that, with the most common reason and what to change.
    expect(r.stdout).toContain(`tiny-weather · run ${runId}\nAll 2 candidates failed: nothing was ranked.\nMost common reason (all 2): timed out: a Train task ran past its time limit`);
    const fetched = await fetchResults(clients, runId, { stack: STACK, out });
    expect(fetched.files.map((f) => f.slice(join(out, runId).length + 1)).sort()).toEqual(expect.arrayContaining(['leaderboard.csv', 'leaderboard.json', 'leaderboard.md', 'run.json']));
    expect(JSON.parse(await readFile(join(out, runId, 'leaderboard.json'), 'utf8'))).toMatchObject({ runId, failed: [{}, {}] });
  });

  it('--json: the leaderboard, the recommendation and the files as one document', async () => {
    const runId = 'tiny-weather-results-3';
    const planned = await plan(store, { trigger: 'cli', key: TINY_SWEEP_KEY, runId });
    for (const i of planned.items) await recordFailure(store, { ...i, error: { Error: 'States.Timeout', Cause: 'too slow' } });
    await aggregate(store, { runs: planned.runs });
    const out = join(dir, 'results-json');

    const r = await cli('results', runId, '--stack', STACK, '--out', out, '--json');

    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { schema: string; runId: string; recommended: unknown; leaderboard: { runId: string }; files: string[] };
    expect(doc).toMatchObject({ schema: 'layerbench.cli.results.v1', runId, recommended: null, leaderboard: { runId } });
    expect(doc.files).toContain(join(out, runId, 'leaderboard.json'));
  });

  it('a run without a leaderboard yet points to status', async () => {
    const runId = 'tiny-weather-results-2';
    await plan(store, { trigger: 'cli', key: TINY_SWEEP_KEY, runId });
    const r = await cli('results', runId, '--stack', STACK, '--out', join(dir, 'results'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`follow it with layerbench status ${runId} --stack ${STACK}`);
  });
});
