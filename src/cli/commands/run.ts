/**
 * `layerbench run <sweep>`: the deployed workflow, run locally. The sweep file is validated, its data
 * checked, and it is uploaded to the store as `sweeps/<name>.json` (as a user would upload it); then the
 * state machine runs with trigger 'cli' and the leaderboard is printed.
 */
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXAMPLE_SWEEPS } from '../../../examples/prepare.js';
import { CandidateError } from '../../errors.js';
import { prepareSweepFile } from '../sweep-file.js';
import { runResultText } from '../../report/terminal.js';
import type { Leaderboard } from '../../steps/leaderboard.js';
import type { RunSummary } from '../../steps/types.js';
import { checkRunIdOption } from '../../steps/manifest.js';
import { keys } from '../../store/keys.js';
import { LocalStore } from '../../store/local.js';
import { DEFAULT_STORE_DIR, openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import type { BackendName } from '../../train/backend.js';
import { runLocal } from '../../workflow/local.js';
import { defaultWorkers } from '../../workflow/pool.js';
import { createProgressDisplay, formatDuration } from '../../workflow/progress.js';

const BACKEND_CHOICES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface RunCommandOptions {
  store?: string;
  workers?: number;
  backend?: string;
  runId?: string;
  trainTimeout?: number;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer ≥ 1');
  return n;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a sweep locally through the workflow: plan, train every candidate, rank them')
    .argument('<sweep>', 'the sweep spec, a JSON file')
    .option('--store <uri>', 'a directory or s3://bucket/prefix (default: LAYERBENCH_STORE or .layerbench/store)')
    .option('--workers <n>', `training worker processes (default: one per core, ${defaultWorkers()} here)`, positiveInteger)
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: the best available)').choices(BACKEND_CHOICES))
    .option('--run-id <id>', 'the run id; naming an existing run resumes it')
    .option('--train-timeout <seconds>', "how long one candidate may train before it counts as failed (default 900, Lambda's limit)", positiveInteger)
    .action(async (sweep: string, opts: RunCommandOptions) => {
      await runCommand(sweep, opts);
    });
}

/** `npm start`: the first example (seattle-weather, dense depth × width), data prepared if needed. */
export function registerQuickstart(program: Command): void {
  program
    .command('quickstart')
    .description('prepare the bundled example data and run the seattle-weather sweep (dense, depth 1–3 × width 8–64)')
    .option('--store <uri>', 'a directory or s3://bucket/prefix (default: LAYERBENCH_STORE or .layerbench/store)')
    .option('--workers <n>', `training worker processes (default: one per core, ${defaultWorkers()} here)`, positiveInteger)
    .action(async (opts: Pick<RunCommandOptions, 'store' | 'workers'>) => {
      await runCommand(EXAMPLE_SWEEPS['seattle-weather'], opts);
      process.stderr.write('the other examples: npx layerbench run examples/mnist.json, npx layerbench run examples/co2.json\n');
    });
}

export async function runCommand(file: string, opts: RunCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<Leaderboard[]> {
  if (opts.runId !== undefined) checkRunIdOption(opts.runId);
  const store = openStore(opts.store);
  const { text, spec } = await prepareSweepFile(file, store);
  const sweepKey = keys.sweep(spec.name);
  await store.put(sweepKey, text, 'application/json');

  const workers = opts.workers ?? defaultWorkers();
  const progress = createProgressDisplay({ workers });
  const started = Date.now();
  let result;
  try {
    result = await runLocal({
      store,
      input: { trigger: 'cli', key: sweepKey, ...(opts.runId ? { runId: opts.runId } : {}) },
      workers,
      backend: opts.backend,
      trainTimeoutSeconds: opts.trainTimeout,
      onProgress: (e) => progress.onProgress(e),
    });
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const boards: Leaderboard[] = [];
  for (const run of result.runs) {
    const { leaderboard: lb, text } = await runResultText(store, run.runId);
    boards.push(lb);
    out.write(text);
    out.write(`results: ${resultsLocation(store, run.runId)}  (${formatDuration(seconds)})\n`);
    const line = finalModelLine(store, run);
    if (line) out.write(`${line}\n`);
  }
  if (boards.length > 0 && boards.every((b) => b.rows.length === 0)) {
    throw new CandidateError(`every candidate failed; see the leaderboard in ${resultsLocation(store, boards[0]!.runId)}`);
  }
  return boards;
}

/** Where the final model is and how to predict with it, or why there is none. */
export function finalModelLine(store: Store, run: Pick<RunSummary, 'runId' | 'finalModel'>): string | null {
  const fm = run.finalModel;
  if (!fm) return null;
  if (fm.status === 'failed') return `final model: failed — ${fm.error ?? 'no reason recorded'}`;
  const dir = store instanceof LocalStore ? join(resultsLocation(store, run.runId), 'model') : `${resultsLocation(store, run.runId)}model/`;
  const where = store instanceof LocalStore && resolve(store.location) === resolve(DEFAULT_STORE_DIR) ? '' : ` --store ${store.location}`;
  return `final model: ${dir} (model card: README.md) — predict: npx layerbench predict ${run.runId} <rows.csv>${where}`;
}

/** Where a run's documents are: a directory, or an S3 URI prefix. */
export function resultsLocation(store: Store, runId: string): string {
  return store instanceof LocalStore ? `${join(store.location, ...keys.run(runId).split('/'))}` : `${store.location}/${keys.run(runId)}`;
}
