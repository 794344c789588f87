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

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isEntry) {
  const { values } = parseArgs({ options: { sweep: { type: 'string', default: 'seattle-weather' }, repeats: { type: 'string', default: '2' }, backend: { type: 'string' } } });
  const sweep = values.sweep as ExampleSweep;
  if (!(sweep in EXAMPLE_SWEEPS)) throw new Error(`--sweep: one of ${Object.keys(EXAMPLE_SWEEPS).join(', ')}`);
  const result = await measureOverhead({ sweep, repeats: Number(values.repeats), ...(values.backend ? { backend: values.backend } : {}) });
  process.stdout.write(`${overheadMarkdown(result)}\n\n`);
  const before = loadavg();
  const runs = [await runTimeline(sweep, 1, values.backend), await runTimeline(sweep, 2, values.backend)];
  process.stdout.write(`${timelineMarkdown(sweep, runs, { before, after: loadavg() })}\n`);
}
