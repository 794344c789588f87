/**
 * Does the answer hold when nothing but the seed changes? Runs each example sweep (or the ones named)
 * with training.seed 1, 11 and 21 — whole `layerbench run` commands on a fresh store — and prints each
 * run's outcome, recommendation, what it trained (epochs over every trial, how many candidates ran
 * every trial to the epoch cap, training CPU-seconds) and wall time, and whether the runs agree: the
 * same recommendation, or ones the decision rule calls equivalent (each ≈ best in the others' runs).
 *
 * Why 1, 11 and 21: until 2026-12-07 repeat r of a run trained with seed training.seed + r, so seeds 1,
 * 2 and 3 shared two of their three trials; trials now take a mixed seed (src/random.ts trialSeed) and
 * any two seeds are independent draws, but these seeds keep the figures comparable with earlier ones.
 *
 * `--set path=json` changes the example before it runs (e.g. `--set training.epochs=30
 * --set evaluation.repeats=5`), to measure another setting the same way.
 *
 *   npx tsx benchmarks/stability.ts [seattle-weather] [co2] [mnist] [--seeds 1,11,21] [--workers 2] [--set a.b=json]…
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_SWEEPS, prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import { LocalStore } from '../src/store/local.js';
import { describeSettings, exampleSweep, loadAverage, runSweep, takeSettings } from './example-run.js';
import { describeMachine } from './machine.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1]! : fallback;
};
const seeds = option('--seeds', '1,11,21').split(',').map(Number);
const workers = option('--workers', '2');
const settings = takeSettings(args);
const names = (args.length ? args : Object.keys(EXAMPLE_SWEEPS)) as ExampleSweep[];

interface Outcome {
  seed: number;
  outcome: string;
  recommended: string;
  approxBest: string[];
  /** Epochs trained over every trial of every candidate. */
  epochs: number;
  /** Candidates whose every trial ran to the epoch cap. */
  atCap: number;
  candidates: number;
  cpuSeconds: number;
  seconds: number;
}

const m = describeMachine();
const changes = settings.length > 0 ? `, ${describeSettings(settings)}` : '';
process.stdout.write(`${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, seeds ${seeds.join(', ')}, ${workers} workers${changes}\nload before: ${await loadAverage()}\n`);
const dir = await mkdtemp(join(tmpdir(), 'layerbench-stability-'));
try {
  const store = new LocalStore(join(dir, 'store'));
  await prepareExamples(store);
  for (const name of names) {
    const outcomes: Outcome[] = [];
    for (const seed of seeds) {
      const sweep = (await exampleSweep(name, [...settings, [['training', 'seed'], seed]])) as {
        name: string;
        training: { epochs?: number };
        evaluation?: { repeats?: number };
      };
      const { json, seconds } = await runSweep(sweep, store, dir, workers);
      const r = json as {
        answer: { outcome: string };
        recommended: { depth: number; width: number } | null;
        leaderboard: { rows: { depth: number; width: number; approxBest: boolean | null; epochs: number; metric: { n: number }; cost: { cpuSeconds: number } | null }[] };
      };
      const cap = sweep.training.epochs ?? 100;
      const rows = r.leaderboard.rows;
      const label = (x: { depth: number; width: number }) => `d${x.depth} w${x.width}`;
      outcomes.push({
        seed,
        outcome: r.answer.outcome,
        recommended: r.recommended ? label(r.recommended) : 'none',
        approxBest: rows.filter((x) => x.approxBest).map(label),
        epochs: rows.reduce((sum, x) => sum + x.epochs * x.metric.n, 0),
        atCap: rows.filter((x) => x.epochs >= cap).length,
        candidates: rows.length,
        cpuSeconds: rows.reduce((sum, x) => sum + (x.cost?.cpuSeconds ?? 0), 0),
        seconds,
      });
    }
    const recs = new Set(outcomes.map((o) => o.recommended));
    const equivalent = outcomes.every((o) => outcomes.every((p) => p.approxBest.includes(o.recommended)));
    process.stdout.write(`\n${name}\n`);
    for (const o of outcomes) {
      process.stdout.write(
        `  seed ${o.seed}: ${o.outcome.padEnd(14)} ${o.recommended.padEnd(8)} ≈ best: ${o.approxBest.join(', ')}\n` +
          `           ${Math.round(o.epochs)} epochs trained, ${o.atCap} of ${o.candidates} candidates ran every trial to the cap, ${o.cpuSeconds.toFixed(1)} training CPU-s, ${o.seconds.toFixed(1)} s in all\n`,
      );
    }
    process.stdout.write(
      `  ${recs.size === 1 ? 'the same recommendation every time' : equivalent ? 'different recommendations, each ≈ best in every run' : 'different recommendations, not all equivalent'}\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`load after: ${await loadAverage()}\n`);
}
