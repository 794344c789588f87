/**
 * `npx tsx benchmarks/report-scale.ts [--candidates 10000] [--runs 3]`: the Report step on a run of many
 * candidates — how long it takes, its process's peak memory, and how large report.html is (goals, issue
 * 21 point 7: Report ≤ 15 s, report.html ≤ 2 MB at 10,000 candidates).
 *
 * A grid sweep (depth 1–40 × widths 1…n/40) is planned into a temporary local store and every candidate
 * gets a small valid document from the test-only fake trainer (no training; every 997th crashes, so
 * RecordFailure's documents are there too); Aggregate writes the leaderboard once. Then the Report step
 * runs `--runs` times, each in a fresh process (`report()` as the workflow calls it, on the same run,
 * so each does the same work), which prints its wall time and peak RSS. Prints the median and every
 * run, with the load average before and after each, as a Markdown table (--json: JSON; --keep keeps the
 * store, for profiling one step with --child <dir>).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { aggregate } from '../src/steps/aggregate.js';
import { plan } from '../src/steps/plan.js';
import { recordFailure } from '../src/steps/record-failure.js';
import { report } from '../src/steps/report.js';
import type { ReportInput } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { mapConcurrent } from '../src/store/concurrent.js';
import { getJson, putJson } from '../src/store/store.js';
import { fakeTrainerForTests } from '../test/helpers/fake-trainer.js';
import { TINY_DATASET_KEY, tinySweep, tinyWeatherCsv } from '../test/helpers/tiny-sweep.js';

interface ChildResult {
  seconds: number;
  maxRssMB: number;
}

interface Row extends ChildResult {
  run: number;
  loadBefore: number[];
  loadAfter: number[];
}

const load = () => loadavg().map((l) => Number(l.toFixed(2)));

/** In the child: one Report step over the prepared store; its wall time and the process's peak RSS on stdout. */
async function child(dir: string): Promise<void> {
  const store = new LocalStore(dir);
  const input = await getJson<ReportInput>(store, 'bench/report-input.json');
  const t = performance.now();
  await report(store, input, { now: new Date('2026-01-01T00:00:00.000Z') });
  const seconds = (performance.now() - t) / 1000;
  const result: ChildResult = { seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      candidates: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      child: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  if (values.child) return child(values.child);
  const candidates = Number(values.candidates);
  const runs = Number(values.runs);
  if (!Number.isInteger(candidates) || candidates < 40 || candidates % 40 !== 0 || candidates > 10_000) throw new Error('--candidates: a multiple of 40, at most 10,000');
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-bench-report-'));
  const rows: Row[] = [];
  let htmlBytes = 0;
  let mdBytes = 0;
  try {
    const store = new LocalStore(dir);
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv());
    const depth = Array.from({ length: 40 }, (_, i) => i + 1);
    const width = Array.from({ length: candidates / 40 }, (_, i) => i + 1);
    await putJson(store, 'sweeps/bench-report.json', { ...tinySweep, name: 'bench-report', model: { family: 'dense', depth, width }, search: { maxCandidates: 10_000 } });
    const planned = await plan(store, { trigger: 'cli', key: 'sweeps/bench-report.json' });
    const fake = fakeTrainerForTests(store, { failEvery: 997 });
    await mapConcurrent(planned.items, 32, async (item) => {
      try {
        await fake(item);
      } catch (err) {
        await recordFailure(store, { ...item, error: { Error: (err as Error).name, Cause: (err as Error).message } });
      }
    });
    const aggregated = await aggregate(store, { runs: planned.runs });
    // Every run reports the same run id: its history entry is rewritten, never added, so each run does the same work.
    await putJson(store, 'bench/report-input.json', aggregated);
    const script = fileURLToPath(import.meta.url);
    for (let r = 0; r < runs; r++) {
      const loadBefore = load();
      const out = execFileSync(process.execPath, ['--import', 'tsx', script, '--child', dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
      rows.push({ run: r + 1, ...result, loadBefore, loadAfter: load() });
    }
    const runId = planned.runs[0]!.runId;
    htmlBytes = (await stat(join(dir, ...keys.report(runId, 'html').split('/')))).size;
    mdBytes = (await stat(join(dir, ...keys.report(runId, 'md').split('/')))).size;
  } finally {
    if (values.keep) process.stderr.write(`kept the store: ${dir} (rerun one step: npx tsx benchmarks/report-scale.ts --child ${dir})\n`);
    else await rm(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = { candidates, runs, medianSeconds: median(rows.map((r) => r.seconds)), medianMaxRssMB: median(rows.map((r) => r.maxRssMB)), htmlBytes, mdBytes, rows };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const lines = [
    `Report step, ${candidates.toLocaleString('en-US')} candidates: median ${summary.medianSeconds.toFixed(1)} s, peak RSS ${summary.medianMaxRssMB.toFixed(0)} MB; report.html ${(htmlBytes / 1e6).toFixed(2)} MB, report.md ${(mdBytes / 1e6).toFixed(2)} MB`,
    '',
    '| run | seconds | peak RSS (MB) | load average before (1/5/15 min) | after |',
    '| ---: | ---: | ---: | --- | --- |',
    ...rows.map((r) => `| ${r.run} | ${r.seconds.toFixed(1)} | ${r.maxRssMB.toFixed(0)} | ${r.loadBefore.join(' ')} | ${r.loadAfter.join(' ')} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
