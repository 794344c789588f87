/**
 * `npx tsx benchmarks/aggregate.ts [--candidates 10000] [--repeats 1]`: how long Aggregate and Report
 * take on a run of many candidates. A grid sweep (depth 1–40 × widths 1…n/40) is planned into a
 * temporary local store and every candidate gets a small valid document from the test-only fake
 * trainer (no training); then aggregate() and report() are timed as the workflow calls them, with the
 * load average beside each figure. Prints a Markdown table; --json prints the figures as JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aggregate } from '../src/steps/aggregate.js';
import { plan } from '../src/steps/plan.js';
import { report } from '../src/steps/report.js';
import { LocalStore } from '../src/store/local.js';
import { mapConcurrent } from '../src/store/concurrent.js';
import { putJson } from '../src/store/store.js';
import { fakeTrainerForTests } from '../test/helpers/fake-trainer.js';
import { TINY_DATASET_KEY, tinySweep, tinyWeatherCsv } from '../test/helpers/tiny-sweep.js';

interface Timing {
  candidates: number;
  step: 'aggregate' | 'report';
  seconds: number;
  loadavg: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { candidates: { type: 'string', default: '10000' }, repeats: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
  const candidates = Number(values.candidates);
  const repeats = Number(values.repeats);
  if (!Number.isInteger(candidates) || candidates < 40 || candidates % 40 !== 0) throw new Error('--candidates: a multiple of 40');
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-bench-aggregate-'));
  const timings: Timing[] = [];
  try {
    const store = new LocalStore(dir);
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv());
    const depth = Array.from({ length: 40 }, (_, i) => i + 1);
    const width = Array.from({ length: candidates / 40 }, (_, i) => i + 1);
    await putJson(store, 'sweeps/bench-aggregate.json', { ...tinySweep, name: 'bench-aggregate', model: { family: 'dense', depth, width }, search: { maxCandidates: 10_000 } });
    const planned = await plan(store, { trigger: 'cli', key: 'sweeps/bench-aggregate.json' });
    const fake = fakeTrainerForTests(store);
    await mapConcurrent(planned.items, 32, fake);
    for (let r = 0; r < repeats; r++) {
      let t = performance.now();
      const aggregated = await aggregate(store, { runs: planned.runs });
      timings.push({ candidates, step: 'aggregate', seconds: (performance.now() - t) / 1000, loadavg: loadavg() });
      t = performance.now();
      await report(store, aggregated);
      timings.push({ candidates, step: 'report', seconds: (performance.now() - t) / 1000, loadavg: loadavg() });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(timings, null, 2)}\n`);
    return;
  }
  const lines = ['| candidates | step | seconds | load average (1/5/15 min) |', '| ---: | --- | ---: | --- |'];
  for (const t of timings) lines.push(`| ${t.candidates} | ${t.step} | ${t.seconds.toFixed(1)} | ${t.loadavg.map((l) => l.toFixed(2)).join(' ')} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
