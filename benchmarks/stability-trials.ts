/**
 * How many trials make the recommendation hold? Runs an example once per seed with many repeats
 * (default 20), then applies the decision rule (src/results/analysis.ts, src/stats/decision.ts) to
 * disjoint groups of J consecutive repeats of each run (J × folds trials per candidate), as if each
 * group had been a run of its own with J repeats, and prints how often each candidate is recommended at each J, and the chance that
 * three independent runs agree (Σ p², p³ over the recommendations' shares).
 *
 * The seeds are spaced by the repeats (1, 1 + R, 1 + 2R, …), which kept runs disjoint when repeat r
 * trained with seed training.seed + r; trials now take a mixed seed (src/random.ts trialSeed), so
 * every repeat of every run is its own draw either way. In a time-ordered holdout (seattle-weather) every
 * repeat validates on the same rows, so the groups differ in their training randomness only.
 *
 *   npx tsx benchmarks/stability-trials.ts [seattle-weather] [--runs 3] [--repeats 20] [--trials 3,5,8,10] [--workers 2] [--set a.b=json]…
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import { analyzeRun } from '../src/results/analysis.js';
import type { BaselineDoc } from '../src/results/baseline.js';
import type { CandidateDoc } from '../src/results/document.js';
import { LocalStore } from '../src/store/local.js';
import { sweepSpecSchema } from '../src/sweep/schema.js';
import { describeSettings, exampleSweep, loadAverage, runSweep, takeSettings } from './example-run.js';
import { describeMachine } from './machine.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1]! : fallback;
};
const runs = Number(option('--runs', '3'));
const repeats = Number(option('--repeats', '20'));
const trialCounts = option('--trials', '3,5,8,10').split(',').map(Number);
const workers = option('--workers', '2');
const settings = takeSettings(args);
const name = (args[0] ?? 'seattle-weather') as ExampleSweep;

const m = describeMachine();
process.stdout.write(
  `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${name}: ${runs} runs × ${repeats} repeats, ${workers} workers` +
    `${settings.length > 0 ? `, ${describeSettings(settings)}` : ''}\nload before: ${await loadAverage()}\n`,
);
const dir = await mkdtemp(join(tmpdir(), 'layerbench-stability-trials-'));
try {
  const store = new LocalStore(join(dir, 'store'));
  await prepareExamples(store);
  const recorded: { spec: ReturnType<typeof sweepSpecSchema.parse>; docs: CandidateDoc[]; baseline: BaselineDoc }[] = [];
  for (let k = 0; k < runs; k++) {
    const seed = 1 + k * repeats;
    const sweep = await exampleSweep(name, [...settings, [['training', 'seed'], seed], [['evaluation', 'repeats'], repeats]]);
    const { json, seconds } = await runSweep(sweep, store, dir, workers);
    const runDir = join(store.location, 'runs', (json as { runId: string }).runId);
    const files = await readdir(join(runDir, 'candidates'));
    const docs = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(runDir, 'candidates', f), 'utf8')) as CandidateDoc));
    const baseline = JSON.parse(await readFile(join(runDir, 'baseline.json'), 'utf8')) as BaselineDoc;
    recorded.push({ spec: sweepSpecSchema.parse(sweep), docs, baseline });
    process.stdout.write(`seed ${seed} (${repeats} repeats): ${seconds.toFixed(1)} s\n`);
  }
  for (const J of trialCounts) {
    const tally = new Map<string, number>();
    const outcomes = new Map<string, number>();
    for (const { spec, docs, baseline } of recorded) {
      for (let start = 0; start + J <= repeats; start += J) {
        const keep = (t: { repeat: number }) => t.repeat >= start && t.repeat < start + J;
        const group = docs.map((doc) => {
          const trials = doc.trials.filter(keep);
          return { ...doc, trials, metric: { ...doc.metric, values: trials.map((t) => t.valMetric) } };
        });
        const a = analyzeRun(group, spec, { baseline: { ...baseline, trials: baseline.trials.filter(keep) } });
        const rec = a.recommended ? `d${a.recommended.depth} w${a.recommended.width}` : 'none';
        tally.set(rec, (tally.get(rec) ?? 0) + 1);
        outcomes.set(a.outcome, (outcomes.get(a.outcome) ?? 0) + 1);
      }
    }
    const n = [...tally.values()].reduce((s, x) => s + x, 0);
    const shares = [...tally.entries()].sort((a, b) => b[1] - a[1]);
    const agree = shares.reduce((s, [, x]) => s + (x / n) ** 3, 0);
    process.stdout.write(
      `${String(J).padStart(2)} repeats: ${n} groups; recommended ${shares.map(([k, x]) => `${k} ${x}`).join(', ')}; outcomes ${[...outcomes.entries()].map(([k, x]) => `${k} ${x}`).join(', ')}; ` +
        `three runs agree ≈ ${(100 * agree).toFixed(0)} %\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`load after: ${await loadAverage()}\n`);
}
