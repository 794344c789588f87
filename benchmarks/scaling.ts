/**
 * Workers that scale, and a sweep against the loop a user would write (issue 20, point 3), as whole
 * processes:
 *
 *  1. a 24-candidate sweep (the seattle-weather example with depths 1–4 × widths 4–128) through
 *     `layerbench run --workers 1` and `--workers 2`, interleaved `--pairs` times: the medians and the
 *     speed-up of two workers over one (the goal: ≥ 1.8× on two cores), with the CPU-seconds of the
 *     whole process and its workers. Three versions: the example's own training (early stopping:
 *     ~3 s of training, so start-up, ranking and the final model — serial — bound the speed-up); a
 *     heavier one (100 epochs, no early stopping: ~11 s); and a long one (500 epochs, no early
 *     stopping: about a minute of training with one worker, what a user's real sweep costs), where
 *     the ~1 s of start and ~1.5–2 s at the end that one worker or two spend alike weigh least. By
 *     Amdahl, with S s of serial time two workers reach 1.8× only when training takes ≥ 8·S with one;
 *  2. the `npm start` sweep (the seattle-weather example, default workers) against the plain
 *     sequential PyTorch loop over the same candidates, splits, epochs and early stopping
 *     (benchmarks/anchor.ts compareSweep; one thread, OPENBLAS_NUM_THREADS=1, the BLAS printed):
 *     the ratio of wall times (the goal: ≤ 0.5).
 *
 *  3. (--contention) the same training in one process alone and in two at once (benchmarks/engine.ts,
 *     the seed MLP): how much slower each gets when two train together, per wall and per CPU second —
 *     what two workers can gain at most — with the workers' V8 flag (--max-semi-space-size=2) and without.
 *
 *  4. (--warm-up) what each worker process pays once: one worker trains the 24-candidate sweep
 *     `--pairs` times over (a new run each pass) in the same process. Per pass, the tasks' CPU-seconds
 *     (the candidate documents' compute) and the worker's main-thread and helper-thread CPU
 *     (/proc, Linux): the first pass over the later ones is the warm-up every worker process pays —
 *     V8 compiling the hot JavaScript on its helper threads, and that code running cold meanwhile —
 *     which a second worker pays again (what makes each task of a 2-worker run cost more CPU).
 *
 *   npx tsx benchmarks/scaling.ts [--pairs 3] [--skip-torch] [--skip-workers] [--skip-heavy] [--skip-long] [--contention] [--warm-up]
 *
 * The load average is printed before and after each part, and how the kernel shares the CPU: with
 * sched_autogroup on (Linux's default on desktops and many containers), the CPU is shared fairly
 * between sessions, not processes, so while other sessions keep the cores busy, a run's two workers
 * together get one session's share — no more than one worker gets — and cannot be faster than one.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { loadExampleSweep, prepareExamples } from '../examples/prepare.js';
import { LocalStore } from '../src/store/local.js';
import { plan } from '../src/steps/plan.js';
import { keys } from '../src/store/keys.js';
import { getJson, putJson } from '../src/store/store.js';
import type { CandidateDoc } from '../src/results/document.js';
import { TrainPool } from '../src/workflow/pool.js';
import { compareSweep, describeTorch, torchAvailable } from './anchor.js';
import { median } from './engine.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * How the CPU is shared now: whether sched_autogroup is on, and how many other sessions (autogroups)
 * have a process running or runnable. Linux only; undefined elsewhere.
 */
export function cpuSharing(): { autogroup: boolean; otherBusySessions: number } | undefined {
  try {
    const autogroup = readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
    const own = readFileSync('/proc/self/autogroup', 'utf8').split(' ')[0];
    const busy = new Set<string>();
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        if (state !== 'R') continue;
        const group = readFileSync(`/proc/${pid}/autogroup`, 'utf8').split(' ')[0]!;
        if (group !== own) busy.add(group);
      } catch {
        // a process that ended while we looked
      }
    }
    return { autogroup, otherBusySessions: busy.size };
  } catch {
    return undefined;
  }
}

function sharingNote(): string {
  const s = cpuSharing();
  if (!s) return '';
  if (!s.autogroup) return ` CPU shared per process (sched_autogroup off); ${s.otherBusySessions} other session(s) running.`;
  return (
    ` CPU shared per session (sched_autogroup on), and ${s.otherBusySessions} other session(s) had a process running when it started` +
    (s.otherBusySessions > 0
      ? `: this run's workers together got roughly ${Math.min(availableParallelism(), availableParallelism() / (s.otherBusySessions + 1)).toFixed(2)} cores, however many there were.`
      : '.')
  );
}

/**
 * How long each 24-candidate sweep trains: the example's own training (early stopping), or a fixed
 * number of epochs with early stopping off — 100 (`heavy`) or 500 (`long`, about a minute of training
 * with one worker on this machine).
 */
type SweepKind = 'example' | 'heavy' | 'long';
const FIXED_EPOCHS: Record<Exclude<SweepKind, 'example'>, number> = { heavy: 100, long: 500 };

const describeSweep = (kind: SweepKind) =>
  kind === 'example' ? "24-candidate sweep (the example's training: early stopping)" : `24-candidate sweep, ${kind} (${FIXED_EPOCHS[kind]} epochs, no early stopping)`;

/** The 24-candidate sweep file: the seattle-weather example over a larger grid (depths 1–4 × widths 4–128). */
async function sweep24(dir: string, kind: SweepKind = 'example'): Promise<string> {
  const spec = await loadExampleSweep('seattle-weather');
  const name = kind === 'example' ? 'seattle-24' : `seattle-24-${kind}`;
  const file = join(dir, `${name}.json`);
  const training = kind === 'example' ? spec.training : { ...spec.training, epochs: FIXED_EPOCHS[kind], earlyStopping: { ...spec.training.earlyStopping, enabled: false } };
  await writeFile(file, JSON.stringify({ ...spec, name, training, model: { ...spec.model, depth: [1, 2, 3, 4], width: [4, 8, 16, 32, 64, 128] } }));
  return file;
}

/**
 * CPU-seconds of this process's children that have ended and been waited for (Linux /proc: cutime +
 * cstime). A `layerbench run` waits for its workers, so their CPU counts in its own, and its own in
 * ours once it has ended: the difference around one run is the CPU of the whole command, workers
 * included. Undefined elsewhere.
 */
function childrenCpu(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** `layerbench run <file> --workers N` in a fresh store with the example data, whole process: wall and CPU seconds. */
async function timeRun(file: string, workers: number): Promise<{ wall: number; cpu: number | undefined }> {
  const root = await mkdtemp(join(tmpdir(), 'layerbench-scaling-'));
  try {
    await prepareExamples(new LocalStore(root));
    const cpu0 = childrenCpu();
    const t0 = performance.now();
    await run(process.execPath, [join(ROOT, 'bin', 'layerbench.js'), 'run', file, '--store', root, '--workers', String(workers), '--quiet'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = childrenCpu();
    return { wall, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function workerScaling(pairs: number, kind: SweepKind): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-scaling-sweep-'));
  const what = describeSweep(kind);
  try {
    const file = await sweep24(dir, kind);
    const before = load();
    const sharing = sharingNote();
    const times: Record<1 | 2, { wall: number; cpu: number | undefined; load: string }[]> = { 1: [], 2: [] };
    for (let p = 0; p < pairs; p++) {
      for (const w of [1, 2] as const) {
        const t = await timeRun(file, w);
        times[w].push({ ...t, load: load().split(' ')[0]! });
        process.stderr.write(`  ${kind} 24 candidates, ${w} worker(s): ${t.wall.toFixed(1)} s, ${t.cpu?.toFixed(1) ?? 'n/a'} CPU-s (load ${load()})\n`);
      }
    }
    const one = median(times[1].map((t) => t.wall));
    const two = median(times[2].map((t) => t.wall));
    const cpu = (w: 1 | 2) => (times[w].every((t) => t.cpu !== undefined) ? `${median(times[w].map((t) => t.cpu!)).toFixed(1)} s` : 'n/a');
    const runs = (w: 1 | 2) => times[w].map((t) => `${t.wall.toFixed(1)}${t.cpu === undefined ? '' : ` / ${t.cpu.toFixed(1)}`} (${t.load})`).join(', ');
    process.stdout.write(
      [
        `### ${what}, whole process (${availableParallelism()} cores, ${pairs} interleaved pairs, medians)`,
        '',
        `| workers | wall (median) | CPU-s, workers included (median) | runs: wall / CPU-s (1-min load after) |`,
        `|---:|---:|---:|---|`,
        `| 1 | ${one.toFixed(1)} s | ${cpu(1)} | ${runs(1)} |`,
        `| 2 | ${two.toFixed(1)} s | ${cpu(2)} | ${runs(2)} |`,
        '',
        `Two workers: **${(one / two).toFixed(2)}×** one worker's speed (goal ≥ 1.8×). Load average before ${before}, after ${load()}.${sharing}`,
        '',
      ].join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function againstTorch(pairs: number): Promise<void> {
  const torch = torchAvailable();
  if ('reason' in torch) {
    process.stdout.write(`### npm start sweep against the PyTorch loop\n\nnot measured: ${torch.reason}\n\n`);
    return;
  }
  const before = load();
  const sharing = sharingNote();
  const workers = Math.min(availableParallelism(), 12);
  const c = await compareSweep([workers], pairs, (s) => process.stderr.write(`${s} (load ${load()})\n`));
  const ours = c.layerbench[0]!.wallSeconds;
  const { description, fair } = describeTorch(c.pytorch.torch, c.pytorch.blas ?? torch.blas);
  process.stdout.write(
    [
      `### npm start sweep (${c.sweep}, ${c.candidates} candidates × ${c.repeats} repeats) against the plain PyTorch loop, whole processes (${pairs} interleaved pairs, medians)`,
      '',
      `| | wall (median) |`,
      `|---|---:|`,
      `| layerbench run, ${workers} workers | ${ours.toFixed(1)} s |`,
      `| PyTorch loop (${description}) | ${c.pytorch.wallSeconds.toFixed(1)} s (loop alone ${c.pytorch.loopSeconds.toFixed(1)} s) |`,
      '',
      `layerbench / PyTorch wall time: **${(ours / c.pytorch.wallSeconds).toFixed(2)}** (goal ≤ 0.5)${fair ? '' : ' — the PyTorch side is not as the anchor should run (its description above says why): unfair'}. Load average before ${before}, after ${load()}.${sharing}`,
      '',
    ].join('\n'),
  );
}

/** One engine measurement (benchmarks/engine.ts) in its own process: samples/s per wall and per CPU second. */
async function engineRun(v8Flags: string[]): Promise<{ wall: number; cpu: number }> {
  const { stdout } = await run(process.execPath, [...v8Flags, '--import', 'tsx', join(ROOT, 'benchmarks', 'engine.ts'), 'wasm', 'mlp', '65536', '5'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { median: number; cpuRuns: number[] };
  return { wall: r.median, cpu: median(r.cpuRuns) };
}

/**
 * Training in one process alone, then in two at once (each the seed MLP on wasm, benchmarks/engine.ts),
 * `pairs` times, with and without the workers' V8 flag: per-process samples/s by wall and by CPU time.
 * Two at once at the same rate each = two workers can train twice as fast; the CPU-time rate shows
 * whether the cores themselves slow down when both compute (shared caches, memory bandwidth, SMT).
 */
async function contention(pairs: number): Promise<void> {
  const before = load();
  const sharing = sharingNote();
  const rows: string[] = [];
  for (const [label, flags] of [
    ['default V8 flags', [] as string[]],
    ['--max-semi-space-size=2 (the workers)', ['--max-semi-space-size=2']],
  ] as const) {
    const alone: { wall: number; cpu: number }[] = [];
    const together: { wall: number; cpu: number }[] = [];
    for (let p = 0; p < pairs; p++) {
      alone.push(await engineRun([...flags]));
      together.push(...(await Promise.all([engineRun([...flags]), engineRun([...flags])])));
      process.stderr.write(`  contention (${label}) ${p + 1}/${pairs} (load ${load()})\n`);
    }
    const a = { wall: median(alone.map((r) => r.wall)), cpu: median(alone.map((r) => r.cpu)) };
    const t = { wall: median(together.map((r) => r.wall)), cpu: median(together.map((r) => r.cpu)) };
    rows.push(
      `| ${label} | ${a.wall.toFixed(0)} | ${t.wall.toFixed(0)} (${((t.wall / a.wall) * 100).toFixed(0)} %) | ${a.cpu.toFixed(0)} | ${t.cpu.toFixed(0)} (${((t.cpu / a.cpu) * 100).toFixed(0)} %) |`,
    );
  }
  process.stdout.write(
    [
      `### Two trainings at once (seed MLP, wasm, benchmarks/engine.ts; ${pairs} rounds, medians)`,
      '',
      '| V8 flags | alone: samples/s (wall) | each of two at once (wall) | alone: samples/CPU-s | each of two at once (CPU) |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      '',
      `Two at once at 100 % of alone = two workers train twice as fast. Load average before ${before}, after ${load()}.${sharing}`,
      '',
    ].join('\n'),
  );
}

/** A process's CPU-seconds so far on its main thread and on all its other threads (Linux /proc). */
function threadCpu(pid: number): { main: number; helpers: number } {
  let main = 0;
  let helpers = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (USER_HZ 100)
    if (Number(tid) === pid) main += seconds;
    else helpers += seconds;
  }
  return { main, helpers };
}

/** The pool's worker process: this process's child started with the pool's --expose-gc. */
function workerPid(): number | undefined {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--expose-gc')) return Number(pid);
    } catch {
      // a process that ended while we looked
    }
  }
  return undefined;
}

async function warmUp(passes: number, kind: SweepKind): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-warm-up-'));
  const pool = new TrainPool({ storeUri: dir, workers: 1 });
  try {
    const store = new LocalStore(dir);
    await prepareExamples(store);
    const file = await sweep24(dir, kind);
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { name: string };
    await putJson(store, keys.sweep(spec.name), spec);
    const before = load();
    await pool.warm(1);
    const pid = workerPid();
    const rows: string[] = [];
    for (let pass = 0; pass < passes; pass++) {
      const planned = await plan(store, { trigger: 'cli', key: keys.sweep(spec.name), runId: `warm-up-${pass}` }, { datasetScope: 'anywhere' });
      const start = pid === undefined ? undefined : threadCpu(pid);
      let cpu = 0;
      for (const item of planned.items) {
        let out = await pool.run(item);
        while (out.status === 'continue') out = await pool.run(out);
        const doc = await getJson<CandidateDoc>(store, keys.candidate(item.runId, item.candidateId));
        cpu += doc.compute?.cpuSeconds ?? 0;
      }
      const end = pid === undefined ? undefined : threadCpu(pid);
      const threads = start && end ? `${(end.main - start.main).toFixed(2)} | ${(end.helpers - start.helpers).toFixed(2)}` : 'n/a | n/a';
      rows.push(`| ${pass + 1} | ${cpu.toFixed(2)} | ${threads} |`);
      process.stderr.write(`  warm-up pass ${pass + 1}/${passes}: ${cpu.toFixed(2)} CPU-s (load ${load()})\n`);
    }
    process.stdout.write(
      [
        `### One worker process trains the ${kind === 'example' ? '' : `${kind} `}24-candidate sweep ${passes} times over (warm-up per process)`,
        '',
        '| pass | tasks: CPU-s (documents) | worker main thread CPU-s | worker helper threads CPU-s |',
        '|---:|---:|---:|---:|',
        ...rows,
        '',
        `The first pass over the others is what every worker process pays once (a second worker pays it again). Load average before ${before}, after ${load()}.`,
        '',
      ].join('\n'),
    );
  } finally {
    await pool.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isEntry) {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string', default: '3' },
      'skip-torch': { type: 'boolean' },
      'skip-workers': { type: 'boolean' },
      'skip-heavy': { type: 'boolean' },
      'skip-long': { type: 'boolean' },
      contention: { type: 'boolean' },
      'warm-up': { type: 'boolean' },
    },
  });
  const pairs = Number(values.pairs);
  if (!values['skip-workers']) {
    await workerScaling(pairs, 'example');
    if (!values['skip-heavy']) await workerScaling(pairs, 'heavy');
    if (!values['skip-long']) await workerScaling(pairs, 'long');
  }
  if (values.contention) await contention(pairs);
  if (values['warm-up']) {
    await warmUp(pairs, 'example');
    if (!values['skip-heavy']) await warmUp(pairs, 'heavy');
  }
  if (!values['skip-torch']) await againstTorch(pairs);
}
