/**
 * `npm run bench`: layerbench's benchmark suite. Writes benchmarks/results/<date>-<machine>.json and
 * .md, and benchmarks/results/latest.md (the table the README quotes).
 *
 *  0. The goals of issues 13 and 20 as one table: layerbench against PyTorch measured in the same run.
 *  1. Training throughput of the seed's three reference models (batch 32, one thread) on every
 *     installed backend — median samples/s of ≥ 5 timed epochs after a warm-up epoch, each
 *     backend × model in a fresh process, through layerbench's own training loop — and the
 *     PyTorch anchor (benchmarks/anchor.ts), interleaved with the wasm runs in `--pairs` pairs.
 *  2. Where the time goes: a per-kernel profile of one epoch of each model on wasm.
 *  3. Worker-pool scaling: an 8-candidate sweep through the local runner with 1 and 2 workers.
 *  4. The seattle-weather example as whole processes: `layerbench run` with 1 and 2 workers against
 *     a plain sequential PyTorch loop over the same candidates, repeats and early stopping.
 *  5. Per-candidate overhead (everything that is not fitting) and each worker's peak RSS, in the
 *     scaling runs and the three example sweeps (--skip-examples leaves those out).
 *  6. Search (issue 14, benchmarks/search.ts): grid against successive halving on the three examples
 *     and an 81-candidate dense grid — recommendation, interval, trained epochs. Heavy:
 *     --skip-search leaves it out, --search-sweeps seattle-weather,dense81 picks sweeps.
 *
 * The anchor needs /usr/bin/python3 with torch (Debian's python3-torch); without it the table says
 * "anchor not available". Options: --runs N (timed epochs, default 5), --pairs N (default 2),
 * --backends wasm,cpu, --models mlp,cnn,lstm, --skip-workflow, --skip-profile, --skip-examples,
 * --skip-anchor, --skip-search, --search-sweeps LIST, --out DIR.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { EngineResult } from './engine.js';
import { describeMachine, type MachineInfo } from './machine.js';
import type { SweepComparison, TorchBlas, TorchEngineResult } from './anchor.js';
import { median } from './engine.js';
import { MODEL_NAMES, QUIET_PYTORCH_REFERENCE, RATIO_GOALS, referenceModel, type ModelName } from './models.js';
import type { EpochProfile } from './profile.js';
import type { SweepTiming } from './workflow.js';
import type { SearchComparison, SearchSweep } from './search.js';
import { searchMarkdown } from './search.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const BENCH_SCHEMA = 'layerbench.bench.v2';

/** Samples per timed epoch: enough for ≥ 1 s on fast engines, few where an engine is very slow. */
const SAMPLES: Record<string, Record<ModelName, number>> = {
  tensorflow: { mlp: 6400, cnn: 640, lstm: 640 },
  wasm: { mlp: 6400, cnn: 640, lstm: 640 },
  // The pure-JS backend trains the CNN at a few samples/s: one batch per timed epoch.
  cpu: { mlp: 3200, cnn: 32, lstm: 96 },
};

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

function installedBackends(): string[] {
  const names = ['wasm', 'cpu'];
  try {
    require.resolve('@tensorflow/tfjs-node');
    names.unshift('tensorflow');
  } catch {
    // optional: not installed
  }
  return names;
}

/** One-thread settings for every engine (tfjs-node's TensorFlow reads these; wasm and cpu are single-threaded in Node). */
const ONE_THREAD = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: '1', TF_CPP_MIN_LOG_LEVEL: '2' };

async function child<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(HERE, script), ...args], {
    env: { ...process.env, ...ONE_THREAD },
    maxBuffer: 16 * 2 ** 20,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const text = (e.stderr?.trim() || e.message || String(err)).split('\n').filter((l) => l.trim() !== '');
  return text.at(-1) ?? 'failed';
}

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

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
      layerbench: fmt(ours.median),
      pytorch: torch ? fmt(torch.median) : na,
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
      `machine (load < 1, 2026-11-30): ${MODEL_NAMES.map((k) => `${k} ≈ ${fmt(QUIET_PYTORCH_REFERENCE[k])}`).join(', ')} samples/s.`,
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      pairs: { type: 'string', default: '2' },
      backends: { type: 'string' },
      models: { type: 'string' },
      'skip-workflow': { type: 'boolean', default: false },
      'skip-profile': { type: 'boolean', default: false },
      'skip-examples': { type: 'boolean', default: false },
      'skip-anchor': { type: 'boolean', default: false },
      'skip-search': { type: 'boolean', default: false },
      'search-sweeps': { type: 'string' },
      out: { type: 'string', default: join(HERE, 'results') },
    },
  });
  const runs = Math.max(5, Number(values.runs));
  const pairs = Math.max(1, Number(values.pairs));
  const backends = values.backends ? values.backends.split(',') : installedBackends();
  const models = (values.models ? values.models.split(',') : [...MODEL_NAMES]) as ModelName[];
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`layerbench bench on ${machine.cpuModel} (${machine.cores} cores), load ${machine.loadAverageAtStart.join(' ')}`);

  const { compareSweep, torchAvailable, torchEngine } = await import('./anchor.js');
  const probe = values['skip-anchor'] ? { reason: 'skipped (--skip-anchor)' } : torchAvailable();
  const anchor: BenchReport['anchor'] =
    'version' in probe ? { available: true, torch: probe.description, blas: probe.blas, fair: probe.fair, engine: {} } : { available: false, reason: probe.reason, engine: {} };
  if (!anchor.available) log(`  PyTorch anchor not available: ${anchor.reason}`);
  else log(`  PyTorch ${anchor.torch}`);

  const engine: EngineRow[] = [];
  const pairedWasm: BenchReport['pairedWasm'] = {};
  for (const backend of backends) {
    for (const model of models) {
      const samples = (SAMPLES[backend] ?? SAMPLES.wasm!)[model];
      // wasm alternates with PyTorch, pair by pair; other backends run once.
      const rounds = backend === 'wasm' && anchor.available ? pairs : 1;
      const ours: EngineResult[] = [];
      const torch: TorchEngineResult[] = [];
      for (let p = 0; p < rounds; p++) {
        log(`  ${backend} ${model}: ${runs} epochs of ${samples} samples${rounds > 1 ? ` (pair ${p + 1}/${rounds})` : ''}…`);
        try {
          const result = await child<EngineResult>('engine.ts', [backend, model, String(samples), String(runs)]);
          ours.push(result);
          log(`    median ${fmt(result.median)} samples/s`);
        } catch (err) {
          engine.push({ backend, model, error: firstLine(err) });
          log(`    failed: ${firstLine(err)}`);
          break;
        }
        if (backend === 'wasm' && anchor.available) {
          try {
            const t = await torchEngine(model, samples, runs);
            torch.push(t);
            log(`    PyTorch: median ${fmt(t.median)} samples/s`);
          } catch (err) {
            log(`    PyTorch failed: ${firstLine(err)}`);
          }
        }
      }
      if (ours.length === 0) continue;
      engine.push({ backend, model, result: ours[0]! });
      if (backend === 'wasm') {
        const all = ours.flatMap((o) => o.runs);
        pairedWasm[model] = { ...ours[0]!, runs: all, median: median(all), cpuRuns: ours.flatMap((o) => o.cpuRuns) };
        if (torch.length > 0) {
          const t = torch.flatMap((o) => o.runs);
          const cpuRuns = torch.flatMap((o) => o.cpuRuns ?? []);
          anchor.engine[model] = { runs: t, median: median(t), cpuRuns, torch: torch[0]!.torch, ...(torch[0]!.blas ? { blas: torch[0]!.blas } : {}) };
        }
      }
    }
  }

  const profiles: EpochProfile[] = [];
  if (!values['skip-profile'] && backends.includes('wasm')) {
    for (const model of models) {
      log(`  profiling ${model} on wasm…`);
      try {
        profiles.push(await child<EpochProfile>('profile.ts', ['wasm', model, model === 'mlp' ? '3200' : '320', '--json']));
      } catch (err) {
        log(`    failed: ${firstLine(err)}`);
      }
    }
  }

  const scaling: SweepTiming[] = [];
  const overhead: SweepTiming[] = [];
  if (!values['skip-workflow']) {
    const { exampleSweep, scalingSweep, timeSweep } = await import('./workflow.js');
    const spec = await scalingSweep();
    for (const workers of [1, 2]) {
      log(`  ${spec.name} with ${workers} worker(s)…`);
      const t = await timeSweep(spec, workers);
      scaling.push(t);
      overhead.push(t);
      log(`    ${t.wallSeconds.toFixed(1)} s, ${fmt(t.samplesPerSecond)} samples/s, overhead ${pct(t.overheadFraction)}`);
    }
    if (anchor.available) {
      log('  seattle-weather, whole processes: layerbench run (1 and 2 workers) and the PyTorch loop…');
      try {
        anchor.sweep = await compareSweep([1, 2], pairs, log);
      } catch (err) {
        log(`    failed: ${firstLine(err)}`);
      }
    }
    if (!values['skip-examples']) {
      for (const name of ['seattle-weather', 'co2', 'mnist'] as const) {
        log(`  example sweep ${name} with 2 workers…`);
        const t = await timeSweep(await exampleSweep(name), 2);
        overhead.push(t);
        log(`    ${t.wallSeconds.toFixed(1)} s, overhead ${pct(t.overheadFraction)}`);
      }
    }
  }

  const search: SearchComparison[] = [];
  if (!values['skip-search']) {
    const { compareSearch, SEARCH_SWEEPS } = await import('./search.js');
    const names = (values['search-sweeps']?.split(',') ?? [...SEARCH_SWEEPS]) as SearchSweep[];
    for (const name of names) {
      log(`  search: ${name}, grid and halving with 2 workers…`);
      try {
        const row = await compareSearch(name, 2);
        search.push(row);
        log(`    halving used ${Math.round(100 * row.fraction.epochs)} % of the grid's epochs, ${Math.round(100 * row.fraction.cpuSeconds)} % of its CPU-seconds; recommendation: ${row.agreement}`);
      } catch (err) {
        log(`    failed: ${firstLine(err)}`);
      }
    }
  }

  const report: BenchReport = {
    schema: BENCH_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    settings: { batchSize: 32, runs, pairs, threadsPerCandidate: 1 },
    engine,
    profiles,
    scaling,
    overhead,
    ...(search.length > 0 ? { search } : {}),
    anchor,
    pairedWasm,
    references: { quietPytorch: QUIET_PYTORCH_REFERENCE, ratioGoals: RATIO_GOALS },
  };
  await mkdir(values.out, { recursive: true });
  const base = join(values.out, `${startedAt.slice(0, 10)}-${machine.tag}`);
  const md = markdown(report);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, md);
  await writeFile(join(values.out, 'latest.md'), md);
  process.stdout.write(md);
  log(`wrote ${base}.json, ${base}.md and ${join(values.out, 'latest.md')}`);
}

/** `tsx benchmarks/run.ts --render results/<file>.json`: rewrite that run's .md and latest.md from its JSON. */
async function render(file: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
  const md = markdown(report);
  await writeFile(file.replace(/\.json$/, '.md'), md);
  await writeFile(join(dirname(file), 'latest.md'), md);
  process.stdout.write(md);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--render');
  (at > 0 ? render(process.argv[at + 1]!) : main()).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
