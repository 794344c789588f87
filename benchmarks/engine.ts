/**
 * One engine measurement, in its own process so that backends and JIT state never mix:
 *
 *   tsx benchmarks/engine.ts <backend> <model> <samplesPerRun> <runs>
 *
 * Trains the reference model with layerbench's own training loop (src/train/train.ts, batch 32,
 * Adam) on synthetic data for runs + 1 epochs of `samplesPerRun` samples; the first epoch is the
 * warm-up, each later epoch is one run. A run's time is the gap between two epoch-end events, so
 * it includes that epoch's validation pass over 32 rows (well under 1 % of the epoch). Prints one
 * JSON line: EngineResult. What trains is exactly what layerbench trains (on wasm, for all three
 * seed models: one LayerbenchEpoch kernel per epoch, src/kernels/epoch.ts).
 */
import { selectBackend } from '../src/train/backend.js';
import { trainCandidate } from '../src/train/train.js';
import { MODEL_NAMES, referenceModel, syntheticSplit, type ModelName } from './models.js';

export interface EngineResult {
  backend: string;
  /** What the candidate document recorded as its backend. */
  recordedBackend: string;
  model: ModelName;
  batchSize: number;
  samplesPerRun: number;
  /** samples/s of each timed run, in order. */
  runs: number[];
  median: number;
  /**
   * Samples per second of the process's CPU time (all its threads) in each run: steadier than wall
   * time on a loaded machine, where the process waits for a core.
   */
  cpuRuns: number[];
  /**
   * Minor page faults of the process in each run: memory the run touched for the first time (the
   * wasm heap only grows, so after the warm-up this stays near zero unless something is freed to
   * the kernel and faulted in again, as glibc did to PyTorch's CNN; see benchmarks/pytorch/anchor.py).
   */
  minorFaults?: number[];
  /**
   * In a paired comparison (benchmarks/run.ts: every process's epochs pooled into runs), each
   * process's own medians, wall and per CPU-second, in order: this host runs a whole process at
   * one of two speeds for minutes at a time, so their spread says more than the pooled median.
   */
  processes?: ProcessMedians[];
}

/** One process's median samples/s over its timed epochs: wall, and per CPU-second when measured. */
export interface ProcessMedians {
  median: number;
  cpuMedian?: number;
}

/** Each result's medians (a paired comparison's processes, in order). */
export function processMedians(results: readonly { runs: number[]; cpuRuns?: number[] }[]): ProcessMedians[] {
  return results.map((r) => ({ median: median(r.runs), ...(r.cpuRuns && r.cpuRuns.length > 0 ? { cpuMedian: median(r.cpuRuns) } : {}) }));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function measureEngine(backend: string, model: ModelName, samplesPerRun: number, runs: number): Promise<EngineResult> {
  await selectBackend(backend);
  const ref = referenceModel(model);
  const spec = { ...ref.spec, training: { ...ref.spec.training, epochs: runs + 1 } };
  const split = syntheticSplit(ref, samplesPerRun, 32);
  const ends: number[] = [];
  const cpuEnds: number[] = [];
  const faultEnds: number[] = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const doc = await trainCandidate({
    runId: 'bench',
    spec,
    candidate: ref.candidate,
    info: { ...ref.info, rows: samplesPerRun + 32 },
    splits: () => [split],
    backend,
    onEpoch: () => {
      ends.push(performance.now());
      cpuEnds.push(cpuMs());
      faultEnds.push(process.resourceUsage().minorPageFault);
    },
  });
  const rates = ends.slice(1).map((end, i) => samplesPerRun / ((end - ends[i]!) / 1000));
  const cpuRates = cpuEnds.slice(1).map((end, i) => samplesPerRun / ((end - cpuEnds[i]!) / 1000));
  return {
    backend,
    recordedBackend: doc.backend,
    model,
    batchSize: spec.training.batchSize,
    samplesPerRun,
    runs: rates,
    median: median(rates),
    cpuRuns: cpuRates,
    minorFaults: faultEnds.slice(1).map((end, i) => end - faultEnds[i]!),
  };
}

async function main(): Promise<void> {
  const [backend, model, samples, runs] = process.argv.slice(2);
  if (!backend || !model || !(MODEL_NAMES as readonly string[]).includes(model)) {
    throw new Error(`usage: tsx benchmarks/engine.ts <backend> <${MODEL_NAMES.join('|')}> <samplesPerRun> <runs>`);
  }
  const result = await measureEngine(backend, model as ModelName, Number(samples ?? 640), Number(runs ?? 5));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
