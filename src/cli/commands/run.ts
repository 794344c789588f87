/**
 * `layerbench run <sweep>`: the deployed workflow, run locally. The sweep file is validated, its data
 * and every candidate's memory checked, and the store checked writable — all before anything is
 * written; then the sweep is uploaded to the store as `sweeps/<name>.json` (as a user would upload it),
 * the state machine runs with trigger 'cli', and the leaderboard is printed (or, with --json, one JSON
 * document with the leaderboard and the recommendation).
 *
 * SIGINT and SIGTERM stop the workers at once and end the command with 130 / 143; the documents of
 * the candidates already trained stay, and `--run-id` resumes the run.
 */
// Only what starts the workers is imported up front: the rest of the command (the sweep's checks,
// Plan and the runner: ~1 s of modules) loads while they start (see runCommand).
import { CandidateError, InterruptedError, SpecError, StoreError } from '../../errors.js';
import type { MemoryBudget } from '../../model/params.js';
import type { Leaderboard, LeaderboardRow } from '../../results/leaderboard.js';
import type { LearningCurveDoc } from '../../results/learning-curve.js';
import type { RunSummary } from '../../steps/types.js';
import { TrainPool, workerCount } from '../../workflow/pool.js';
import { createProgressDisplay } from '../progress.js';

export interface RunCommandOptions {
  store?: string;
  workers?: number;
  backend?: string;
  runId?: string;
  retryFailed?: boolean;
  /** Bytes one candidate may use on a worker. */
  maxMemory?: number;
  trainTimeout?: number;
  /** Price overrides, JSON (src/cost/prices.ts). */
  prices?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `--json`: what a run produced, for scripts. */
export const RUN_RESULT_SCHEMA = 'layerbench.cli.run.v1' as const;

export interface RunResult {
  schema: typeof RUN_RESULT_SCHEMA;
  runId: string;
  sweep: string;
  /** succeeded: every candidate ranked; partial: some failed; failed: none ranked. */
  status: 'succeeded' | 'partial' | 'failed';
  /** Where the run's documents are: a directory or an S3 URI prefix. */
  location: string;
  seconds: number;
  /** The answer: its outcome (recommend, all-equivalent, undecided, baseline, single-draw, none), headline, reason and what to try next. */
  answer: Leaderboard['answer'];
  /** The recommended candidate's leaderboard row (null when the run recommends none). */
  recommended: LeaderboardRow | null;
  /** The refit recommended model (runs/<runId>/model/final.json), or why there is none; null when the run recommends none. */
  finalModel: RunSummary['finalModel'] | null;
  leaderboard: Leaderboard;
  /** The learning curve (spec learningCurve; runs/<runId>/learning-curve.json, layerbench.learning-curve.v1); null without one. */
  learningCurve: LearningCurveDoc | null;
}

export async function runAction(file: string, opts: RunCommandOptions): Promise<void> {
  await runCommand(file, opts);
}

/** `npm start`: the first example (seattle-weather, dense depth × width), data prepared if needed. */
export async function quickstartAction(opts: Pick<RunCommandOptions, 'store' | 'workers' | 'json' | 'quiet'>): Promise<void> {
  const { EXAMPLE_SWEEPS } = await import('../../../examples/prepare.js');
  await runCommand(EXAMPLE_SWEEPS['seattle-weather'], opts);
  if (!opts.quiet) process.stderr.write('the other examples: npx layerbench run examples/mnist.json, npx layerbench run examples/co2.json\n');
}

export async function runCommand(file: string, opts: RunCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<RunResult[]> {
  if (opts.retryFailed && opts.runId === undefined) throw new SpecError('--retry-failed: needs --run-id, the run whose failed candidates to train again');
  // The workers (as many as asked for, at most one per core) start now and load tfjs while this
  // process loads the rest of the command and reads and checks the sweep: started only after the
  // check, a second worker was ready ~1 s after the first while the second core idled. Those the
  // sweep cannot use (workerCount: fewer candidates, too little memory) are stopped once it is read.
  // Starting a process writes nothing, so bad input still leaves nothing behind; the pool is stopped
  // however the command ends.
  const trainPool = new TrainPool({ workers: opts.workers, backend: opts.backend });
  void trainPool.warm();
  try {
    return await runWithPool(file, opts, out, trainPool);
  } finally {
    await trainPool.destroy();
  }
}

async function runWithPool(file: string, opts: RunCommandOptions, out: NodeJS.WritableStream, trainPool: TrainPool): Promise<RunResult[]> {
  // The runner (the interpreter, the definition's template) starts loading now too: its files are read
  // and transformed off this thread while the sweep is checked.
  const runner = import('../../workflow/local.js');
  runner.catch(() => undefined); // bad input ends the command first; a failed load surfaces below
  const [
    { DEFAULT_MEMORY_BUDGET, estimateResources },
    { checkRunIdOption, readManifest },
    { checkResumable, runIdFor },
    { checkRunDocuments },
    { keys },
    { openCheckedStore },
    { finishedRunText, resultsLocation },
    { summarizeFailures },
    { wrapLine },
    { prepareSweepFile },
    { parsePriceOverrides, priceTable },
    { readLearningCurve },
  ] = await Promise.all([
    import('../../model/params.js'),
    import('../../results/manifest.js'),
    import('../../steps/plan.js'),
    import('../../steps/resume.js'),
    import('../../store/keys.js'),
    import('../../store/open.js'),
    import('../output.js'),
    import('../../report/failures.js'),
    import('../../report/wrap.js'),
    import('../sweep-file.js'),
    import('../../cost/prices.js'),
    import('../../results/learning-curve.js'),
  ]);
  if (opts.runId !== undefined) checkRunIdOption(opts.runId);
  const note = (text: string) => opts.quiet || process.stderr.write(`${text}\n`);
  const prices = opts.prices === undefined ? undefined : priceTable(parsePriceOverrides(opts.prices, '--prices'));
  const store = await openCheckedStore(opts.store);
  const memoryBudget: MemoryBudget = opts.maxMemory ? { bytes: opts.maxMemory, source: '--max-memory' } : DEFAULT_MEMORY_BUDGET;
  const { text, spec, info, candidates, datasetVersion } = await prepareSweepFile(file, store, { quiet: opts.quiet, memoryBudget });
  // Resuming a run with another sweep or changed data is refused before the sweep is uploaded.
  if (opts.runId !== undefined && (await store.exists(keys.runManifest(opts.runId)))) {
    checkResumable(await readManifest(store, opts.runId), spec, datasetVersion);
    await checkRunDocuments(store, opts.runId);
  }
  const largest = Math.max(...candidates.map((c) => estimateResources(c, spec, info).memory.total));
  const { workers, notes } = workerCount({ requested: opts.workers, candidates: candidates.length, candidateBytes: largest, started: trainPool.started });
  for (const n of notes) note(wrapLine(`warning: ${n}`));

  // The run id is chosen here so an interrupted run can say how to resume it.
  const runId = opts.runId ?? runIdFor(spec.name, { trigger: 'cli', now: new Date() });
  const sweepKey = keys.sweep(spec.name);
  await store.put(sweepKey, text, 'application/json');

  // Workers the sweep cannot use stop; the runner trains in those started above.
  trainPool.limit(workers);
  trainPool.useStore(store.location);
  const progress = createProgressDisplay({ workers, quiet: opts.quiet });
  const stop = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => () => {
    progress.stop();
    stop.abort(new InterruptedError(`interrupted (${signal}): the workers are stopped; resume run ${runId} with: layerbench run ${file} --run-id ${runId}`, signal));
    void trainPool.destroy();
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  const started = Date.now();
  let result;
  try {
    const { runLocal } = await runner;
    result = await runLocal({
      store,
      input: { trigger: 'cli', key: sweepKey, runId, ...(opts.retryFailed ? { retryFailed: true } : {}) },
      workers,
      trainPool,
      trainTimeoutSeconds: opts.trainTimeout,
      ...(prices ? { prices } : {}),
      planOptions: { memoryBudget },
      onProgress: (e) => progress.onProgress(e),
      signal: stop.signal,
    });
  } catch (err) {
    // The store failed for good mid-run (a full disk, refused credentials): what is trained stays.
    if (err instanceof Error && err.name === 'StoreError') {
      throw new StoreError(`${err.message}; once fixed, resume with: layerbench run ${file} --run-id ${runId}`, err, (err as StoreError).failure);
    }
    throw err;
  } finally {
    progress.stop();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await trainPool.destroy();
  }
  const seconds = (Date.now() - started) / 1000;
  const results: RunResult[] = [];
  const texts: string[] = [];
  for (const run of result.runs) {
    for (const w of run.warnings ?? []) note(wrapLine(`warning: ${w}`));
    const { leaderboard: lb, text } = await finishedRunText(store, run, { file, seconds });
    const recommended = lb.rows.find((r) => r.candidateId === lb.recommended?.candidateId) ?? null;
    const status = lb.rows.length === 0 ? 'failed' : lb.failed.length > 0 ? 'partial' : 'succeeded';
    const learningCurve = await readLearningCurve(store, run.runId);
    results.push({
      schema: RUN_RESULT_SCHEMA,
      runId: run.runId,
      sweep: run.sweep,
      status,
      location: resultsLocation(store, run.runId),
      seconds,
      answer: lb.answer,
      recommended,
      finalModel: run.finalModel ?? null,
      leaderboard: lb,
      learningCurve,
    });
    texts.push(text);
  }
  if (opts.json) out.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  else for (const t of texts) out.write(t);
  const failed = results.find((r) => r.status === 'failed');
  if (failed) {
    const s = summarizeFailures(failed.leaderboard.failed);
    const n = failed.leaderboard.candidates;
    const why = s ? `; most common reason (${s.sharing} of ${s.failed}): ${s.reason}` : '';
    throw new CandidateError(`${n === 1 ? 'the only candidate' : `all ${n} candidates`} failed${why}; the reasons: ${failed.location}`);
  }
  return results;
}
