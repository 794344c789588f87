/**
 * Workers that scale, and a sweep against the loop a user would write (issue 20, point 3), as whole
 * processes:
 *
 *  1. a 24-candidate sweep (the seattle-weather example with depths 1–4 × widths 4–128) through
 *     `layerbench run --workers 1` and `--workers 2`, interleaved `--pairs` times: the medians and the
 *     speed-up of two workers over one (the goal: ≥ 1.8× on two cores);
 *  2. the `npm start` sweep (the seattle-weather example, default workers) against the plain
 *     sequential PyTorch loop over the same candidates, splits, epochs and early stopping
 *     (benchmarks/anchor.ts compareSweep; one thread, OPENBLAS_NUM_THREADS=1, the BLAS printed):
 *     the ratio of wall times (the goal: ≤ 0.5).
 *
 *   npx tsx benchmarks/scaling.ts [--pairs 3] [--skip-torch] [--skip-workers]
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

/** The 24-candidate sweep file: the seattle-weather example over a larger grid. */
async function sweep24(dir: string): Promise<string> {
  const spec = await loadExampleSweep('seattle-weather');
  const file = join(dir, 'seattle-24.json');
  await writeFile(file, JSON.stringify({ ...spec, name: 'seattle-24', model: { ...spec.model, depth: [1, 2, 3, 4], width: [4, 8, 16, 32, 64, 128] } }));
  return file;
}

/** `layerbench run <file> --workers N` in a fresh store with the example data, whole process, seconds. */
async function timeRun(file: string, workers: number): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'layerbench-scaling-'));
  try {
    await prepareExamples(new LocalStore(root));
    const t0 = performance.now();
    await run(process.execPath, [join(ROOT, 'bin', 'layerbench.js'), 'run', file, '--store', root, '--workers', String(workers), '--quiet'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
    return (performance.now() - t0) / 1000;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function workerScaling(pairs: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-scaling-sweep-'));
  try {
    const file = await sweep24(dir);
    const before = load();
    const sharing = sharingNote();
    const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
    for (let p = 0; p < pairs; p++) {
      for (const w of [1, 2] as const) {
        const s = await timeRun(file, w);
        times[w].push(s);
        process.stderr.write(`  24 candidates, ${w} worker(s): ${s.toFixed(1)} s (load ${load()})\n`);
      }
    }
    const one = median(times[1]);
    const two = median(times[2]);
    process.stdout.write(
      [
        `### 24-candidate sweep, whole process (${availableParallelism()} cores, ${pairs} interleaved pairs, medians)`,
        '',
        `| workers | wall (median) | runs |`,
        `|---:|---:|---|`,
        `| 1 | ${one.toFixed(1)} s | ${times[1].map((s) => s.toFixed(1)).join(', ')} |`,
        `| 2 | ${two.toFixed(1)} s | ${times[2].map((s) => s.toFixed(1)).join(', ')} |`,
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
      `layerbench / PyTorch wall time: **${(ours / c.pytorch.wallSeconds).toFixed(2)}** (goal ≤ 0.5)${fair ? '' : ' — the PyTorch side is not on one OpenBLAS thread: unfair'}. Load average before ${before}, after ${load()}.${sharing}`,
      '',
    ].join('\n'),
  );
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isEntry) {
  const { values } = parseArgs({ options: { pairs: { type: 'string', default: '3' }, 'skip-torch': { type: 'boolean' }, 'skip-workers': { type: 'boolean' } } });
  const pairs = Number(values.pairs);
  if (!values['skip-workers']) await workerScaling(pairs);
  if (!values['skip-torch']) await againstTorch(pairs);
}
