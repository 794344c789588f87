/**
 * Where a candidate's wall time goes (issue 20, point 1): an example sweep planned into a fresh local
 * store and trained candidate by candidate in one warm worker of the local pool, as `layerbench run`
 * trains it. Per candidate, the runner's task time is split into the phases the Train step times
 * itself (src/train/phases.ts: store reads, data, model build, training, scoring, model save,
 * checkpoint, store writes; backend is ~0 once warm) and the rest (dispatch to the worker and back,
 * bookkeeping). Once per run: starting the worker (process, tsx, tfjs, the backend) and Plan (reading
 * and parsing the dataset, writing the prepared data). Prints each phase's median per candidate and its
 * share, and the fixed share: everything that is not training, per candidate and over the whole run.
 *
 *   npx tsx benchmarks/overhead.ts [--sweep seattle-weather|co2|mnist] [--repeats 2] [--backend wasm]
 *
 * Each repeat plans a new run of the sweep (same data) in the same worker, as a warm worker trains
 * the candidates of consecutive runs. Then a whole run through the local runner (the state machine,
 * `--workers` 1 and 2) as a timeline of its states: Plan, the first and the last candidate, Aggregate,
 * Finalize with Report; with the runner process's own CPU-seconds, since what it does is serial. Load averages before and after are printed with the figures:
 * on a shared machine the split holds better than the absolute seconds.
 *
 * `--task-cost grid,halving` measures instead what each Train task costs in CPU, per halving round
 * (issue 20, point 4): the sweep (one of benchmarks/search.ts's: an example, `dense81` or `mnist-dense27`) run whole through
 * the local workflow, each Train task called in this process (no pool: a worker's CPU profile is
 * lost when the pool ends it, so this is also the run to profile with `node --cpu-prof --import tsx`).
 * Per round: tasks, epochs trained, the tasks' CPU-seconds (user + system, process.cpuUsage around
 * each call), CPU ms per task and the training phase's ms per epoch; then the task phases' seconds,
 * and halving's share of the grid's CPU. The leaderboard is seeded: the same every run.
 *
 *   npx tsx benchmarks/overhead.ts --sweep dense81 --task-cost grid,halving
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_SWEEPS, loadExampleSweep, prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import { plan } from '../src/steps/plan.js';
import type { TrainOutput } from '../src/steps/types.js';
import { putJson } from '../src/store/store.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { TASK_PHASES, type TaskPhase } from '../src/train/phases.js';
import { TrainPool } from '../src/workflow/pool.js';
import { median } from './engine.js';
import { runLocal, type ProgressEvent } from '../src/workflow/local.js';
import { train } from '../src/steps/train.js';
import { sweepSpecSchema, type SweepSpec } from '../src/sweep/schema.js';
import { SEARCH_SWEEPS, searchSweepSpec, type SearchSweep } from './search.js';

export interface OverheadResult {
  sweep: string;
  backend: string;
  candidates: number;
  repeats: number;
  /** Starting the worker: its process, tsx, tfjs and the backend (once per worker). */
  workerStartSeconds: number;
  /** Each run's Plan: the dataset read and parsed, the prepared data and the run's documents written. */
  planSeconds: number[];
  /** Per candidate task: the runner's wall time, and the seconds of each phase the task timed. */
  tasks: { seconds: number; phases: Partial<Record<TaskPhase | 'dispatch', number>> }[];
  loadBefore: number[];
  loadAfter: number[];
}

const PHASES = [...TASK_PHASES, 'dispatch'] as const;

export async function measureOverhead(opts: { sweep: ExampleSweep; repeats: number; backend?: string }): Promise<OverheadResult> {
  const loadBefore = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-overhead-'));
  const pool = new TrainPool({ storeUri: dir, workers: 1, ...(opts.backend ? { backend: opts.backend } : {}) });
  try {
    const store = new LocalStore(dir);
    await prepareExamples(store);
    const spec = await loadExampleSweep(opts.sweep);
    await putJson(store, keys.sweep(spec.name), spec);
    const start = performance.now();
    await pool.warm(1);
    const workerStartSeconds = (performance.now() - start) / 1000;
    const planSeconds: number[] = [];
    const tasks: OverheadResult['tasks'] = [];
    let candidates = 0;
    for (let r = 0; r < opts.repeats; r++) {
      const t0 = performance.now();
      const planned = await plan(store, { trigger: 'cli', key: keys.sweep(spec.name), runId: `overhead-${r}` }, { datasetScope: 'anywhere' });
      planSeconds.push((performance.now() - t0) / 1000);
      candidates = planned.items.length;
      for (const item of planned.items) {
        let out: TrainOutput;
        let seconds = 0;
        const phases: Partial<Record<TaskPhase | 'dispatch', number>> = {};
        // A task that checkpoints and continues (maxTaskSeconds) is one candidate's time all the same.
        do {
          const t = performance.now();
          out = await pool.run(item);
          const s = (performance.now() - t) / 1000;
          seconds += s;
          let timed = 0;
          for (const [p, v] of Object.entries(out.phases ?? {}) as [TaskPhase, number][]) {
            phases[p] = (phases[p] ?? 0) + v;
            timed += v;
          }
          phases.dispatch = (phases.dispatch ?? 0) + Math.max(0, s - timed);
        } while (out.status === 'continue');
        if (out.status !== 'succeeded') throw new Error(`candidate ${item.candidateId}: ${out.status}`);
        tasks.push({ seconds, phases });
      }
    }
    return { sweep: opts.sweep, backend: opts.backend ?? 'default', candidates, repeats: opts.repeats, workerStartSeconds, planSeconds, tasks, loadBefore, loadAfter: loadavg() };
  } finally {
    await pool.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

export interface RunTimeline {
  workers: number;
  candidates: number;
  /** Seconds from the start of the run, and the runner process's CPU-seconds then, at each state. */
  marks: { at: string; seconds: number; cpuSeconds: number }[];
}

/** One whole run of the sweep through the local runner, as a timeline of its states. */
export async function runTimeline(sweep: ExampleSweep, workers: number, backend?: string): Promise<RunTimeline> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-timeline-'));
  try {
    const store = new LocalStore(dir);
    await prepareExamples(store);
    const spec = await loadExampleSweep(sweep);
    await putJson(store, keys.sweep(spec.name), spec);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const marks: RunTimeline['marks'] = [];
    const mark = (at: string) => {
      const c = process.cpuUsage(cpu0);
      marks.push({ at, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 });
    };
    let done = 0;
    let total = 0;
    const onProgress = (e: ProgressEvent) => {
      if (e.type === 'planned') {
        total = e.total;
        mark('planned');
      } else if (e.type === 'candidate') {
        done++;
        if (done === 1) mark('first candidate done');
        if (done === total) mark('last candidate done');
      } else if (e.type === 'aggregating' || e.type === 'finalizing') mark(e.type);
    };
    await runLocal({ store, input: { trigger: 'cli', key: keys.sweep(spec.name) }, workers, onProgress, ...(backend ? { backend } : {}) });
    mark('done (Report written)');
    return { workers, candidates: total, marks };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function timelineMarkdown(sweep: string, runs: RunTimeline[], load: { before: number[]; after: number[] }): string {
  const lines = [
    `### A whole run's states: ${sweep}, in-process runner (no CLI start)`,
    '',
    `Load average before ${load.before.map((l) => l.toFixed(2)).join(' ')}, after ${load.after.map((l) => l.toFixed(2)).join(' ')}.`,
    '',
    `| state reached | ${runs.map((r) => `${r.workers} worker${r.workers === 1 ? '' : 's'}: s (runner CPU-s)`).join(' | ')} |`,
    `|---|${runs.map(() => '---:').join('|')}|`,
  ];
  for (const [i, m] of runs[0]!.marks.entries()) {
    lines.push(`| ${m.at} | ${runs.map((r) => (r.marks[i] ? `${r.marks[i]!.seconds.toFixed(2)} (${r.marks[i]!.cpuSeconds.toFixed(2)})` : '')).join(' | ')} |`);
  }
  return lines.join('\n');
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function overheadMarkdown(r: OverheadResult): string {
  const total = sum(r.tasks.map((t) => t.seconds));
  const lines = [
    `### Where a candidate's time goes: ${r.sweep}, ${r.candidates} candidates × ${r.repeats} runs, one warm worker (backend ${r.backend})`,
    '',
    `Load average before ${r.loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${r.loadAfter.map((l) => l.toFixed(2)).join(' ')}.`,
    '',
    '| phase | median per candidate | share of task time |',
    '|---|---:|---:|',
  ];
  for (const p of PHASES) {
    const values = r.tasks.map((t) => t.phases[p] ?? 0);
    if (values.every((v) => v === 0)) continue;
    lines.push(`| ${p} | ${ms(median(values))} | ${pct(sum(values) / total)} |`);
  }
  const training = sum(r.tasks.map((t) => t.phases.training ?? 0));
  const run = total + r.workerStartSeconds + sum(r.planSeconds);
  lines.push(
    `| **task** | ${ms(median(r.tasks.map((t) => t.seconds)))} | 100 % |`,
    '',
    `Once per run: worker start (process, tsx, tfjs, backend) ${ms(r.workerStartSeconds)} (once per worker); Plan (read, parse, prepared data, documents) ${r.planSeconds.map(ms).join(', ')}.`,
    '',
    `**Fixed share per candidate** (task time that is not training): ${pct(1 - training / total)}. ` +
      `**Over the whole run** (worker start and Plan included): ${pct(1 - training / run)} of ${run.toFixed(2)} s.`,
  );
  return lines.join('\n');
}

export interface TaskCostResult {
  sweep: string;
  strategy: 'grid' | 'halving';
  /** Per round ('grid' for a grid's one round): Train tasks, epochs they trained, their CPU-seconds and training-phase seconds. */
  rounds: { round: string; tasks: number; epochs: number; cpuSeconds: number; systemSeconds: number; trainingSeconds: number }[];
  /** Seconds of each phase the tasks timed (src/train/phases.ts), summed over the run. */
  phases: Partial<Record<TaskPhase, number>>;
  recommended: string | null;
  loadBefore: number[];
  loadAfter: number[];
}

/** A sweep run whole through the local workflow, each Train task in this process, its CPU measured around the call (see the header). */
export async function measureTaskCost(sweep: SearchSweep, strategy: 'grid' | 'halving'): Promise<TaskCostResult> {
  const loadBefore = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-task-cost-'));
  try {
    const store = new LocalStore(dir);
    await prepareExamples(store);
    const base: SweepSpec = await searchSweepSpec(sweep);
    const search = strategy === 'halving' ? { ...base.search, strategy, eta: 3 } : { ...base.search, strategy };
    const spec = sweepSpecSchema.parse({ ...base, name: `${base.name}-${strategy}`, search });
    const rounds = new Map<string, TaskCostResult['rounds'][number]>();
    const phases: TaskCostResult['phases'] = {};
    const result = await runLocal({
      store,
      input: { trigger: 'cli' },
      planOptions: { spec },
      workers: 1,
      testTrainer: async (item) => {
        let epochs = 0;
        const cpu = process.cpuUsage();
        const out = await train(store, item, { datasetScope: 'anywhere', onEpoch: () => epochs++ });
        const used = process.cpuUsage(cpu);
        const key = item.round === undefined ? 'grid' : String(item.round);
        const r = rounds.get(key) ?? { round: key, tasks: 0, epochs: 0, cpuSeconds: 0, systemSeconds: 0, trainingSeconds: 0 };
        rounds.set(key, r);
        r.tasks++;
        r.epochs += epochs;
        r.cpuSeconds += (used.user + used.system) / 1e6;
        r.systemSeconds += used.system / 1e6;
        r.trainingSeconds += out.phases?.training ?? 0;
        for (const [p, v] of Object.entries(out.phases ?? {}) as [TaskPhase, number][]) phases[p] = (phases[p] ?? 0) + v;
        return out;
      },
    });
    const run = result.runs[0];
    return { sweep: base.name, strategy, rounds: [...rounds.values()], phases, recommended: run?.recommended ?? null, loadBefore, loadAfter: loadavg() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function taskCostMarkdown(results: readonly TaskCostResult[]): string {
  const lines = [
    `### What a Train task costs: ${results[0]?.sweep ?? ''}, every task in one process`,
    '',
    '| strategy | round | tasks | epochs | CPU-s (system) | CPU ms per task | training-phase ms per epoch | load avg before → after |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  const load = (r: TaskCostResult) => `${r.loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${r.loadAfter.map((l) => l.toFixed(2)).join(' ')}`;
  for (const r of results) {
    const all = { round: 'all', tasks: 0, epochs: 0, cpuSeconds: 0, systemSeconds: 0, trainingSeconds: 0 };
    for (const x of r.rounds) for (const k of ['tasks', 'epochs', 'cpuSeconds', 'systemSeconds', 'trainingSeconds'] as const) all[k] += x[k];
    for (const x of r.rounds.length > 1 ? [...r.rounds, all] : r.rounds) {
      const round = x.round === 'all' ? '**all**' : x.round;
      lines.push(
        `| ${r.strategy} | ${round} | ${x.tasks} | ${x.epochs} | ${x.cpuSeconds.toFixed(2)} (${x.systemSeconds.toFixed(2)}) | ${((1000 * x.cpuSeconds) / x.tasks).toFixed(1)} | ${((1000 * x.trainingSeconds) / Math.max(1, x.epochs)).toFixed(2)} | ${load(r)} |`,
      );
    }
  }
  lines.push('', `| strategy | recommends | ${TASK_PHASES.map((p) => `${p} s`).join(' | ')} |`, `|---|---|${TASK_PHASES.map(() => '---:').join('|')}|`);
  for (const r of results) lines.push(`| ${r.strategy} | ${r.recommended ?? '–'} | ${TASK_PHASES.map((p) => (r.phases[p] ?? 0).toFixed(2)).join(' | ')} |`);
  const cpu = (r: TaskCostResult | undefined) => (r ? sum(r.rounds.map((x) => x.cpuSeconds)) : 0);
  const grid = results.find((r) => r.strategy === 'grid');
  const halving = results.find((r) => r.strategy === 'halving');
  if (grid && halving) lines.push('', `Halving used **${pct(cpu(halving) / cpu(grid))}** of the grid's task CPU-seconds (${cpu(halving).toFixed(2)} / ${cpu(grid).toFixed(2)}).`);
  return lines.join('\n');
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isEntry) {
  const { values } = parseArgs({
    options: { sweep: { type: 'string', default: 'seattle-weather' }, repeats: { type: 'string', default: '2' }, backend: { type: 'string' }, 'task-cost': { type: 'string' } },
  });
  if (values['task-cost'] !== undefined) {
    const strategies = values['task-cost'].split(',');
    for (const s of strategies) if (s !== 'grid' && s !== 'halving') throw new Error(`--task-cost: grid and/or halving, got ${s}`);
    const name = values.sweep as SearchSweep;
    if (!SEARCH_SWEEPS.includes(name)) throw new Error(`--sweep: one of ${SEARCH_SWEEPS.join(', ')}`);
    const results: TaskCostResult[] = [];
    for (const s of strategies as ('grid' | 'halving')[]) results.push(await measureTaskCost(name, s));
    process.stdout.write(`${taskCostMarkdown(results)}\n`);
    process.exit(0);
  }
  const sweep = values.sweep as ExampleSweep;
  if (!(sweep in EXAMPLE_SWEEPS)) throw new Error(`--sweep: one of ${Object.keys(EXAMPLE_SWEEPS).join(', ')}`);
  const result = await measureOverhead({ sweep, repeats: Number(values.repeats), ...(values.backend ? { backend: values.backend } : {}) });
  process.stdout.write(`${overheadMarkdown(result)}\n\n`);
  const before = loadavg();
  const runs = [await runTimeline(sweep, 1, values.backend), await runTimeline(sweep, 2, values.backend)];
  process.stdout.write(`${timelineMarkdown(sweep, runs, { before, after: loadavg() })}\n`);
}
