/**
 * A sweep of 10,000 candidates — the schema's maximum — through the local workflow, end to end: the
 * test-only fake trainer stands in for Train (it writes small valid documents and crashes on a few
 * candidates, so RecordFailure runs too). The leaderboard is complete, the report's charts stay
 * bounded, and the largest state payload the deployed definition would carry for this run is
 * computed from the definition and the steps' real outputs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE } from '../infra/workflow.js';
import { CHART_BOUNDS } from '../src/report/charts/index.js';
import { planOutput } from '../src/steps/plan.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, getText, putJson } from '../src/store/store.js';
import { renderDefinition } from '../infra/render-definition.js';
import type { AslState } from '../src/workflow/asl.js';
import { runLocal, type ProgressEvent, type RunLocalResult } from '../src/workflow/local.js';
import { fakeTrainerForTests } from './helpers/fake-trainer.js';
import { TINY_DATASET_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

const CANDIDATES = 10_000;
const STEP_FUNCTIONS_PAYLOAD_LIMIT = 256 * 1024;

let dir: string;
let store: LocalStore;
let result: RunLocalResult;
const crashed: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerbench-scale-'));
  store = new LocalStore(dir);
  await store.put(TINY_DATASET_KEY, tinyWeatherCsv());
  const depth = Array.from({ length: 40 }, (_, i) => i + 1);
  const width = Array.from({ length: CANDIDATES / 40 }, (_, i) => i + 1);
  await putJson(store, keys.sweep('huge'), { ...tinySweep, name: 'huge', model: { family: 'dense', depth, width }, search: { maxCandidates: CANDIDATES } });
  result = await runLocal({
    store,
    input: { trigger: 'cli', key: keys.sweep('huge') },
    workers: 64,
    testTrainer: fakeTrainerForTests(store, { failEvery: 997 }),
    onProgress: (e: ProgressEvent) => {
      if (e.type === 'candidate' && e.status === 'failed') crashed.push(e.candidateId);
    },
  });
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a 10,000-candidate sweep through the local workflow', () => {
  it('ranks every candidate: a complete leaderboard, the crashed ones recorded as failed', async () => {
    const run = result.runs[0]!;
    expect(result.plan.itemCount).toBe(CANDIDATES);
    expect(crashed.length).toBeGreaterThan(0);
    expect(run).toMatchObject({ succeeded: CANDIDATES - crashed.length, failed: crashed.length });
    const lb = await getJson<Leaderboard>(store, run.leaderboardKey);
    expect(lb.rows).toHaveLength(CANDIDATES - crashed.length);
    expect(lb.failed.map((f) => f.candidateId).sort()).toEqual([...crashed].sort());
    expect(lb.failed[0]!.reason).toMatch(/^FakeCrash: fake trainer: .* crashed \(test\)$/);
    const csvLines = (await getText(store, keys.leaderboard(run.runId, 'csv'))).trimEnd().split('\n');
    // header, one line per ranked candidate, and the baseline's line when the data has one
    expect(csvLines).toHaveLength(CANDIDATES - crashed.length + 1 + (lb.baseline ? 1 : 0));
    expect(await store.list(keys.candidatesPrefix(run.runId))).toHaveLength(CANDIDATES);
  });

  it('writes the report with every chart drawn and bounded', async () => {
    const html = await getText(store, result.runs[0]!.reportKey!);
    // Each figure: its caption (title and subtitle as text), then its wide drawing first (and a narrow one for phones).
    const figures = new Map([...html.matchAll(/<figure class="chart" data-chart="(\w+)">([\s\S]*?)<\/figure>/g)].map((m) => [m[1]!, m[2]!]));
    const wide = (name: string) => /<svg[\s\S]*?<\/svg>/.exec(figures.get(name) ?? '')?.[0] ?? '';
    expect([...figures.keys()]).toEqual(expect.arrayContaining(['curves', 'heatmap', 'pareto', 'time']));
    // The wall-time chart: the slowest CHART_BOUNDS.timeBars candidates, saying so.
    expect(figures.get('time')).toContain(`the ${CHART_BOUNDS.timeBars} slowest of ${CANDIDATES.toLocaleString('en-US')} candidates`);
    expect(wide('time').match(/aria-roledescription="rect mark"/g)).toHaveLength(CHART_BOUNDS.timeBars);
    // The heatmap: 40 depths and 250 widths grouped into at most 24 × 24 cells.
    expect(figures.get('heatmap')).toContain('neighbouring depths and widths grouped');
    // The Pareto chart: at most CHART_BOUNDS.paretoPoints points.
    expect(figures.get('pareto')).toMatch(new RegExp(`; [\\d,]+ of ${(CANDIDATES - crashed.length).toLocaleString('en-US')} candidates: the front, the named and an even sample of the rest`));
    // Every drawing bounded, whatever the sweep's size (each point carries its hover title).
    for (const [name, figure] of figures) for (const svg of figure.match(/<svg[\s\S]*?<\/svg>/g) ?? []) expect(svg.length, name).toBeLessThan(400_000);
    expect(html.length).toBeLessThan(16_000_000);
  });

  it('keeps the largest state payload of the deployed definition far under 256 KiB', () => {
    const { definition } = renderDefinition();
    const map = definition.States[STATE.map]!;
    const children = map.ItemProcessor!.States;
    // Items come from the bucket (ItemReader), never through the state; the Map discards its results.
    expect(map.ItemReader).toBeDefined();
    expect(map.ItemsPath).toBeUndefined();
    expect(map.ResultPath).toBeNull();
    // Every way a child can end yields `{}`, so the Map's result array is "[{},{},…]".
    const ends = Object.values(children).filter((s: AslState) => s.End);
    expect(ends.length).toBeGreaterThan(0);
    for (const s of ends) expect(s.ResultSelector ?? s.Result).toEqual({}); // RecordFailure's selector, or the Trained Pass state's result
    const childResult = JSON.stringify({}).length;
    const mapResultArray = 2 + CANDIDATES * childResult + (CANDIDATES - 1);
    const items = result.plan.items.map((i) => JSON.stringify(i).length);
    const payloads: Record<string, number> = {
      'execution input': JSON.stringify({ trigger: 'cli', key: keys.sweep('huge') }).length,
      'Plan output (TrainCandidates input and output)': JSON.stringify(planOutput(result.plan)).length,
      'one Train input (an item)': Math.max(...items),
      "TrainCandidates' array of child results": mapResultArray,
      'Aggregate input': JSON.stringify({ runs: planOutput(result.plan).runs }).length,
      'Aggregate output = Report input': JSON.stringify({ runs: result.runs.map(({ reportKey: _r, historyKey: _h, ...run }) => run) }).length,
      'Report output (execution output)': JSON.stringify(result.executionOutput).length,
    };
    const largest = Math.max(...Object.values(payloads));
    expect(largest, JSON.stringify(payloads)).toBe(mapResultArray);
    expect(largest).toBeLessThan(STEP_FUNCTIONS_PAYLOAD_LIMIT / 8);
  });
});
