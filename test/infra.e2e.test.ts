/**
 * The deployed path, end to end, offline: an s3rver bucket holds a real dataset and a sweep; the S3
 * "Object Created" event of the sweep's upload goes through the upload rule's event pattern and
 * InputTransformer taken from the synthesized template, into the synthesized state machine
 * definition, executed by aws-local-stepfunctions with each Task state bound to the bundle of the
 * function its Resource names (run from an empty directory, S3 pointed at s3rver). The interpreter
 * has no ItemReader: as the local runner does, the Map reads the item list Plan wrote to the bucket
 * from `$.items` (localDefinition, attachItemList). The leaderboard
 * and the history document appear in the bucket; a second delivery of the same event starts no run;
 * the nightly schedule's input runs the registered sweep again and extends its history.
 */
import '../src/workflow/polyfill.js';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_FUNCTIONS, type StepFunctionName } from '../infra/constructs/bundling.js';
import { STATE } from '../infra/workflow.js';
import type { ReportOutput } from '../src/steps/types.js';
import { localDefinition } from '../src/workflow/asl.js';
import { attachItemList } from '../src/workflow/local.js';
import { readHistory } from '../src/report/history-store.js';
import { keys } from '../src/store/keys.js';
import { halvingStateSchema } from '../src/results/halving.js';
import { S3Store } from '../src/store/s3.js';
import { getJson } from '../src/store/store.js';
import { deployedBundles } from './helpers/bundles.js';
import { functionLogicalId, removeSynthOutputs, resolveIntrinsics, resourcesOfType, stateMachineDefinition, synthLayerbench, type AslDefinition, type Synthesized } from './helpers/cfn.js';
import { applyInputTransformer, matchesPattern, objectCreatedEvent, type InputTransformer } from './helpers/eventbridge.js';
import { deployBundle, invokeOrThrow, type DeployedBundle } from './helpers/lambda-bundle.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
import { TINY_DATASET_KEY, TINY_SWEEP_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

let s3: S3rverHandle;
let synth: Synthesized;
let store: S3Store;
const bundles = {} as Record<StepFunctionName, DeployedBundle>;
const invocations: Record<StepFunctionName, number> = { plan: 0, train: 0, 'record-failure': 0, aggregate: 0, finalize: 0, report: 0 };
let uploadEvent: ReturnType<typeof objectCreatedEvent>;

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3Store({ bucket: s3.bucket, client: s3.client });
  synth = synthLayerbench();
  const assets = await deployedBundles();
  for (const name of STEP_FUNCTIONS) {
    const fn = synth.json.Resources[functionLogicalId(synth.json, name)]!;
    const vars = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(resolveIntrinsics(v, synth.json))]));
    // Finalize is the train bundle's `finalize` export (its Handler says so).
    const [file, exportName] = String(fn.Properties?.Handler).split('.');
    expect(file).toBe('index');
    bundles[name] = deployBundle(assets[name === 'finalize' ? 'train' : name], { ...env, LAYERBENCH_BUCKET: s3.bucket, ...s3.env }, { exportName });
  }
  await store.put(TINY_DATASET_KEY, tinyWeatherCsv(), 'text/csv');
  const body = JSON.stringify(tinySweep, null, 2);
  const put = await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: TINY_SWEEP_KEY, Body: body, ContentType: 'application/json' }));
  uploadEvent = objectCreatedEvent({
    bucket: s3.bucket,
    key: TINY_SWEEP_KEY,
    etag: (put.ETag ?? '').replace(/"/g, ''),
    size: Buffer.byteLength(body),
    versionId: put.VersionId,
  });
}, 300_000);

afterAll(async () => {
  for (const b of Object.values(bundles)) b.remove();
  removeSynthOutputs();
  await s3?.stop();
});

/** The upload rule, with its bucket reference made concrete (our s3rver bucket). */
function uploadRule(): { pattern: Record<string, unknown>; transformer: InputTransformer } {
  const [, rule] = resourcesOfType(synth.json, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties?.EventPattern).includes('aws.s3'))!;
  const bucketId = resourcesOfType(synth.json, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.VersioningConfiguration)![0];
  const pattern = JSON.parse(JSON.stringify(rule.Properties?.EventPattern).replace(JSON.stringify({ Ref: bucketId }), JSON.stringify(s3.bucket)));
  const [target] = rule.Properties?.Targets as { InputTransformer: InputTransformer }[];
  return { pattern, transformer: target!.InputTransformer };
}

/** Each Task state bound to the bundle of the function its Resource names. */
function taskHandlers(definition: AslDefinition): Record<string, (input: unknown) => Promise<never>> {
  const byArn = new Map<string, StepFunctionName>();
  for (const name of STEP_FUNCTIONS) {
    byArn.set(`arn:aws:lambda:us-east-1:123456789012:function:${functionLogicalId(synth.json, name)}`, name);
  }
  const handlers: Record<string, (input: unknown) => Promise<never>> = {};
  const visit = (states: AslDefinition['States']) => {
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        const name = byArn.get(String(state.Resource));
        if (!name) throw new Error(`Task ${stateName} names an unknown resource ${String(state.Resource)}`);
        handlers[stateName] = async (input) => {
          invocations[name]++;
          return (await attachItemList(store, await invokeOrThrow(bundles[name], input))) as never;
        };
      }
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
    }
  };
  visit(definition.States);
  return handlers;
}

/** What EventBridge would deliver, run through the deployed definition. */
async function deliver(event: unknown): Promise<ReportOutput | undefined> {
  const { pattern, transformer } = uploadRule();
  if (!matchesPattern(event, pattern)) return undefined;
  const definition = localDefinition(stateMachineDefinition(synth.json));
  const machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
  const execution = machine.run(applyInputTransformer(event, transformer) as never, {
    overrides: { taskResourceLocalHandlers: taskHandlers(definition) },
  });
  return (await execution.result) as unknown as ReportOutput;
}

async function bucketObjects(): Promise<Record<string, string>> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  return Object.fromEntries((out.Contents ?? []).map((o) => [o.Key!, `${o.ETag} ${o.LastModified?.toISOString()}`]));
}

describe('upload → rule → state machine → bundled handlers → bucket', () => {
  let first: ReportOutput;

  it('binds every Task state of the synthesized definition to a bundle', () => {
    expect(Object.keys(taskHandlers(stateMachineDefinition(synth.json))).sort()).toEqual(
      // Promote (between halving rounds) is bound to the Aggregate bundle, which runs it on `step: "promote"`.
      [STATE.aggregate, STATE.finalize, STATE.plan, STATE.promote, STATE.recordFailure, STATE.report, STATE.train].sort(),
    );
  });

  it('the upload of a sweep runs it: both candidates trained, leaderboard and history written', async () => {
    const out = await deliver(uploadEvent);
    expect(out).toBeDefined();
    first = out!;
    expect(first.runs).toHaveLength(1);
    const run = first.runs[0]!;
    expect(run).toMatchObject({ sweep: 'tiny-weather', succeeded: 2, failed: 0, leaderboardKey: keys.leaderboard(run.runId, 'json') });
    expect(invocations).toEqual({ plan: 1, train: 2, 'record-failure': 0, aggregate: 1, finalize: 1, report: 1 });
    // Finalize ran and recorded the final model (refit, or why not) in final.json.
    expect(run.finalModel?.key).toBe(keys.finalModelDoc(run.runId));
    expect(await store.exists(keys.finalModelDoc(run.runId))).toBe(true);

    const lb = await getJson<{ rows: { candidateId: string }[] }>(store, run.leaderboardKey);
    expect(lb.rows).toHaveLength(2);
    expect(lb.rows[0]?.candidateId).toBe(run.best?.candidateId);
    for (const ext of ['csv', 'md'] as const) expect(await store.exists(keys.leaderboard(run.runId, ext))).toBe(true);
    for (const ext of ['html', 'md'] as const) expect(await store.exists(keys.report(run.runId, ext))).toBe(true);
    const history = await readHistory(store, 'tiny-weather');
    expect(history?.entries.map((e) => e.runId)).toEqual([run.runId]);
  });

  it("the run's own writes under runs/ and history/ match no rule", async () => {
    const { pattern } = uploadRule();
    const written = Object.keys(await bucketObjects()).filter((k) => k.startsWith('runs/') || k.startsWith('history/'));
    expect(written.length).toBeGreaterThan(4);
    for (const key of written) expect(matchesPattern(objectCreatedEvent({ bucket: s3.bucket, key, etag: 'x', size: 1 }), pattern)).toBe(false);
  });

  it('a second delivery of the same event starts no second run and rewrites nothing; its own (empty) item list is gone', async () => {
    const before = await bucketObjects();
    const calls = { ...invocations };
    const again = await deliver(uploadEvent);
    expect(again?.runs).toEqual([expect.objectContaining({ runId: first.runs[0]!.runId, duplicate: true })]);
    expect(invocations.train).toBe(calls.train);
    const after = await bucketObjects();
    const added = Object.keys(after).filter((k) => !(k in before));
    // Its item list (empty) was written by Plan and deleted by Aggregate once the Map had read it.
    expect(added).toEqual([]);
    expect(after).toEqual(before);
    expect(
      new Set(
        Object.keys(before)
          .filter((k) => k.startsWith('runs/'))
          .map((k) => k.split('/')[1]),
      ).size,
    ).toBe(1);
  });

  it("the nightly schedule's input re-runs every registered sweep and appends to its history", async () => {
    const [, schedule] = resourcesOfType(synth.json, 'AWS::Scheduler::Schedule')[0]!;
    const input = JSON.parse(String((schedule.Properties?.Target as { Input: string }).Input)) as unknown;
    const definition = localDefinition(stateMachineDefinition(synth.json));
    const execution = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]).run(input as never, {
      overrides: { taskResourceLocalHandlers: taskHandlers(definition) },
    });
    const nightly = (await execution.result) as unknown as ReportOutput;
    expect(nightly.runs).toEqual([expect.objectContaining({ runId: expect.stringMatching(/^tiny-weather-nightly-\d{4}-\d{2}-\d{2}$/), succeeded: 2 })]);
    const history = await readHistory(store, 'tiny-weather');
    expect(history?.entries.map((e) => e.runId)).toEqual([first.runs[0]!.runId, nightly.runs[0]!.runId]);
  });

  it('a halving sweep loops MoreRounds → Promote (the Aggregate bundle) → the Map, and the promoted continue from their checkpoints', async () => {
    // Arrange: 3 candidates, eta 3, 3 epochs → a round at 1 epoch, then 3 epochs for the promoted
    const key = 'sweeps/tiny-halving.json';
    const body = JSON.stringify({
      ...tinySweep,
      name: 'tiny-halving',
      model: { ...tinySweep.model, width: [2, 4, 8] },
      training: { ...tinySweep.training, epochs: 3 },
      search: { strategy: 'halving', eta: 3 },
    });
    const put = await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentType: 'application/json' }));
    const before = { ...invocations };

    // Act
    const out = await deliver(objectCreatedEvent({ bucket: s3.bucket, key, etag: (put.ETag ?? '').replace(/"/g, ''), size: Buffer.byteLength(body), versionId: put.VersionId }));

    // Assert: round 0 trains 3, Promote opens round 1 for the promoted; Aggregate ran once per round and Promote once
    const run = out!.runs[0]!;
    const state = halvingStateSchema.parse(await getJson(store, keys.halving(run.runId)));
    expect(state.rounds.map((r) => [r.epochs, r.candidates.length])).toEqual([
      [1, 3],
      [3, state.rounds[1]!.candidates.length],
    ]);
    const promoted = state.rounds[1]!.candidates.length;
    expect(promoted).toBeGreaterThanOrEqual(1);
    expect(invocations.train - before.train).toBe(3 + promoted);
    expect(invocations.aggregate - before.aggregate).toBe(2 + 1); // Aggregate twice, Promote once (the same bundle)
    for (const id of state.rounds[1]!.candidates) {
      expect(await getJson(store, keys.candidate(run.runId, id))).toMatchObject({ rung: { round: 1, epochs: 3 }, compute: { tasks: 2 } });
    }
    // The run is over: its checkpoints and its item lists are gone (the Aggregate bundle deleted them), its results stay.
    expect(await store.list(keys.checkpointsPrefix(run.runId))).toEqual([]);
    expect(await store.list('plans/')).toEqual([]);
    const lb = await getJson<{ rows: unknown[]; search: { epochsTrained: number; gridEpochs: number } }>(store, run.leaderboardKey);
    expect(lb.rows).toHaveLength(promoted);
    expect(lb.search.gridEpochs).toBe(3 * 3 * 3); // the grid: 3 candidates × 3 repeats (the default) × 3 epochs
  }, 300_000);
});
