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
 * named 'simd …' beside the tfjs kernels that contain them (so the table's rows overlap then),
 * and a second table groups those calls by phase (products, transforms, pooling, …, and the glue:
 * what the fused kernel spends outside SIMD calls — JS, and crossings into wasm).
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

/** The phase a SIMD kernel belongs to (profile.ts --simd's second table). */
const SIMD_PHASES: Record<string, string> = {
  gemm: 'products (matrix products)',
  maxPoolFilterGrad: 'products (filter gradient from pooling codes)',
  convPoolCodes: 'products (first layer, fused with pooling)',
  convPoolFilterGrad: 'products (first layer filter gradient from pooling codes)',
  winograd4Input: 'Winograd transforms',
  winograd4Output: 'Winograd transforms',
  winograd4OutputGrad: 'Winograd transforms',
  winograd4InputGrad: 'Winograd transforms',
  winograd4OutputGradPool: 'Winograd transforms',
  winograd4Filter: 'Winograd transforms',
  winogradInput: 'Winograd transforms',
  winogradOutput: 'Winograd transforms',
  winogradOutputGrad: 'Winograd transforms',
  winogradInputGrad: 'Winograd transforms',
  winogradFilter: 'Winograd transforms',
  winogradFilterGrad: 'Winograd transforms',
  im2col: 'layout (im2col, col2im, transposes)',
  col2im: 'layout (im2col, col2im, transposes)',
  transpose: 'layout (im2col, col2im, transposes)',
  pool: 'pooling and its gradient',
  maxPoolCodes: 'pooling and its gradient',
  maxPoolGrad: 'pooling and its gradient',
  maxPoolGradCodes: 'pooling and its gradient',
  avgPoolGrad: 'pooling and its gradient',
  activate: 'activation, its gradient, bias gradient',
  activationGrad: 'activation, its gradient, bias gradient',
  columnSums: 'activation, its gradient, bias gradient',
  columnSums64: 'activation, its gradient, bias gradient',
  adam: 'optimizer (Adam, L2)',
  sumSquares: 'optimizer (Adam, L2)',
  gatherRows: 'batch gathering',
};

/** ms per batch by phase (SIMD_PHASES) of the --simd rows, and the fused kernel's time outside them. */
function phaseTable(p: EpochProfile): string | undefined {
  const simd = p.rows.filter((r) => r.kernel.startsWith('simd '));
  if (simd.length === 0) return undefined;
  const phases = new Map<string, number>();
  for (const r of simd) {
    const name = r.kernel.slice('simd '.length).split(' ')[0]!;
    const phase = SIMD_PHASES[name] ?? 'other';
    phases.set(phase, (phases.get(phase) ?? 0) + r.ms);
  }
  const inSimd = simd.reduce((s, r) => s + r.ms, 0);
  phases.set('glue (fused kernel outside SIMD calls: JS, wasm crossings, timing)', p.kernelMs - inSimd);
  const lines = ['| phase | ms per batch | % of epoch |', '|---|---:|---:|'];
  for (const [phase, ms] of [...phases].sort((a, b) => b[1] - a[1])) {
    lines.push(`| ${phase} | ${(ms / p.batches).toFixed(3)} | ${((100 * ms) / p.wallMs).toFixed(1)} |`);
  }
  return lines.join('\n');
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
  const phases = phaseTable(p);
  process.stdout.write(flag('--json') ? `${JSON.stringify(p)}\n` : `${profileTable(p, 30)}\n${phases ? `\n${phases}\n` : ''}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
