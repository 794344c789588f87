/**
 * The "search" section of `npm run bench` (issue 14): each sweep run twice through the local workflow
 * — as its grid (every candidate to training.epochs) and with `search.strategy: "halving"` (eta 3) —
 * and compared side by side: what each recommends, whether halving's recommendation is the grid's or
 * within the grid's interval, and the epochs each trained (every trial of every candidate, early
 * stopping included).
 *
 * "Within the grid's interval": in the grid's own leaderboard, halving's recommended candidate has a
 * mean inside the 95 % interval of the grid's recommended candidate (or is it). Goal: that, with at
 * most 40 % of the grid's trained epochs.
 *
 * Sweeps: the three examples and `dense81`, an 81-candidate dense grid on seattle-weather (depth 1–9 ×
 * nine widths 4–128, 27 epochs). Heavy on 2 cores: `npm run bench -- --skip-search` leaves the section
 * out, `--search-sweeps seattle-weather,dense81` picks sweeps; standalone:
 * `npx tsx benchmarks/search.ts --sweeps dense81 --workers 2`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadExampleSweep, prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import { readRunDocuments } from '../src/steps/documents.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { readManifest } from '../src/steps/manifest.js';
import { sweepSpecSchema, type SweepSpec } from '../src/sweep/schema.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson } from '../src/store/store.js';
import { runLocal } from '../src/workflow/local.js';

export const SEARCH_SWEEPS = ['seattle-weather', 'mnist', 'co2', 'dense81'] as const;
export type SearchSweep = (typeof SEARCH_SWEEPS)[number];

export interface SearchSide {
  strategy: string;
  recommended: string | null;
  /** The best-ranked candidate (when nothing beats the baseline there is no recommendation). */
  best: string | null;
  epochsTrained: number;
  candidates: number;
  wallSeconds: number;
  cpuSeconds: number;
  usd: number | null;
}

export interface SearchComparison {
  sweep: string;
  candidates: number;
  grid: SearchSide;
  halving: SearchSide & { rounds: string };
  /** Halving's choice is the grid's, or inside its 95 % interval in the grid's leaderboard. */
  sameOrWithin: boolean | null;
  epochFraction: number;
  goalMet: boolean | null;
  loadAverage: number[];
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

async function sweepSpec(name: SearchSweep): Promise<SweepSpec> {
  return name === 'dense81' ? dense81() : loadExampleSweep(name as ExampleSweep);
}

async function runSide(store: LocalStore, spec: SweepSpec, workers: number): Promise<{ side: SearchSide; lb: Leaderboard }> {
  const t0 = performance.now();
  const result = await runLocal({ store, input: { trigger: 'cli' }, planOptions: { spec }, workers });
  const wallSeconds = (performance.now() - t0) / 1000;
  const run = result.runs[0];
  if (!run) throw new Error(`${spec.name}: the workflow produced no run`);
  const lb = await getJson<Leaderboard>(store, keys.leaderboard(run.runId, 'json'));
  const { docs } = await readRunDocuments(store, await readManifest(store, run.runId));
  const epochsTrained = docs.reduce((s, d) => s + d.trials.reduce((a, t) => a + t.epochs.length, 0), 0);
  return {
    lb,
    side: {
      strategy: spec.search.strategy,
      recommended: lb.recommended?.candidateId ?? null,
      best: lb.rows[0]?.candidateId ?? null,
      epochsTrained,
      candidates: docs.length,
      wallSeconds,
      cpuSeconds: docs.reduce((s, d) => s + (d.compute?.cpuSeconds ?? 0), 0),
      usd: lb.cost?.usd ?? null,
    },
  };
}

/** One sweep as a grid and with halving, in one store (the dataset prepared once). */
export async function compareSearch(name: SearchSweep, workers: number): Promise<SearchComparison> {
  const root = await mkdtemp(join(tmpdir(), 'layerbench-bench-search-'));
  try {
    const store = new LocalStore(root);
    await prepareExamples(store);
    const base = await sweepSpec(name);
    const grid = await runSide(store, sweepSpecSchema.parse({ ...base, name: `${base.name}-grid`, search: { ...base.search, strategy: 'grid' } }), workers);
    const halvingSpec = sweepSpecSchema.parse({ ...base, name: `${base.name}-halving`, search: { ...base.search, strategy: 'halving', eta: 3 } });
    const halving = await runSide(store, halvingSpec, workers);
    const choice = (s: SearchSide) => s.recommended ?? s.best;
    const ours = choice(halving.side);
    const theirs = choice(grid.side);
    const theirRow = grid.lb.rows.find((r) => r.candidateId === theirs);
    const ourRow = grid.lb.rows.find((r) => r.candidateId === ours);
    const ci = theirRow?.metric.ci95;
    const sameOrWithin = ours === null || theirs === null ? null : ours === theirs || (ci !== null && ci !== undefined && ourRow !== undefined && ourRow.metric.mean >= ci[0] && ourRow.metric.mean <= ci[1]);
    const epochFraction = halving.side.epochsTrained / grid.side.epochsTrained;
    const s = halving.lb.search;
    return {
      sweep: base.name,
      candidates: grid.side.candidates,
      grid: grid.side,
      halving: { ...halving.side, rounds: s ? s.rounds.map((r) => `${r.trained}×${r.epochs}`).join(' → ') : '' },
      sameOrWithin,
      epochFraction,
      goalMet: sameOrWithin === null ? null : sameOrWithin && epochFraction <= 0.4,
      loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const short = (id: string | null) => (id === null ? '–' : id.replace(/-[0-9a-f]{10}$/, ''));

export function searchMarkdown(rows: readonly SearchComparison[]): string[] {
  const yes = (b: boolean | null) => (b === null ? '–' : b ? 'yes' : '**no**');
  return [
    '## Search (issue 14): grid against successive halving, side by side',
    '',
    'Each sweep through the local workflow twice: every candidate to training.epochs (grid), and `search.strategy: "halving"`, eta 3 ' +
      "(rounds: candidates × epochs). \"Same or within\": halving's recommendation is the grid's, or its mean in the grid's leaderboard lies in the " +
      "95 % interval of the grid's recommendation. Epochs: every trial of every candidate, early stopping included. Goal: same or within, with ≤ 40 % of the grid's epochs.",
    '',
    '| sweep | candidates | grid recommends | halving recommends | same or within | halving rounds | grid epochs | halving epochs | fraction | goal met? | wall s grid / halving | load avg |',
    '|---|---:|---|---|:---:|---|---:|---:|---:|:---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.sweep} | ${r.candidates} | ${short(r.grid.recommended ?? r.grid.best)} | ${short(r.halving.recommended ?? r.halving.best)} | ${yes(r.sameOrWithin)} | ${r.halving.rounds} | ` +
        `${r.grid.epochsTrained.toLocaleString('en-US')} | ${r.halving.epochsTrained.toLocaleString('en-US')} | ${(100 * r.epochFraction).toFixed(0)} % | ${yes(r.goalMet)} | ` +
        `${r.grid.wallSeconds.toFixed(0)} / ${r.halving.wallSeconds.toFixed(0)} | ${r.loadAverage.join(' / ')} |`,
    ),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sweeps: { type: 'string' }, workers: { type: 'string' } } });
  const names = (values.sweeps ? values.sweeps.split(',') : [...SEARCH_SWEEPS]) as SearchSweep[];
  for (const n of names) if (!SEARCH_SWEEPS.includes(n)) throw new Error(`--sweeps: unknown sweep ${n}; known: ${SEARCH_SWEEPS.join(', ')}`);
  const workers = Number(values.workers ?? 2);
  const rows: SearchComparison[] = [];
  for (const n of names) {
    process.stderr.write(`search: ${n} (load ${loadavg().map((x) => x.toFixed(2)).join(' / ')})\n`);
    const row = await compareSearch(n, workers);
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
