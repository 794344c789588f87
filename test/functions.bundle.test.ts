/**
 * Each handler as the stack deploys it: bundled by the NodejsFunction during synth (esbuild, the
 * options of infra/constructs/bundling.ts; see helpers/bundles.ts), copied to an empty directory with
 * no node_modules, and invoked by a plain `node` with the environment the stack gives it — against a
 * real S3 (s3rver). A handler that runs there proves its bundle is complete, wasm binaries included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS, WASM_FILES } from '../infra/constructs/bundling.js';
import { candidateDocSchema } from '../src/results/document.js';
import { finalModelDocSchema } from '../src/results/final-model.js';
import type { AggregateOutput, FinalizeOutput, PlanOutput, ReportOutput, TrainOutput, WorkItem } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { S3Store } from '../src/store/s3.js';
import { getJson } from '../src/store/store.js';
import { deployedBundles, type HandlerName } from './helpers/bundles.js';
import { functionLogicalId, removeSynthOutputs, resolveIntrinsics, synthLayerbench, type Synthesized } from './helpers/cfn.js';
import { deployBundle, emfDocuments, nodeModulesAbove, type DeployedBundle } from './helpers/lambda-bundle.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
import { TINY_DATASET_KEY, TINY_SWEEP_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

let s3: S3rverHandle;
let synth: Synthesized;
let assets: Record<HandlerName, string>;
let store: S3Store;
const bundles = {} as Record<HandlerName, DeployedBundle>;
let sweepEtag: string;

/** The function's environment exactly as the template sets it, with the bucket pointed at s3rver. */
function lambdaEnvironment(name: HandlerName | 'finalize'): Record<string, string> {
  const fn = synth.json.Resources[functionLogicalId(synth.json, name)]!;
  const vars = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) env[k] = typeof v === 'string' ? v : String(resolveIntrinsics(v, synth.json));
  return { ...env, LAYERBENCH_BUCKET: s3.bucket, ...s3.env };
}

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3Store({ bucket: s3.bucket, client: s3.client });
  synth = synthLayerbench();
  assets = await deployedBundles();
  for (const name of HANDLERS) bundles[name] = deployBundle(assets[name], lambdaEnvironment(name));
  await store.put(TINY_DATASET_KEY, tinyWeatherCsv(), 'text/csv');
  const put = await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: TINY_SWEEP_KEY, Body: JSON.stringify(tinySweep), ContentType: 'application/json' }));
  sweepEtag = (put.ETag ?? '').replace(/"/g, '');
}, 300_000);

afterAll(async () => {
  for (const b of Object.values(bundles)) b.remove();
  removeSynthOutputs();
  await s3?.stop();
});

describe('bundles', () => {
  it('are lean, self-contained directories: index.mjs without a source map, the train bundle with its wasm binaries and no WebGL backend', () => {
    for (const name of ['plan', 'record-failure', 'aggregate', 'report'] as const) expect(readdirSync(bundles[name].dir)).toEqual(['index.mjs']);
    expect(readdirSync(bundles.train.dir).sort()).toEqual(['index.mjs', ...WASM_FILES].sort());
    const train = readFileSync(join(bundles.train.dir, 'index.mjs'), 'utf8');
    expect(train).toContain('not bundled (no WebGL on Lambda)');
    expect(train).not.toContain('WEBGL_RENDER_FLOAT32_CAPABLE');
    for (const b of Object.values(bundles)) expect(readFileSync(join(b.dir, 'index.mjs'), 'utf8')).not.toContain('sourceMappingURL');
    for (const b of Object.values(bundles)) expect(nodeModulesAbove(b.dir)).toBeUndefined();
  });
});

describe('handlers, run from their bundles', () => {
  let planned: PlanOutput;
  let items: WorkItem[];
  let aggregated: AggregateOutput;

  it('plan: an upload of a sweep plans its candidates, writes the run manifest and the item list, and returns only keys', async () => {
    const out = await bundles.plan.invoke<PlanOutput>({ trigger: 'upload', key: TINY_SWEEP_KEY, etag: sweepEtag });
    expect(out.errorMessage).toBeUndefined();
    planned = out.result!;
    expect(planned).toEqual({
      runs: [{ runId: expect.stringMatching(/^tiny-weather-upload-/), sweep: 'tiny-weather', candidates: 2 }],
      itemsKey: expect.stringMatching(/^plans\/.+\.json$/),
      itemCount: 2,
    });
    items = await getJson<WorkItem[]>(store, planned.itemsKey);
    expect(items).toHaveLength(2);
    expect(await store.exists(keys.runManifest(planned.runs[0]!.runId))).toBe(true);
    const emf = emfDocuments(out.stdout);
    expect(emf).toContainEqual(expect.objectContaining({ CandidatesPlanned: 2, RunsPlanned: 1, service: 'layerbench-plan' }));
  });

  it('plan: a sweep whose dataset.key leaves the bucket fails as SpecError quoting only a short excerpt', async () => {
    const key = 'sweeps/escape.json';
    const sweep = { ...tinySweep, name: 'escape', dataset: { ...tinySweep.dataset, key: `/etc/passwd${'/..'.repeat(30)}` } };
    await store.put(key, JSON.stringify(sweep), 'application/json');
    const out = await bundles.plan.invoke({ trigger: 'upload', key, etag: 'e' });
    expect(out.errorType).toBe('SpecError');
    expect(out.errorMessage).toMatch(/^dataset\.key: must be a key inside the bucket .*, got "\/etc\/passwd\/\.\.[^"]{0,40}…"$/);
    expect(await store.list('runs/escape')).toEqual([]);
  });

  it('train: trains a candidate on the wasm backend and reports its duration, outcome and backend as metrics', async () => {
    const item = items[0]!;
    const out = await bundles.train.invoke<TrainOutput>(item);
    expect(out.errorMessage).toBeUndefined();
    // The item's identity and outcome, and where the task's time went (src/train/phases.ts).
    expect(out.result).toMatchObject({ runId: item.runId, candidateId: item.candidateId, status: 'succeeded' });
    expect(out.result!.phases?.training).toBeGreaterThan(0);
    const doc = candidateDocSchema.parse(await getJson(store, keys.candidate(item.runId, item.candidateId)));
    expect(doc.backend).toBe('wasm');
    expect(doc.trials[0]?.epochs).toHaveLength(2);
    const metrics = emfDocuments(out.stdout).find((d) => 'CandidateSeconds' in d);
    expect(metrics).toMatchObject({ Backend: 'wasm', CandidateFailures: 0, CandidateSeconds: doc.timing.wallSeconds });
    const directives = (metrics!._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }).CloudWatchMetrics[0]!;
    expect(directives.Namespace).toBe('layerbench');
    expect(directives.Dimensions[0]).toContain('Backend');
  });

  it('train: an unreachable S3 surfaces as TransientError (the name the state machine retries on)', async () => {
    const offline = deployBundle(assets.train, { ...lambdaEnvironment('train'), AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
    try {
      const out = await offline.invoke(items[1]!);
      expect(out.errorType).toBe('TransientError');
      expect(out.errorMessage).toMatch(/ECONNREFUSED|connect/);
    } finally {
      offline.remove();
    }
  });

  it('train: a bad item is a fatal error naming the run', async () => {
    const out = await bundles.train.invoke({ runId: planned.runs[0]!.runId, candidateId: 'no-such-candidate' });
    expect(out.errorType).toBe('LayerbenchError');
    expect(out.errorMessage).toContain('no-such-candidate');
  });

  it('record-failure: writes the failed document of the candidate the Map caught', async () => {
    const caught = { ...items[1]!, error: { Error: 'States.Timeout', Cause: 'ran too long' } };
    const out = await bundles['record-failure'].invoke(caught);
    expect(out.errorMessage).toBeUndefined();
    expect(out.result).toEqual({ recorded: true, reason: 'States.Timeout: ran too long' });
    const doc = candidateDocSchema.parse(await getJson(store, keys.candidate(caught.runId, caught.candidateId)));
    expect(doc).toMatchObject({ status: 'failed', error: { code: 'E_TIMEOUT', message: expect.stringMatching(/^timed out: a Train task ran past its time limit/) } });
    expect(emfDocuments(out.stdout)).toContainEqual(expect.objectContaining({ CandidatesCaught: 1 }));
  });

  it('aggregate: ranks what it finds in the store, the trained candidate and the caught one', async () => {
    const out = await bundles.aggregate.invoke<AggregateOutput>({ runs: planned.runs });
    expect(out.errorMessage).toBeUndefined();
    const run = out.result!.runs[0]!;
    expect(run).toMatchObject({ runId: planned.runs[0]!.runId, succeeded: 1, failed: 1, best: { candidateId: items[0]!.candidateId } });
    expect(await store.exists(run.leaderboardKey)).toBe(true);
    expect(emfDocuments(out.stdout)).toContainEqual(expect.objectContaining({ CandidatesSucceeded: 1, CandidatesFailed: 1 }));
    aggregated = out.result!;
  });

  it("finalize: the train bundle's finalize export refits the trained candidate and saves the final model", async () => {
    const finalizeBundle = deployBundle(assets.train, lambdaEnvironment('finalize'), { exportName: 'finalize' });
    try {
      const run = { ...aggregated.runs[0]!, recommended: items[0]!.candidateId };
      const out = await finalizeBundle.invoke<FinalizeOutput>({ runs: [run] });
      expect(out.errorMessage).toBeUndefined();
      expect(out.result!.runs[0]!.finalModel).toEqual({ key: keys.finalModelDoc(run.runId), status: 'succeeded' });
      const doc = finalModelDocSchema.parse(await getJson(store, keys.finalModelDoc(run.runId)));
      expect(doc).toMatchObject({ candidateId: items[0]!.candidateId, backend: 'wasm' });
      for (const file of ['model.json', 'weights.bin', 'preprocessing.json', 'README.md']) expect(await store.exists(`${keys.finalModel(run.runId)}${file}`)).toBe(true);
      expect(emfDocuments(out.stdout)).toContainEqual(expect.objectContaining({ FinalModelFailures: 0, service: 'layerbench-finalize' }));
    } finally {
      finalizeBundle.remove();
    }
  });

  it('report: writes the report and the history of what Aggregate ranked', async () => {
    const out = await bundles.report.invoke<ReportOutput>(aggregated);
    expect(out.errorMessage).toBeUndefined();
    const run = out.result!.runs[0]!;
    expect(run).toMatchObject({ ...aggregated.runs[0], reportKey: keys.report(run.runId, 'html'), historyKey: keys.historyRun('tiny-weather', run.runId) });
    expect(await store.exists(keys.report(run.runId, 'md'))).toBe(true);
  });
});
