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
import { describeMachine } from './machine.js';
import type { TorchEngineResult } from './anchor.js';
import { median, processMedians } from './engine.js';
import { MODEL_NAMES, QUIET_PYTORCH_REFERENCE, RATIO_GOALS, type ModelName } from './models.js';
import type { EpochProfile } from './profile.js';
import type { SweepTiming } from './workflow.js';
import type { SearchComparison, SearchSweep } from './search.js';
import { BENCH_SCHEMA, fmt, markdown, pct, spread, type BenchReport, type EngineRow } from './bench-report.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Samples per timed epoch: enough for ≥ 1 s on fast engines, few where an engine is very slow. */
const SAMPLES: Record<string, Record<ModelName, number>> = {
  tensorflow: { mlp: 6400, cnn: 640, lstm: 640 },
  wasm: { mlp: 6400, cnn: 640, lstm: 640 },
  // The pure-JS backend trains the CNN at a few samples/s: one batch per timed epoch.
  cpu: { mlp: 3200, cnn: 32, lstm: 96 },
};

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
        pairedWasm[model] = { ...ours[0]!, runs: all, median: median(all), cpuRuns: ours.flatMap((o) => o.cpuRuns), processes: processMedians(ours) };
        log(`  ${model}: per-process medians, layerbench ${spread(processMedians(ours))}`);
        if (torch.length > 0) {
          const t = torch.flatMap((o) => o.runs);
          const cpuRuns = torch.flatMap((o) => o.cpuRuns ?? []);
          const processes = processMedians(torch);
          anchor.engine[model] = { runs: t, median: median(t), cpuRuns, torch: torch[0]!.torch, ...(torch[0]!.blas ? { blas: torch[0]!.blas } : {}), processes };
          log(`  ${model}: per-process medians, PyTorch ${spread(processes)}`);
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
