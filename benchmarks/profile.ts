/**
 * Where a training epoch's time goes, per kernel:
 *
 *   tsx benchmarks/profile.ts <backend> <model> [samples] [--unfused] [--simd] [--json]
 *
 * Trains the reference model for a warm-up epoch and one profiled epoch (tf.profile) with
 * layerbench's training loop, then prints each kernel's total time, its call count per batch, and
 * what is left of the epoch's wall time outside kernels (engine dispatch, the JS side of the loop).
 * Kernel times under tf.profile include the profiler's own per-call bookkeeping. Entries that only
 * wrap other kernels (custom-gradient scopes: 'unnamed scope', '…__op') are left out so that no
 * time counts twice. On wasm the seed networks train one fused kernel per epoch (LayerbenchEpoch);
 * --unfused profiles the tf.layers path they would take without it; --simd splits the fused kernel
 * into the calls it makes to layerbench's SIMD module (src/kernels/simd.ts timeSimdKernels), rows
 * named 'simd …' beside the tfjs kernels that contain them (so the table's rows overlap then).
 */
import * as tf from '@tensorflow/tfjs';
import { timeSimdKernels, type SimdTimes } from '../src/kernels/simd.js';
import { selectBackend } from '../src/train/backend.js';
import { trainCandidate } from '../src/train/train.js';
import { MODEL_NAMES, referenceModel, syntheticSplit, type ModelName } from './models.js';

export interface KernelRow {
  kernel: string;
  ms: number;
  callsPerBatch: number;
}

export interface EpochProfile {
  backend: string;
  model: ModelName;
  batches: number;
  wallMs: number;
  kernelMs: number;
  kernelsPerBatch: number;
  rows: KernelRow[];
}

export async function profileEpoch(backend: string, model: ModelName, samples: number, unfused = false, simd = false): Promise<EpochProfile> {
  await selectBackend(backend);
  const ref = referenceModel(model);
  const split = syntheticSplit(ref, samples, 32);
  let wallMs = 0;
  let kernels: { name: string; ms: number }[] = [];
  let epochStart = 0;
  let release: (() => void) | undefined;
  const profiled = new Promise<void>((resolve) => (release = resolve));
  // Epoch 1 warms up; epoch 2 runs inside tf.profile (started at the end of epoch 1).
  let profile: ReturnType<typeof tf.profile> | undefined;
  const simdTimes: SimdTimes = new Map();
  const spec = { ...ref.spec, training: { ...ref.spec.training, epochs: 2 } };
  const training = trainCandidate({
    runId: 'profile',
    spec,
    candidate: ref.candidate,
    info: { ...ref.info, rows: samples + 32 },
    splits: () => [split],
    backend,
    ...(unfused ? { fusedDense: false } : {}),
    onEpoch: (e) => {
      if (e.epoch === 1) {
        epochStart = performance.now();
        if (simd) timeSimdKernels(simdTimes);
        profile = tf.profile(() => profiled);
      } else {
        wallMs = performance.now() - epochStart;
        timeSimdKernels(undefined);
        release?.();
      }
    },
  });
  await training;
  const info = await profile!;
  kernels = await Promise.all(
    info.kernels.map(async (k: (typeof info.kernels)[number]) => ({ name: k.name, ms: Number(await (k as unknown as { kernelTimeMs: number | Promise<number> }).kernelTimeMs) || 0 })),
  );
  const batches = Math.ceil(samples / spec.training.batchSize);
  const wrapper = (name: string) => name === 'unnamed scope' || name.endsWith('__op');
  kernels = kernels.filter((k) => !wrapper(k.name));
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of kernels) {
    const row = byName.get(k.name) ?? { ms: 0, calls: 0 };
    row.ms += k.ms;
    row.calls += 1;
    byName.set(k.name, row);
  }
  for (const [name, t] of simdTimes) byName.set(`simd ${name}`, t);
  const rows = [...byName.entries()].map(([kernel, r]) => ({ kernel, ms: r.ms, callsPerBatch: r.calls / batches })).sort((a, b) => b.ms - a.ms);
  return {
    backend,
    model,
    batches,
    wallMs,
    kernelMs: rows.filter((r) => !r.kernel.startsWith('simd ')).reduce((s, r) => s + r.ms, 0),
    kernelsPerBatch: kernels.length / batches,
    rows,
  };
}

export function profileTable(p: EpochProfile, top = 15): string {
  const lines = [
    `${p.model} on ${p.backend}: ${p.batches} batches, epoch ${p.wallMs.toFixed(0)} ms, ` +
      `${p.kernelsPerBatch.toFixed(0)} kernel calls per batch, kernels ${p.kernelMs.toFixed(0)} ms ` +
      `(${((100 * p.kernelMs) / p.wallMs).toFixed(0)} % of the epoch)`,
    '| kernel | ms per batch | % of epoch | calls per batch |',
    '|---|---:|---:|---:|',
  ];
  for (const r of p.rows.slice(0, top)) {
    lines.push(`| ${r.kernel} | ${(r.ms / p.batches).toFixed(3)} | ${((100 * r.ms) / p.wallMs).toFixed(1)} | ${r.callsPerBatch.toFixed(1)} |`);
  }
  const rest = p.rows.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((s, r) => s + r.ms, 0);
    const calls = rest.reduce((s, r) => s + r.callsPerBatch, 0);
    lines.push(`| ${rest.length} other kernels | ${(ms / p.batches).toFixed(3)} | ${((100 * ms) / p.wallMs).toFixed(1)} | ${calls.toFixed(1)} |`);
  }
  const outside = p.wallMs - p.kernelMs;
  lines.push(`| *outside kernels* | ${(outside / p.batches).toFixed(3)} | ${((100 * outside) / p.wallMs).toFixed(1)} | |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [backend, model, samples] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!backend || !model || !(MODEL_NAMES as readonly string[]).includes(model)) {
    throw new Error(`usage: tsx benchmarks/profile.ts <backend> <${MODEL_NAMES.join('|')}> [samples] [--unfused] [--simd] [--json]`);
  }
  const flag = (name: string) => process.argv.includes(name);
  const p = await profileEpoch(backend, model as ModelName, Number(samples ?? (model === 'mlp' ? 3200 : 320)), flag('--unfused'), flag('--simd'));
  // --json: one line for benchmarks/run.ts; otherwise a table for people.
  process.stdout.write(flag('--json') ? `${JSON.stringify(p)}\n` : `${profileTable(p, 30)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
