/**
 * Whole-workflow measurements with the local runner (the same state machine as the cloud, Train in
 * a pool of worker processes):
 *
 *  - worker-pool scaling: one 8-candidate sweep, run with 1 and with 2 workers;
 *  - per-candidate overhead: for each candidate, the time the runner's Train task took minus the
 *    time spent fitting (the training loop itself), split into the part inside trainCandidate
 *    (model build, final evaluations, inference timing) and the part around it (dispatch to a
 *    worker, manifest and dataset reads, splitting, writing the document).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExampleSweep, prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import type { CandidateDoc } from '../src/results/document.js';
import { sweepSpecSchema, type SweepSpec } from '../src/sweep/schema.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson } from '../src/store/store.js';
import { runLocal } from '../src/workflow/local.js';

export interface CandidateTiming {
  candidateId: string;
  /** One of the first `workers` candidates started: its task includes a worker process starting. */
  cold: boolean;
  /** From the runner handing the Train task to a worker until the task's result came back. */
  taskSeconds: number;
  /** trainCandidate's wall time (inside the worker). */
  wallSeconds: number;
  /** Time in the training loops (every trial's epochs, validation included). */
  fitSeconds: number;
  samplesTrained: number;
  /** The worker process's peak resident set size when the candidate finished (bytes). */
  peakRssBytes: number;
}

export interface SweepTiming {
  sweep: string;
  workers: number;
  backend: string;
  candidates: number;
  wallSeconds: number;
  samplesTrained: number;
  samplesPerSecond: number;
  perCandidate: CandidateTiming[];
  /** Σ(task − fit) / Σ task over the candidates. */
  overheadFraction: number;
  /** Σ(wall − fit) / Σ task: model build, final evaluation, inference timing. */
  insideTrainFraction: number;
  /** Σ(task − wall) / Σ task: dispatch, reads, splits, document write. */
  aroundTrainFraction: number;
  /** overheadFraction over the warm candidates only (a worker that is already running). */
  warmOverheadFraction: number;
  /** Mean of (task − wall) over the cold candidates minus that over the warm ones: a worker's start-up. */
  workerStartSeconds: number;
}

/**
 * The seattle-weather example reduced to an 8-candidate grid with fixed work per candidate: 500 epochs,
 * about 6–15 s each on one core, so that a worker's start-up (~1.5 s) and the uneven tail of the last
 * candidates weigh on the 1-vs-2-worker comparison about as much as in a real sweep, not more.
 */
export async function scalingSweep(): Promise<SweepSpec> {
  const example = await loadExampleSweep('seattle-weather');
  return sweepSpecSchema.parse({
    ...example,
    name: 'bench-scaling',
    description: '8 dense candidates (depth 1–2 × width 16–128), 500 epochs each, no early stopping',
    model: { ...example.model, depth: [1, 2], width: [16, 32, 64, 128] },
    training: { ...example.training, epochs: 500, earlyStopping: { enabled: false } },
    evaluation: { ...example.evaluation, repeats: 1 },
  });
}

export async function timeSweep(spec: SweepSpec, workers: number, backend?: string): Promise<SweepTiming> {
  const root = await mkdtemp(join(tmpdir(), 'layerbench-bench-'));
  try {
    const store = new LocalStore(root);
    await prepareExamples(store);
    const started = new Map<string, number>();
    const finished = new Map<string, number>();
    const t0 = performance.now();
    const result = await runLocal({
      store,
      input: { trigger: 'cli' },
      planOptions: { spec },
      workers,
      ...(backend ? { backend } : {}),
      beforeTrain: (item) => {
        started.set(item.candidateId, performance.now());
      },
      onProgress: (e) => {
        if (e.type === 'candidate') finished.set(e.candidateId, performance.now());
      },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const run = result.runs[0];
    if (!run) throw new Error(`${spec.name}: the workflow produced no run`);
    const perCandidate: CandidateTiming[] = [];
    const cold = new Set(
      [...started.entries()]
        .sort((a, b) => a[1] - b[1])
        .slice(0, workers)
        .map(([id]) => id),
    );
    let usedBackend = '';
    for (const item of result.plan.items) {
      const doc = await getJson<CandidateDoc>(store, keys.candidate(run.runId, item.candidateId));
      if (doc.status !== 'succeeded') throw new Error(`${item.candidateId}: ${doc.error?.message ?? doc.status}`);
      usedBackend = doc.backend;
      const start = started.get(item.candidateId);
      const end = finished.get(item.candidateId);
      perCandidate.push({
        candidateId: item.candidateId,
        cold: cold.has(item.candidateId),
        taskSeconds: start !== undefined && end !== undefined ? (end - start) / 1000 : Number.NaN,
        wallSeconds: doc.timing.wallSeconds,
        fitSeconds: doc.timing.fitSeconds,
        samplesTrained: doc.trials.reduce((s, t) => s + t.trainRows * t.epochs.length, 0),
        peakRssBytes: doc.memory.peakRssBytes,
      });
    }
    const sum = (f: (c: CandidateTiming) => number, of = perCandidate) => of.reduce((s, c) => s + f(c), 0);
    const task = sum((c) => c.taskSeconds);
    const warm = perCandidate.filter((c) => !c.cold);
    const coldOnes = perCandidate.filter((c) => c.cold);
    const around = (of: CandidateTiming[]) => (of.length === 0 ? 0 : sum((c) => c.taskSeconds - c.wallSeconds, of) / of.length);
    const samplesTrained = sum((c) => c.samplesTrained);
    return {
      sweep: spec.name,
      workers,
      backend: usedBackend,
      candidates: perCandidate.length,
      wallSeconds,
      samplesTrained,
      samplesPerSecond: samplesTrained / wallSeconds,
      perCandidate,
      overheadFraction: (task - sum((c) => c.fitSeconds)) / task,
      insideTrainFraction: (sum((c) => c.wallSeconds) - sum((c) => c.fitSeconds)) / task,
      aroundTrainFraction: (task - sum((c) => c.wallSeconds)) / task,
      warmOverheadFraction: warm.length === 0 ? Number.NaN : sum((c) => c.taskSeconds - c.fitSeconds, warm) / sum((c) => c.taskSeconds, warm),
      workerStartSeconds: around(coldOnes) - around(warm),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function exampleSweep(name: ExampleSweep): Promise<SweepSpec> {
  return loadExampleSweep(name);
}
