/**
 * The "search" section of `npm run bench` (issues 14 and 20): each sweep run through the local workflow
 * as its grid (every candidate to training.epochs) and with `search.strategy: "halving"` (eta 3), and
 * compared side by side — what halving used of the grid's epochs, CPU-seconds and estimated dollars,
 * both measured, and whether its recommendation is the grid's or equivalent to it.
 *
 * "Equivalent" is the decision rule's "≈ best" (src/stats/decision.ts): in the grid's own leaderboard,
 * halving's recommended candidate is the grid's best or ≈ best — not significantly worse than the best
 * (one-sided paired test, 5 %) *and* within one standard error of it. When neither run recommends a
 * network (no candidate beats the baseline) the two agree. Goals (issue 20): ≤ 40 % of the grid's
 * epochs, ≤ 50 % of its CPU-seconds and of its dollars, and an agreeing recommendation.
 *
 * Epochs are every trial of every candidate, early stopping included (seeded: the same in every run).
 * CPU-seconds are the workers' (the candidates' `compute`), dollars the leaderboard's estimate
 * (src/cost/estimate.ts, local CPU-seconds priced as Lambda); with `--runs N` the grid and halving run
 * alternately N times and each figure is the median. Beside them, what halving's own leaderboard
 * estimated of the grid from its candidates (src/cost/grid.ts), to see how far that estimate holds.
 *
 * Sweeps: the three examples; `dense81`, an 81-candidate dense grid on seattle-weather (depth 1–9 ×
 * nine widths 4–128, 27 epochs), whose candidates train in a tenth of a second each; and
 * `mnist-dense27`, 27 dense candidates on the 10,000 MNIST digits (depth 1–3 × widths 8–128, 9
 * epochs), whose candidates train for seconds — where a run's fixed cost per round is small beside
 * its training, as on a real user's data. Heavy on 2 cores: `npm run bench -- --skip-search` leaves the section
 * out, `--search-sweeps seattle-weather,dense81` picks sweeps; standalone:
 * `npx tsx benchmarks/search.ts --sweeps dense81 --workers 2 --runs 3`; `--seeds 1,2,3` runs each sweep
 * with those training and search seeds instead of its own (one row per seed: does halving's answer
 * agree with the grid's beyond one draw?).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadExampleSweep, prepareExamples } from '../examples/prepare.js';
import { readRunDocuments } from '../src/steps/documents.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { readManifest } from '../src/results/manifest.js';
import { sweepSpecSchema, type SweepSpec } from '../src/sweep/schema.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson } from '../src/store/store.js';
import { runLocal } from '../src/workflow/local.js';

export const SEARCH_SWEEPS = ['seattle-weather', 'mnist', 'co2', 'dense81', 'mnist-dense27'] as const;
export type SearchSweep = (typeof SEARCH_SWEEPS)[number];

/** The goals of issue 20, point 4: halving's share of the grid's epochs, CPU-seconds and dollars. */
export const GOALS = { epochs: 0.4, cpuSeconds: 0.5, usd: 0.5 } as const;

export interface SearchSide {
  strategy: string;
  /** The decision rule's recommendation; null when no candidate beats the baseline. */
  recommended: string | null;
  /** The best-ranked candidate. */
  best: string | null;
  epochsTrained: number;
  candidates: number;
  wallSeconds: number;
  cpuSeconds: number;
  usd: number | null;
  /** The candidates' share of `usd`: without the requests and transitions of the run's own steps (Plan, per round Map/Aggregate/Choice/Promote, Finalize, Report). */
  trainingUsd: number | null;
}

/** How halving's recommendation stands in the grid's leaderboard. */
export type Agreement = 'same' | 'approx-best' | 'neither-recommends' | 'different';

export interface SearchComparison {
  sweep: string;
  candidates: number;
  /** Runs of each side; the figures are medians over them. */
  runs: number;
  grid: SearchSide;
  halving: SearchSide & {
    rounds: string;
    /** What halving's leaderboard estimated of the grid from its own candidates (src/cost/grid.ts). */
    estimate: { epochs: number; cpuSeconds: number; usd: number | null } | null;
  };
  /** Halving's share of the grid's (measured) epochs, CPU-seconds, dollars and wall time. */
  fraction: { epochs: number; cpuSeconds: number; usd: number | null; trainingUsd: number | null; wallSeconds: number };
  agreement: Agreement;
  goals: { epochs: boolean; cpuSeconds: boolean; usd: boolean | null; recommendation: boolean; all: boolean };
  loadAverage: { before: number[]; after: number[] };
}

/** 81 dense candidates on seattle-weather: depth 1–9 × nine widths, 27 epochs (halving: rounds of 1, 3, 9, 27). */
export async function dense81(): Promise<SweepSpec> {
  const example = await loadExampleSweep('seattle-weather');
  return sweepSpecSchema.parse({
    ...example,
    name: 'dense81',
    description: '81 dense candidates on seattle-weather: depth 1–9 × widths 4–128, 27 epochs',
    model: { ...example.model, depth: [1, 2, 3, 4, 5, 6, 7, 8, 9], width: [4, 6, 8, 12, 16, 24, 32, 64, 128] },
    training: { ...example.training, epochs: 27 },
  });
}

/** 27 dense candidates on the MNIST digits: depth 1–3 × nine widths, 9 epochs (halving: rounds of 1, 3, 9); seconds per candidate. */
async function mnistDense27(): Promise<SweepSpec> {
  const example = await loadExampleSweep('mnist');
  return sweepSpecSchema.parse({
    ...example,
    name: 'mnist-dense27',
    description: '27 dense candidates on the MNIST digits: depth 1–3 × widths 8–128, 9 epochs',
    model: { family: 'dense', depth: [1, 2, 3], width: [8, 12, 16, 24, 32, 48, 64, 96, 128], activation: 'relu' },
    training: { ...example.training, epochs: 9, earlyStopping: { ...example.training.earlyStopping, patience: 2 } },
  });
}

/** The sweep a SEARCH_SWEEPS name stands for. */
export async function searchSweepSpec(name: SearchSweep): Promise<SweepSpec> {
  if (name === 'dense81') return dense81();
  if (name === 'mnist-dense27') return mnistDense27();
  return loadExampleSweep(name);
}

async function runSide(store: LocalStore, spec: SweepSpec, workers: number): Promise<{ side: SearchSide; lb: Leaderboard }> {
  const t0 = performance.now();
  const result = await runLocal({ store, input: { trigger: 'cli' }, planOptions: { spec }, workers });
  const wallSeconds = (performance.now() - t0) / 1000;
  const run = result.runs[0];
  if (!run) throw new Error(`${spec.name}: the workflow produced no run`);
  const lb = await getJson<Leaderboard>(store, keys.leaderboard(run.runId, 'json'));
  const { docs } = await readRunDocuments(store, await readManifest(store, run.runId));
  return {
    lb,
    side: {
      strategy: spec.search.strategy,
      recommended: lb.recommended?.candidateId ?? null,
      best: lb.rows[0]?.candidateId ?? null,
      epochsTrained: docs.reduce((s, d) => s + d.trials.reduce((a, t) => a + t.epochs.length, 0), 0),
      candidates: docs.length,
      wallSeconds,
      cpuSeconds: docs.reduce((s, d) => s + (d.compute?.cpuSeconds ?? 0), 0),
      usd: lb.cost?.usd ?? null,
      trainingUsd: lb.cost?.trainingUsd ?? null,
    },
  };
}

/** Halving's recommendation as the grid's leaderboard sees it (the decision rule's "≈ best"). */
export function agreement(grid: Leaderboard, halvingChoice: string | null): Agreement {
  const gridChoice = grid.recommended?.candidateId ?? null;
  if (gridChoice === null && halvingChoice === null) return 'neither-recommends';
  if (gridChoice === null || halvingChoice === null) return 'different';
  if (gridChoice === halvingChoice) return 'same';
  const row = grid.rows.find((r) => r.candidateId === halvingChoice);
  return row && (row.rank === 1 || row.approxBest === true) ? 'approx-best' : 'different';
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The first run's side, its measured figures replaced by the medians over every run. */
function medianSide(sides: readonly SearchSide[]): SearchSide {
  const usd = sides.map((s) => s.usd).filter((u): u is number => u !== null);
  const trainingUsd = sides.map((s) => s.trainingUsd).filter((u): u is number => u !== null);
  return {
    ...sides[0]!,
    epochsTrained: median(sides.map((s) => s.epochsTrained)),
    wallSeconds: median(sides.map((s) => s.wallSeconds)),
    cpuSeconds: median(sides.map((s) => s.cpuSeconds)),
    usd: usd.length === sides.length ? median(usd) : null,
    trainingUsd: trainingUsd.length === sides.length ? median(trainingUsd) : null,
  };
}

/** One sweep as a grid and with halving, `runs` times each, alternating, in one store (the dataset prepared once). */
export async function compareSearch(name: SearchSweep, workers: number, runs = 1, seed?: number): Promise<SearchComparison> {
  const root = await mkdtemp(join(tmpdir(), 'layerbench-bench-search-'));
  const before = loadavg().map((x) => Number(x.toFixed(2)));
  try {
    const store = new LocalStore(root);
    await prepareExamples(store);
    const spec = await searchSweepSpec(name);
    // Another seed: other initial weights, shuffles and halving's order — does the agreement hold beyond one draw?
    const base = seed === undefined ? spec : { ...spec, name: `${spec.name}-seed${seed}`, training: { ...spec.training, seed }, search: { ...spec.search, seed } };
    const gridSpec = sweepSpecSchema.parse({ ...base, name: `${base.name}-grid`, search: { ...base.search, strategy: 'grid' } });
    const halvingSpec = sweepSpecSchema.parse({ ...base, name: `${base.name}-halving`, search: { ...base.search, strategy: 'halving', eta: 3 } });
    const grids: { side: SearchSide; lb: Leaderboard }[] = [];
    const halvings: { side: SearchSide; lb: Leaderboard }[] = [];
    for (let i = 0; i < runs; i++) {
      grids.push(await runSide(store, gridSpec, workers));
      halvings.push(await runSide(store, halvingSpec, workers));
    }
    const grid = medianSide(grids.map((g) => g.side));
    const halving = medianSide(halvings.map((h) => h.side));
    const s = halvings[0]!.lb.search;
    const estimates = halvings.map((h) => h.lb.search?.compute?.grid).filter((e) => e !== undefined);
    const estimate =
      estimates.length === runs
        ? {
            epochs: median(estimates.map((e) => e.epochs)),
            cpuSeconds: median(estimates.map((e) => e.cpuSeconds)),
            usd: estimates.every((e) => e.usd !== null) ? median(estimates.map((e) => e.usd!)) : null,
          }
        : null;
    const fraction = {
      epochs: halving.epochsTrained / grid.epochsTrained,
      cpuSeconds: halving.cpuSeconds / grid.cpuSeconds,
      usd: halving.usd !== null && grid.usd !== null && grid.usd > 0 ? halving.usd / grid.usd : null,
      trainingUsd: halving.trainingUsd !== null && grid.trainingUsd !== null && grid.trainingUsd > 0 ? halving.trainingUsd / grid.trainingUsd : null,
      wallSeconds: halving.wallSeconds / grid.wallSeconds,
    };
    const agrees = agreement(grids[0]!.lb, halving.recommended);
    const goals = {
      epochs: fraction.epochs <= GOALS.epochs,
      cpuSeconds: fraction.cpuSeconds <= GOALS.cpuSeconds,
      usd: fraction.usd === null ? null : fraction.usd <= GOALS.usd,
      recommendation: agrees !== 'different',
    };
    return {
      sweep: seed === undefined ? spec.name : `${spec.name} (seed ${seed})`,
      candidates: grid.candidates,
      runs,
      grid,
      halving: { ...halving, rounds: s ? s.rounds.map((r) => `${r.trained}×${r.epochs}`).join(' → ') : '', estimate },
      fraction,
      agreement: agrees,
      goals: { ...goals, all: goals.epochs && goals.cpuSeconds && goals.usd !== false && goals.recommendation },
      loadAverage: { before, after: loadavg().map((x) => Number(x.toFixed(2))) },
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const short = (id: string | null) => (id === null ? '–' : id.replace(/-[0-9a-f]{10}$/, ''));
const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)} %`);
const mark = (ok: boolean | null) => (ok === null ? '' : ok ? '' : ' ✗');
const AGREEMENT: Record<Agreement, string> = { same: 'same', 'approx-best': '≈ best in grid', 'neither-recommends': 'neither recommends', different: '**no**' };

export function searchMarkdown(rows: readonly SearchComparison[]): string[] {
  const usd = (x: number | null) => (x === null ? '–' : `$${x.toPrecision(2)}`);
  return [
    '## Search (issues 14, 20): grid against successive halving, side by side',
    '',
    'Each sweep through the local workflow as its grid (every candidate to training.epochs) and with `search.strategy: "halving"`, eta 3 ' +
      "(rounds: candidates × epochs). Epochs: every trial of every candidate, early stopping included. CPU-seconds: the workers', dollars: " +
      "the leaderboard's estimate (local CPU-seconds priced as Lambda); medians over the runs. \"Agrees\": halving's recommendation is the grid's, " +
      "or ≈ best in the grid's leaderboard by the decision rule (not significantly worse than the best and within one standard error). " +
      `Goals (issue 20): ≤ ${100 * GOALS.epochs} % of the grid's epochs, ≤ ${100 * GOALS.cpuSeconds} % of its CPU-seconds and dollars, and agreement (✗: missed). ` +
      "Estimated: the grid's CPU-seconds as halving's own leaderboard estimates them from its candidates. " +
      "$ of the candidates: the same estimate without the run's own steps (Plan, per round the Map, Aggregate, the Choice and Promote, Finalize, Report: " +
      'Standard state transitions at $25 per million and Lambda requests), a constant per run and per round that no training saves.',
    '',
    '| sweep | candidates | runs | grid recommends | halving recommends | agrees | halving rounds | epochs grid / halving | CPU-s grid / halving (estimated) | $ grid / halving | $ of the candidates | wall s grid / halving | load avg before → after |',
    '|---|---:|---:|---|---|:---:|---|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.sweep} | ${r.candidates} | ${r.runs} | ${short(r.grid.recommended)} | ${short(r.halving.recommended)} | ${AGREEMENT[r.agreement]} | ${r.halving.rounds} | ` +
        `${r.grid.epochsTrained.toLocaleString('en-US')} / ${r.halving.epochsTrained.toLocaleString('en-US')} = ${pct(r.fraction.epochs)}${mark(r.goals.epochs)} | ` +
        `${r.grid.cpuSeconds.toFixed(0)} / ${r.halving.cpuSeconds.toFixed(0)} = ${pct(r.fraction.cpuSeconds)}${mark(r.goals.cpuSeconds)} (${r.halving.estimate ? r.halving.estimate.cpuSeconds.toFixed(0) : '–'}) | ` +
        `${usd(r.grid.usd)} / ${usd(r.halving.usd)} = ${pct(r.fraction.usd)}${mark(r.goals.usd)} | ` +
        `${usd(r.grid.trainingUsd)} / ${usd(r.halving.trainingUsd)} = ${pct(r.fraction.trainingUsd)} | ` +
        `${r.grid.wallSeconds.toFixed(0)} / ${r.halving.wallSeconds.toFixed(0)} | ${r.loadAverage.before.join(' / ')} → ${r.loadAverage.after.join(' / ')} |`,
    ),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sweeps: { type: 'string' }, workers: { type: 'string' }, runs: { type: 'string' }, seeds: { type: 'string' } } });
  const seeds = values.seeds ? values.seeds.split(',').map(Number) : [undefined];
  for (const s of seeds) if (s !== undefined && !Number.isInteger(s)) throw new Error(`--seeds: integers, got ${values.seeds}`);
  const names = (values.sweeps ? values.sweeps.split(',') : [...SEARCH_SWEEPS]) as SearchSweep[];
  for (const n of names) if (!SEARCH_SWEEPS.includes(n)) throw new Error(`--sweeps: unknown sweep ${n}; known: ${SEARCH_SWEEPS.join(', ')}`);
  const workers = Number(values.workers ?? 2);
  const runs = Number(values.runs ?? 1);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: must be an integer ≥ 1, got ${values.runs}`);
  const rows: SearchComparison[] = [];
  for (const n of names)
    for (const seed of seeds) {
      process.stderr.write(
        `search: ${n}, ${runs} run${runs === 1 ? '' : 's'} of each side (load ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' / ')})\n`,
      );
      const row = await compareSearch(n, workers, runs, seed);
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  process.stdout.write(`${searchMarkdown(rows).join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
