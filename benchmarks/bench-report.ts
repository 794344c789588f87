import type { EngineResult, ProcessMedians } from './engine.js';
import type { MachineInfo } from './machine.js';
import type { SweepComparison, TorchBlas, TorchEngineResult } from './anchor.js';
import { median } from './engine.js';
import { MODEL_NAMES, QUIET_PYTORCH_REFERENCE, RATIO_GOALS, referenceModel, type ModelName } from './models.js';
import type { EpochProfile } from './profile.js';
import type { SweepTiming } from './workflow.js';
import type { SearchComparison } from './search.js';
import { searchMarkdown } from './search.js';

export const BENCH_SCHEMA = 'layerbench.bench.v2';

export interface EngineRow {
  backend: string;
  model: ModelName;
  result?: EngineResult;
  error?: string;
}

export interface BenchReport {
  schema: typeof BENCH_SCHEMA;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo & { loadAverageAtEnd: number[] };
  settings: { batchSize: number; runs: number; pairs: number; threadsPerCandidate: 1 };
  engine: EngineRow[];
  profiles: EpochProfile[];
  scaling: SweepTiming[];
  overhead: SweepTiming[];
  /** Grid against halving (absent in reports written before the section existed, or with --skip-search). */
  search?: SearchComparison[];
  /** PyTorch measured in this run, or why it could not be. */
  anchor: {
    available: boolean;
    reason?: string;
    /** torch's version, the BLAS it loaded and its threads (and a warning when unfair). */
    torch?: string;
    blas?: TorchBlas;
    /** False when torch is not on OpenBLAS with one thread (absent in reports before it was checked). */
    fair?: boolean;
    /** Every timed epoch of every pair, per model. */
    engine: Partial<Record<ModelName, TorchEngineResult>>;
    sweep?: SweepComparison;
  };
  /** wasm epochs of every pair (the same pairs as the anchor), per model. */
  pairedWasm: Partial<Record<ModelName, EngineResult>>;
  references: { quietPytorch: Record<ModelName, number>; ratioGoals: Record<ModelName, number> };
}

export const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
export const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/**
 * The per-process spread of a paired comparison: lowest–highest process median, wall and per
 * CPU-second, so that a host running whole processes at one of two speeds shows as two modes.
 */
export function spread(processes: readonly ProcessMedians[] | undefined): string {
  if (!processes || processes.length === 0) return '–';
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  const cpu = processes.flatMap((p) => (p.cpuMedian === undefined ? [] : [p.cpuMedian]));
  const wall = `${range(processes.map((p) => p.median))} over ${processes.length} process${processes.length > 1 ? 'es' : ''}`;
  return cpu.length > 0 ? `${wall}, per CPU-second ${range(cpu)}` : wall;
}

interface GoalRow {
  what: string;
  layerbench: string;
  pytorch: string;
  ratio: number | undefined;
  goal: string;
  met: boolean | undefined;
}

const MB = 2 ** 20;

/** The goals of issues 13 and 20, each with both sides as measured in this run. */
export function goals(r: BenchReport): GoalRow[] {
  const rows: GoalRow[] = [];
  const na = r.anchor.available ? 'failed' : 'anchor not available';
  for (const model of MODEL_NAMES) {
    const ours = r.pairedWasm[model] ?? r.engine.find((e) => e.backend === 'wasm' && e.model === model)?.result;
    if (!ours) continue;
    const torch = r.anchor.engine[model];
    const ratio = torch ? ours.median / torch.median : undefined;
    rows.push({
      what: `${model} samples/s (batch 32, 1 thread)`,
      layerbench: ours.processes ? `${fmt(ours.median)} (${spread(ours.processes)})` : fmt(ours.median),
      pytorch: torch ? (torch.processes ? `${fmt(torch.median)} (${spread(torch.processes)})` : fmt(torch.median)) : na,
      ratio,
      goal: `≥ ${RATIO_GOALS[model]}×`,
      met: ratio === undefined ? undefined : ratio >= RATIO_GOALS[model],
    });
  }
  const sweep = r.anchor.sweep;
  if (sweep) {
    for (const l of sweep.layerbench) {
      const ratio = l.wallSeconds / sweep.pytorch.wallSeconds;
      rows.push({
        what: `${sweep.sweep} sweep, ${l.workers} worker${l.workers > 1 ? 's' : ''}: wall s, whole process`,
        layerbench: l.wallSeconds.toFixed(1),
        pytorch: `${sweep.pytorch.wallSeconds.toFixed(1)} (loop ${sweep.pytorch.loopSeconds.toFixed(1)})`,
        ratio,
        goal: l.workers === 2 ? '≤ 0.5×' : '–',
        met: l.workers === 2 ? ratio <= 0.5 : undefined,
      });
    }
  } else if (!r.anchor.available) {
    rows.push({ what: 'seattle-weather sweep, 2 workers: wall s', layerbench: '–', pytorch: na, ratio: undefined, goal: '≤ 0.5×', met: undefined });
  }
  const one = r.scaling.find((t) => t.workers === 1);
  const two = r.scaling.find((t) => t.workers === 2);
  if (one && two) {
    const ratio = two.samplesPerSecond / one.samplesPerSecond;
    rows.push({
      what: `${one.sweep}: 2 workers against 1 (samples/s)`,
      layerbench: `${fmt(two.samplesPerSecond)} vs ${fmt(one.samplesPerSecond)}`,
      pytorch: '–',
      ratio,
      goal: '≥ 1.85×',
      met: ratio >= 1.85,
    });
  }
  const examples = r.overhead.filter((t) => t.sweep !== one?.sweep);
  if (examples.length > 0) {
    const peak = Math.max(...examples.flatMap((t) => t.perCandidate.map((c) => c.peakRssBytes)));
    rows.push({
      what: `peak RSS of a worker on the examples (${examples.map((t) => t.sweep).join(', ')})`,
      layerbench: `${(peak / MB).toFixed(0)} MB`,
      pytorch: '–',
      ratio: undefined,
      goal: '≤ 300 MB',
      met: peak <= 300 * MB,
    });
  }
  return rows;
}

export function markdown(r: BenchReport): string {
  const m = r.machine;
  const backends = [...new Set(r.engine.map((e) => e.backend))];
  const yes = (b: boolean | undefined) => (b === undefined ? '–' : b ? 'yes' : '**no**');
  const lines: string[] = [
    `# layerbench benchmark, ${r.startedAt.slice(0, 10)}`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}; ` +
      `@tensorflow/tfjs ${m.tfjs}, tfjs-backend-wasm ${m.tfjsBackendWasm} (layerbench kernels: ${m.simdKernels ?? 'simd'}), tfjs-node ${m.tfjsNode ?? 'not installed'}; ` +
      `PyTorch ${r.anchor.torch ?? `not available (${r.anchor.reason ?? 'skipped'})`}. ` +
      `Load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${m.loadAverageAtEnd.join(' / ')} ` +
      `(other work on the machine slows every number below).`,
    '',
    '## Goals (issues 13 and 20): layerbench against PyTorch, both measured in this run',
    '',
    '| what | layerbench | PyTorch 1 thread | ratio | goal | met? |',
    '|---|---:|---:|---:|---:|:---:|',
    ...goals(r).map((g) => `| ${g.what} | ${g.layerbench} | ${g.pytorch} | ${g.ratio === undefined ? '–' : `${g.ratio.toFixed(2)}×`} | ${g.goal} | ${yes(g.met)} |`),
    '',
    ...(r.anchor.fair === false ? [`**The PyTorch figures are unfair:** ${r.anchor.torch}.`, ''] : []),
    `Throughput: layerbench on wasm and PyTorch (${'`'}benchmarks/pytorch/anchor.py${'`'}, ${'`'}torch.set_num_threads(1)${'`'}) alternate in ` +
      `${r.settings.pairs} pairs of fresh processes; each figure is the median of all their timed epochs. The sweep row times whole ` +
      `processes (start-up, data, plan, training, report), medians of ${r.settings.pairs} interleaved runs. For reference, PyTorch on a quiet ` +
      `machine (load 1.4–2.6, 2026-12-07, memory kept, the CNN channels_last): ${MODEL_NAMES.map((k) => `${k} ≈ ${fmt(QUIET_PYTORCH_REFERENCE[k])}`).join(', ')} samples/s.`,
    '',
    `## Training throughput, samples/s`,
    '',
    `Median of ${r.settings.runs} timed epochs after a warm-up epoch (wasm and PyTorch: of every pair's epochs); batch ${r.settings.batchSize}, one thread, ` +
      `layerbench's training loop (Adam), synthetic data, each backend × model in a fresh process.`,
    '',
    `| model | ${backends.join(' | ')} | PyTorch 1 thread |`,
    `|---|${backends.map(() => '---:').join('|')}|---:|`,
  ];
  for (const model of MODEL_NAMES) {
    const cells = backends.map((backend) => {
      const row = r.engine.find((e) => e.backend === backend && e.model === model);
      if (!row) return '–';
      if (row.error) return `failed: ${row.error}`;
      return fmt((backend === 'wasm' ? r.pairedWasm[model] : undefined)?.median ?? row.result!.median);
    });
    const torch = r.anchor.engine[model];
    lines.push(`| ${model}: ${referenceModel(model).description} | ${cells.join(' | ')} | ${torch ? fmt(torch.median) : '–'} |`);
  }
  lines.push('', 'Every timed epoch (samples/s):', '');
  for (const e of r.engine) {
    const result = (e.backend === 'wasm' ? r.pairedWasm[e.model] : undefined) ?? e.result;
    if (result) lines.push(`- ${e.backend} ${e.model} (${result.samplesPerRun} samples/epoch): ${result.runs.map(fmt).join(', ')}`);
  }
  for (const model of MODEL_NAMES) {
    const torch = r.anchor.engine[model];
    if (torch) lines.push(`- PyTorch ${model}: ${torch.runs.map(fmt).join(', ')}`);
  }
  const cpuRows = MODEL_NAMES.flatMap((model) => {
    const [ours, torch] = [r.pairedWasm[model]?.cpuRuns, r.anchor.engine[model]?.cpuRuns];
    return ours && torch && ours.length > 0 && torch.length > 0 ? [{ model, ours: median(ours), torch: median(torch) }] : [];
  });
  if (cpuRows.length > 0) {
    lines.push(
      '',
      'Samples per CPU-second of each process (medians of the same epochs; steadier than wall time when other work shares the cores): ' +
        cpuRows.map((c) => `${c.model} ${fmt(c.ours)} against PyTorch's ${fmt(c.torch)} (${(c.ours / c.torch).toFixed(2)}×)`).join(', ') +
        '.',
    );
  }
  if (r.profiles.length > 0) {
    lines.push('', '## Where the time goes (wasm, one profiled epoch)', '');
    lines.push(
      'Kernel times come from tf.profile, which adds its own cost per call; "outside kernels" is the rest of the epoch (engine dispatch, autograd bookkeeping, the loop). The three seed networks train one whole epoch per kernel call (LayerbenchEpoch), so tfjs sees that one kernel; benchmarks/profile.ts --unfused shows the tf.layers path kernel by kernel.',
      '',
    );
    for (const p of r.profiles) lines.push(profileMarkdown(p), '');
  }
  if (r.scaling.length > 0) {
    const base = r.scaling.find((s) => s.workers === 1);
    lines.push('', `## Worker-pool scaling: ${r.scaling[0]!.sweep} (${r.scaling[0]!.candidates} candidates, ${r.scaling[0]!.backend})`, '');
    lines.push('| workers | wall s | samples/s | speed-up |', '|---:|---:|---:|---:|');
    for (const s of r.scaling) {
      lines.push(`| ${s.workers} | ${s.wallSeconds.toFixed(1)} | ${fmt(s.samplesPerSecond)} | ${base ? `${(s.samplesPerSecond / base.samplesPerSecond).toFixed(2)}×` : '–'} |`);
    }
  }
  if (r.overhead.length > 0) {
    lines.push('', '## Per-candidate overhead (everything that is not fitting) and memory', '');
    lines.push(
      'Task time is from the runner handing a candidate to a worker to its result; fit time is the training loop (validation included). ' +
        '"Inside" is the rest of trainCandidate (model build, final evaluations, inference timing); "around" is dispatch, reads, splits and the document write — and, for a worker\'s first candidate, the worker process starting. ' +
        'Peak RSS is the largest any worker process reached (its maxRSS when a candidate finished).',
      '',
    );
    lines.push(
      '| sweep | workers | candidates | wall s | task s (Σ) | overhead | inside | around | overhead, warm workers | worker start s | peak RSS MB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of r.overhead) {
      const task = s.perCandidate.reduce((a, c) => a + c.taskSeconds, 0);
      const rss = Math.max(...s.perCandidate.map((c) => c.peakRssBytes)) / MB;
      lines.push(
        `| ${s.sweep} | ${s.workers} | ${s.candidates} | ${s.wallSeconds.toFixed(1)} | ${task.toFixed(1)} | ${pct(s.overheadFraction)} | ${pct(s.insideTrainFraction)} | ${pct(s.aroundTrainFraction)} | ${pct(s.warmOverheadFraction)} | ${s.workerStartSeconds.toFixed(2)} | ${rss.toFixed(0)} |`,
      );
    }
    lines.push('', '"Warm" leaves out each worker\'s first candidate; "worker start" is how much longer a first candidate\'s non-training part took.');
  }
  if (r.search && r.search.length > 0) lines.push('', ...searchMarkdown(r.search));
  lines.push('', `Raw numbers: the JSON file beside this one (schema ${BENCH_SCHEMA}). Rerun: \`npm run bench\`.`, '');
  return lines.join('\n');
}

function profileMarkdown(p: EpochProfile, top = 10): string {
  const perBatch = (ms: number) => (ms / p.batches).toFixed(2);
  if (p.rows.length === 1 && p.rows[0]!.kernel === 'LayerbenchEpoch') {
    return `**${p.model}**: one LayerbenchEpoch call per epoch and one per evaluation, ${perBatch(p.wallMs)} ms per batch (profiled).`;
  }
  const out = [
    `**${p.model}**: ${(p.wallMs / p.batches).toFixed(2)} ms per batch (profiled), ${p.kernelsPerBatch.toFixed(0)} kernel calls per batch, ` +
      `${((100 * p.kernelMs) / p.wallMs).toFixed(0)} % of the time inside kernels.`,
    '',
    '| kernel | ms per batch | calls per batch |',
    '|---|---:|---:|',
    ...p.rows.slice(0, top).map((k) => `| ${k.kernel} | ${perBatch(k.ms)} | ${k.callsPerBatch.toFixed(1)} |`),
  ];
  const rest = p.rows.slice(top);
  if (rest.length > 0) {
    out.push(`| ${rest.length} others | ${perBatch(rest.reduce((s, k) => s + k.ms, 0))} | ${rest.reduce((s, k) => s + k.callsPerBatch, 0).toFixed(1)} |`);
  }
  out.push(`| *outside kernels* | ${perBatch(p.wallMs - p.kernelMs)} | |`);
  return out.join('\n');
}
