/**
 * The PyTorch anchor, measured in the same `npm run bench` as layerbench (benchmarks/pytorch/anchor.py):
 *
 *  - engine: the seed's three models, batch 32, Adam, one thread, the same samples per epoch;
 *  - sweep: the seattle-weather example as a plain sequential PyTorch loop over the same
 *    candidates × repeats, on the very arrays layerbench's data layer produces, with the same
 *    dropout, epochs and early stopping; timed as a whole process, as `layerbench run` is.
 *
 * It needs `/usr/bin/python3` with torch (Debian: `apt-get install python3-torch libopenblas0-pthread`;
 * override with LAYERBENCH_PYTHON). Without it the bench says "anchor not available". Debian's torch
 * calls whatever libblas.so.3 is installed: without OpenBLAS that is the reference BLAS, 2–7× slower
 * on these models, so `torchAvailable` reports which BLAS torch loaded and says plainly when the
 * anchor is unfair. PyTorch runs on one thread (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and
 * torch.set_num_threads all 1), and anchor.py tells glibc's malloc to keep freed memory: with
 * glibc's defaults the CNN's buffers go back to the kernel and fault in again each batch, in
 * some processes and not others, so PyTorch's CNN ran at ~900 samples/s in most processes and
 * ~3,500 in the rest (benchmarks/results/2026-12-07-anchor-s6.md). Its CNN trains in channels_last
 * (NHWC, Keras' and tfjs' layout), as PyTorch's tuning guide recommends on CPU: ~1.6× the samples/s
 * of PyTorch's default NCHW here. The description says what was set.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadExampleSweep, prepareExamples } from '../examples/prepare.js';
import { splitDataset } from '../src/data/split.js';
import { loadSweepDataset } from '../src/steps/dataset.js';
import { LocalStore } from '../src/store/local.js';
import type { ProcessMedians } from './engine.js';
import type { ModelName } from './models.js';

const run = promisify(execFile);
/** One thread for PyTorch, whatever library reads which variable (anchor.py sets them too). */
const ONE_THREAD = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SCRIPT = join(HERE, 'pytorch', 'anchor.py');
export const PYTHON = process.env['LAYERBENCH_PYTHON'] ?? '/usr/bin/python3';

/** What anchor.py told glibc's malloc before torch loaded (keep_freed_memory). */
export interface TorchMalloc {
  /** True when freed memory stays in the process (mmap and trim thresholds raised). */
  kept: boolean;
  M_MMAP_THRESHOLD?: number;
  M_TRIM_THRESHOLD?: number;
  why: string;
}

/**
 * The BLAS library torch loaded, as benchmarks/pytorch/anchor.py finds it in /proc/self/maps, and
 * the other settings of the process that decide PyTorch's speed.
 */
export interface TorchBlas {
  libraries: string[];
  openblas: boolean;
  /** Netlib's reference BLAS (Debian's libblas3): the anchor is then unfair. */
  reference: boolean;
  /** oneDNN, which torch's convolutions use where it is built in. */
  mkldnn: boolean;
  torchThreads: number;
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 … Haswell MAX_THREADS=64". */
  config?: string;
  threads?: number;
  /** Absent in reports written before anchor.py set it (glibc's defaults then). */
  malloc?: TorchMalloc;
  /** The CNN's memory format; absent in reports written before anchor.py set it (contiguous then). */
  cnnLayout?: 'channels_last' | 'contiguous';
}

export interface TorchInfo {
  version: string;
  blas: TorchBlas;
  /** One line for reports (after the word PyTorch): torch's version, its BLAS and threads, a warning when unfair. */
  description: string;
  /** False unless torch runs on OpenBLAS with one thread, malloc keeps freed memory and the CNN is channels_last. */
  fair: boolean;
}

const size = (bytes = 0): string => (bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`);

/** One line naming torch's BLAS, with a warning when the anchor is not a fair one. */
export function describeTorch(version: string, blas: TorchBlas): { description: string; fair: boolean } {
  const lib = blas.config ?? blas.libraries.map((l) => l.split('/').slice(-2).join('/')).join(', ');
  const threads = blas.threads ?? blas.torchThreads;
  const kept = blas.malloc?.kept !== false;
  const nchw = blas.cnnLayout === 'contiguous';
  const fair = blas.openblas && threads === 1 && blas.torchThreads === 1 && kept && !nchw;
  const convs = blas.mkldnn ? '; convolutions on oneDNN' : '';
  const malloc = blas.malloc?.kept
    ? `; glibc malloc keeps freed memory (mmap threshold ${size(blas.malloc.M_MMAP_THRESHOLD)}, trim threshold ${size(blas.malloc.M_TRIM_THRESHOLD)}: its defaults refault the CNN's buffers every batch in most processes)`
    : '';
  const layout = blas.cnnLayout === 'channels_last' ? '; the CNN in channels_last (NHWC, as Keras and tfjs)' : '';
  const what = `${version} on ${lib || 'no BLAS found'} (${threads} thread${threads === 1 ? '' : 's'})${convs}${malloc}${layout}`;
  if (fair) return { description: what, fair };
  const why = !blas.openblas
    ? `${blas.reference ? 'the reference BLAS, 2–7× slower than OpenBLAS' : 'not OpenBLAS'} (Debian: apt-get install libopenblas0-pthread)`
    : threads !== 1 || blas.torchThreads !== 1
      ? 'more than one thread (OPENBLAS_NUM_THREADS=1)'
      : !kept
        ? `malloc left at its defaults (${blas.malloc!.why}): freed buffers fault in again each batch, the CNN 3–4× slower in most processes`
        : "the CNN in PyTorch's default NCHW layout (LAYERBENCH_TORCH_CNN_LAYOUT=contiguous), ~1.6× slower than channels_last here";
  return { description: `${what} — UNFAIR ANCHOR: ${why}`, fair };
}

/** torch's version and BLAS when the anchor can run, else why not. */
export function torchAvailable(): TorchInfo | { reason: string } {
  const probe = spawnSync(PYTHON, [SCRIPT, 'blas'], { encoding: 'utf8', env: { ...process.env, ...ONE_THREAD } });
  if (probe.error) return { reason: `${PYTHON} not found` };
  if (probe.status !== 0) return { reason: `${PYTHON} has no torch (Debian: apt-get install python3-torch libopenblas0-pthread)` };
  const { torch, blas } = JSON.parse(probe.stdout.trim().split('\n').at(-1)!) as { torch: string; blas: TorchBlas };
  return { version: torch, blas, ...describeTorch(torch, blas) };
}

export interface TorchEngineResult {
  runs: number[];
  median: number;
  /** Samples per CPU-second of the process in each run (steadier than wall time on a loaded machine). */
  cpuRuns?: number[];
  /** Minor page faults of the process in each run (a few with malloc kept; 13k–46k an epoch without). */
  minorFaults?: number[];
  torch: string;
  /** What the measuring process had loaded (absent in reports written before it was recorded). */
  blas?: TorchBlas;
  /** Each process's medians in a paired comparison (see EngineResult.processes). */
  processes?: ProcessMedians[];
}

/** PyTorch's samples/s on a seed model (warm-up epoch, then `runs` timed epochs). */
export async function torchEngine(model: ModelName, samples: number, runs: number): Promise<TorchEngineResult> {
  const { stdout } = await run(PYTHON, [SCRIPT, 'engine', model, String(samples), String(runs)], { env: { ...process.env, ...ONE_THREAD } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as TorchEngineResult;
}

export interface SweepComparison {
  sweep: string;
  candidates: number;
  repeats: number;
  /** `layerbench run <example> --workers N`, whole process, seconds. */
  layerbench: { workers: number; wallSeconds: number }[];
  /** The PyTorch loop, whole process (python start and torch import included) and the loop alone. */
  pytorch: { wallSeconds: number; loopSeconds: number; torch: string; blas?: TorchBlas };
}

/** A fresh store with the example data in it (untimed). */
async function preparedStore(): Promise<{ root: string; store: LocalStore }> {
  const root = await mkdtemp(join(tmpdir(), 'layerbench-anchor-'));
  const store = new LocalStore(root);
  await prepareExamples(store);
  return { root, store };
}

/** The example's splits as layerbench trains on them, for the PyTorch loop. */
async function writeSplits(file: string): Promise<{ candidates: number; repeats: number }> {
  const spec = await loadExampleSweep('seattle-weather');
  const { root, store } = await preparedStore();
  try {
    const { parsed } = await loadSweepDataset(store, spec.dataset);
    const repeats = [];
    for (let repeat = 0; repeat < spec.evaluation.repeats; repeat++) {
      const [split] = await splitDataset(parsed, spec.evaluation, spec.training.seed, repeat);
      const set = (s: { n: number; x: Float32Array; y: Float32Array }) => ({ n: s.n, x: Array.from(s.x), y: Array.from(s.y) });
      repeats.push({ train: set(split!.train), val: set(split!.val) });
    }
    const es = spec.training.earlyStopping;
    await writeFile(
      file,
      JSON.stringify({
        depths: spec.model.depth,
        widths: spec.model.width,
        dropout: spec.model.dropout,
        training: { ...spec.training, patience: es.patience, minDelta: es.minDelta },
        repeats,
      }),
    );
    return { candidates: spec.model.depth.length * spec.model.width.length, repeats: spec.evaluation.repeats };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function timeLayerbench(workers: number): Promise<number> {
  const { root } = await preparedStore();
  try {
    const t0 = performance.now();
    await run(process.execPath, [join(ROOT, 'bin', 'layerbench.js'), 'run', join(ROOT, 'examples', 'seattle-weather.json'), '--store', root, '--workers', String(workers)], {
      cwd: ROOT,
      maxBuffer: 16 * 2 ** 20,
    });
    return (performance.now() - t0) / 1000;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function timeTorchSweep(file: string): Promise<SweepComparison['pytorch']> {
  const t0 = performance.now();
  const { stdout } = await run(PYTHON, [SCRIPT, 'sweep', file], { env: { ...process.env, ...ONE_THREAD }, maxBuffer: 16 * 2 ** 20 });
  const wallSeconds = (performance.now() - t0) / 1000;
  const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { loopSeconds: number; torch: string; blas: TorchBlas };
  return { wallSeconds, loopSeconds: out.loopSeconds, torch: out.torch, blas: out.blas };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The seattle-weather sweep: layerbench with each worker count and the PyTorch loop, interleaved
 * `pairs` times (medians), so that a load spike on the machine hits both sides alike.
 */
export async function compareSweep(workers: number[], pairs: number, log: (s: string) => void): Promise<SweepComparison> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-anchor-splits-'));
  try {
    const file = join(dir, 'splits.json');
    const { candidates, repeats } = await writeSplits(file);
    const ours = new Map<number, number[]>(workers.map((w) => [w, []]));
    const torch: SweepComparison['pytorch'][] = [];
    for (let p = 0; p < pairs; p++) {
      for (const w of workers) {
        const s = await timeLayerbench(w);
        ours.get(w)!.push(s);
        log(`    layerbench, ${w} worker(s): ${s.toFixed(1)} s`);
      }
      const t = await timeTorchSweep(file);
      torch.push(t);
      log(`    PyTorch loop: ${t.wallSeconds.toFixed(1)} s (loop ${t.loopSeconds.toFixed(1)} s)`);
    }
    return {
      sweep: 'seattle-weather',
      candidates,
      repeats,
      layerbench: workers.map((w) => ({ workers: w, wallSeconds: median(ours.get(w)!) })),
      pytorch: {
        wallSeconds: median(torch.map((t) => t.wallSeconds)),
        loopSeconds: median(torch.map((t) => t.loopSeconds)),
        torch: torch[0]!.torch,
        blas: torch[0]!.blas,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
