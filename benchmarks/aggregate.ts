/**
 * `npx tsx benchmarks/aggregate.ts [--candidates 10000] [--repeats 5] [--steps aggregate,report] [--lambda-memory 256]
 * [--loader bundle|tsx] [--json]`: how long Aggregate (and, asked for, Report) takes on a run of many candidates,
 * and how much memory.
 *
 * A grid sweep (depth 1–40 × widths 1…n/40) is planned into a temporary local store and every
 * candidate gets a valid document of a real one's size (3 repeats × 30 epochs, test scores; ~27 KB)
 * from the test-only fake trainer (no training). Then each step
 * runs `--repeats` times, each time in a fresh process as a Lambda invocation would (the store on disk,
 * the step's input as the state machine passes it): the seconds the step's call takes, and the
 * process's peak resident memory (maxRSS, module loading included — what a Lambda's memory must hold).
 * Prints the median and every sample, with the load average before and after each step's samples.
 *
 * What the process loads is what the function loads (`--loader bundle`, the default): the step's handler
 * (functions/<step>/index.ts: the AWS SDK, Powertools, the step) bundled with the stack's esbuild settings
 * (infra/constructs/bundling.ts), the step then called on the local store; `--loader tsx` runs the
 * sources through tsx instead (as figures before 2026-12-07 05:00 were taken: ~20 MB more for tsx).
 * `--lambda-memory MB` starts Node with the heap limits Lambda's Node.js runtime derives from a
 * function's memory (its bootstrap: new space a tenth of the memory, a third of it per semi-space; old
 * space the rest), so that V8 collects as it would in a function of that size; without it V8 sizes its
 * heap from this machine's 24 GiB and collects later (a higher peak than a function would see).
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { ESBUILD_SETTINGS } from '../infra/constructs/bundling.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { plan } from '../src/steps/plan.js';
import { LocalStore } from '../src/store/local.js';
import { mapConcurrent } from '../src/store/concurrent.js';
import { putJson } from '../src/store/store.js';
import { fakeTrainerForTests } from '../test/helpers/fake-trainer.js';
import { TINY_DATASET_KEY, tinySweep, tinyWeatherCsv } from '../test/helpers/tiny-sweep.js';

type Step = 'aggregate' | 'report';
type Loader = 'bundle' | 'tsx';

interface Sample {
  seconds: number;
  maxRssMb: number;
}

interface StepFigures {
  candidates: number;
  step: Step;
  loader: Loader;
  lambdaMemoryMb: number | null;
  medianSeconds: number;
  medianMaxRssMb: number;
  samples: Sample[];
  loadavgBefore: number[];
  loadavgAfter: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** In the fresh process: one step on the store at `dir`, its input read from `inputFile`, its output written to `outputFile`. */
async function child(step: Step, dir: string, inputFile: string, outputFile: string): Promise<void> {
  const store = new LocalStore(dir);
  const input: unknown = JSON.parse(await readFile(inputFile, 'utf8'));
  const run = step === 'aggregate' ? (await import('../src/steps/aggregate.js')).aggregate : (await import('../src/steps/report.js')).report;
  const t = performance.now();
  const out = await run(store, input as never);
  const seconds = (performance.now() - t) / 1000;
  await writeFile(outputFile, JSON.stringify(out));
  process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 } satisfies Sample));
}

/** The child as the function's code: the step's handler module and the step, bundled as the stack bundles it; returns the bundle's path. */
async function bundleChild(step: Step, dir: string): Promise<string> {
  const src = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
  const entry = join(dir, `child-${step}.ts`);
  await writeFile(
    entry,
    [
      `import ${src(`../functions/${step}/index.ts`)};`,
      `import { ${step} as run } from ${src(`../src/steps/${step}.ts`)};`,
      `import { LocalStore } from ${src('../src/store/local.ts')};`,
      "import { readFile, writeFile } from 'node:fs/promises';",
      'const [root, inputFile, outputFile] = process.argv.slice(2);',
      "const input = JSON.parse(await readFile(inputFile, 'utf8'));",
      'const t = performance.now();',
      'const out = await run(new LocalStore(root), input);',
      'const seconds = (performance.now() - t) / 1000;',
      'await writeFile(outputFile, JSON.stringify(out));',
      'process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));',
    ].join('\n'),
  );
  const outfile = join(dir, `bundle-${step}`, 'index.mjs');
  await build({ ...ESBUILD_SETTINGS, entryPoints: [entry], outfile, logLevel: 'warning' });
  return outfile;
}

/** Node's heap flags as Lambda's Node.js runtime sets them for a function of `mb` MB (see the module comment). */
function lambdaHeapFlags(mb: number | null): string[] {
  if (mb === null) return [];
  const newSpace = Math.floor(mb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 3)}`, `--max-old-space-size=${mb - newSpace}`];
}

function inFreshProcess(child: string | null, heapFlags: string[], step: Step, dir: string, inputFile: string, outputFile: string): Sample {
  const args = child ? [...heapFlags, child, dir, inputFile, outputFile] : [...heapFlags, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', step, dir, inputFile, outputFile];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as Sample;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      candidates: { type: 'string', default: '10000' },
      repeats: { type: 'string', default: '5' },
      steps: { type: 'string', default: 'aggregate' },
      loader: { type: 'string', default: 'bundle' },
      'lambda-memory': { type: 'string' },
      json: { type: 'boolean', default: false },
      child: { type: 'string' },
    },
  });
  if (values.child) return child(values.child as Step, positionals[0]!, positionals[1]!, positionals[2]!);
  const candidates = Number(values.candidates);
  const repeats = Number(values.repeats);
  const steps = values.steps.split(',') as Step[];
  if (!Number.isInteger(candidates) || candidates < 40 || candidates % 40 !== 0) throw new Error('--candidates: a multiple of 40');
  if (steps.some((s) => s !== 'aggregate' && s !== 'report')) throw new Error('--steps: aggregate and/or report');
  const loader = values.loader as Loader;
  if (loader !== 'bundle' && loader !== 'tsx') throw new Error('--loader: bundle or tsx');
  const lambdaMemoryMb = values['lambda-memory'] === undefined ? null : Number(values['lambda-memory']);
  if (lambdaMemoryMb !== null && !(Number.isInteger(lambdaMemoryMb) && lambdaMemoryMb >= 128)) throw new Error('--lambda-memory: MB, an integer ≥ 128');
  const heapFlags = lambdaHeapFlags(lambdaMemoryMb);
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-bench-aggregate-'));
  const figures: StepFigures[] = [];
  try {
    const store = new LocalStore(join(dir, 'store'));
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv());
    const depth = Array.from({ length: 40 }, (_, i) => i + 1);
    const width = Array.from({ length: candidates / 40 }, (_, i) => i + 1);
    await putJson(store, 'sweeps/bench-aggregate.json', { ...tinySweep, name: 'bench-aggregate', model: { family: 'dense', depth, width }, search: { maxCandidates: 10_000 } });
    const planned = await plan(store, { trigger: 'cli', key: 'sweeps/bench-aggregate.json' });
    // Documents of a real one's size: 3 repeats of 30 epochs with test scores (~27 KB, as seattle-weather's with the defaults).
    await mapConcurrent(planned.items, 32, fakeTrainerForTests(store, { realistic: { repeats: 3, epochs: 30, testRows: 292 } }));
    // What the state machine passes: Aggregate gets the runs (and no item list here: it would delete it), Report what Aggregate returned.
    const inputs: Record<Step, string> = { aggregate: join(dir, 'aggregate-input.json'), report: join(dir, 'aggregate-output.json') };
    await writeFile(inputs.aggregate, JSON.stringify({ runs: planned.runs }));
    const children = { aggregate: null, report: null } as Record<Step, string | null>;
    if (loader === 'bundle') for (const step of new Set<Step>([...steps, 'aggregate'])) children[step] = await bundleChild(step, dir);
    for (const step of steps) {
      if (step === 'report' && !steps.includes('aggregate')) inFreshProcess(children.aggregate, [], 'aggregate', store.root, inputs.aggregate, inputs.report);
      const loadavgBefore = loadavg();
      const samples = Array.from({ length: repeats }, () =>
        inFreshProcess(children[step], heapFlags, step, store.root, inputs[step], step === 'aggregate' ? inputs.report : join(dir, 'report-output.json')),
      );
      figures.push({
        candidates,
        step,
        loader,
        lambdaMemoryMb,
        medianSeconds: median(samples.map((s) => s.seconds)),
        medianMaxRssMb: median(samples.map((s) => s.maxRssMb)),
        samples,
        loadavgBefore,
        loadavgAfter: loadavg(),
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }
  const fmt = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(' ');
  const lines = [
    '| candidates | step | code | heap limits | median s | median peak RSS MB | samples s | samples MB | load average before → after (1/5/15 min) |',
    '| ---: | --- | --- | --- | ---: | ---: | --- | --- | --- |',
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.candidates} | ${f.step} | ${f.loader === 'bundle' ? 'handler bundle' : 'tsx'} | ${f.lambdaMemoryMb === null ? 'Node defaults' : `a ${f.lambdaMemoryMb} MB function's`} | ${f.medianSeconds.toFixed(1)} | ${f.medianMaxRssMb.toFixed(0)} | ${fmt(
        f.samples.map((s) => s.seconds),
        1,
      )} | ${fmt(
        f.samples.map((s) => s.maxRssMb),
        0,
      )} | ${fmt(f.loadavgBefore, 2)} → ${fmt(f.loadavgAfter, 2)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
