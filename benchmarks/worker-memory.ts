/**
 * Worker memory, measured: runs sweeps through the local runner (2 workers, the default backend)
 * while sampling every worker process's resident and peak resident memory (VmRSS, VmHWM from /proc)
 * every 100 ms, and records the RSS each worker reports after each candidate.
 *
 *   npx tsx benchmarks/worker-memory.ts examples      # the three examples: each worker's peak RSS
 *   npx tsx benchmarks/worker-memory.ts many [600]    # 600 tiny candidates: RSS after each candidate, per worker
 *                                                     # process, with worker replacement on and off
 *
 * Linux only (/proc). Prints a Markdown table; note the load average it prints beside it.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_SWEEPS, prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import { readCandidateDoc } from '../src/results/document.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { putJson } from '../src/store/store.js';
import { runLocal } from '../src/workflow/local.js';
import { DEFAULT_RECYCLE_AFTER, DEFAULT_RSS_GROWTH, DEFAULT_WARMUP_CANDIDATES, type RecycleEvent, type TaskDoneEvent, type TrainPoolOptions } from '../src/workflow/pool.js';
import { workerPids } from '../test/helpers/processes.js';

const MB = 1e6;

function status(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples every worker's VmHWM until stopped: the peak of each worker process over its whole life. */
function sampler(): { stop: () => Map<number, number> } {
  const peaks = new Map<number, number>();
  const timer = setInterval(() => {
    for (const pid of workerPids()) {
      const s = status(pid);
      if (s) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, s.hwm));
    }
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peaks;
    },
  };
}

async function examples(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-memory-'));
  const store = new LocalStore(dir);
  await prepareExamples(store);
  console.log(`| example | workers | candidates | worker peak RSS (VmHWM, each process) | largest candidate peak RSS (document) |`);
  console.log(`|---|---:|---:|---|---:|`);
  try {
    for (const name of Object.keys(EXAMPLE_SWEEPS) as ExampleSweep[]) {
      await store.put(keys.sweep(name), readFileSync(EXAMPLE_SWEEPS[name], 'utf8'));
      const s = sampler();
      const result = await runLocal({ store, input: { trigger: 'cli', key: keys.sweep(name) }, workers: 2 });
      const peaks = s.stop();
      const runId = result.runs[0]!.runId;
      let largest = 0;
      for (const item of result.plan.items) {
        const read = await readCandidateDoc(store, keys.candidate(runId, item.candidateId));
        if (read.ok) largest = Math.max(largest, read.doc.memory.peakRssBytes);
      }
      const each = [...peaks.values()].map((b) => `${Math.round(b / MB)} MB`).join(', ');
      console.log(`| ${name} | 2 | ${result.plan.items.length} | ${each} | ${Math.round(largest / MB)} MB |`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function many(n: number, pool: Pick<TrainPoolOptions, 'recycleAfter' | 'rssGrowth'>, label: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-memory-'));
  const store = new LocalStore(dir);
  const rows = Array.from({ length: 80 }, (_, i) => `${(i % 9) / 9},${((i * 5) % 7) / 7},${i % 2}`);
  await store.put('datasets/ab.csv', `a,b,y\n${rows.join('\n')}\n`);
  const widths = Array.from({ length: Math.ceil(n / 20) }, (_, i) => i + 1);
  await putJson(store, keys.sweep('many'), {
    name: 'many',
    dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'y' },
    model: { family: 'dense', depth: Array.from({ length: 20 }, (_, i) => i + 1), width: widths },
    training: { epochs: 1, batchSize: 16 },
    search: { maxCandidates: 10_000 },
  });
  const done: TaskDoneEvent[] = [];
  const recycled: RecycleEvent[] = [];
  const started = Date.now();
  try {
    await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('many') },
      workers: 2,
      pool: { ...pool, onTaskDone: (e) => done.push(e), onRecycle: (e) => recycled.push(e) },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const byPid = new Map<number, number[]>();
  for (const e of done) if (e.pid && e.rssBytes) byPid.set(e.pid, [...(byPid.get(e.pid) ?? []), e.rssBytes]);
  const ratios = [...byPid.values()].map((r) => Math.max(...r) / Math.max(...r.slice(0, 5)));
  const firsts = [...byPid.values()].map((r) => r[0]!);
  const lasts = [...byPid.values()].map((r) => r.at(-1)!);
  const counts = new Map<string, number>();
  for (const e of recycled) counts.set(e.reason, (counts.get(e.reason) ?? 0) + 1);
  const reasons = [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  console.log(
    `| ${label} | ${done.length} | ${byPid.size} (replaced: ${reasons}) | ${Math.round(Math.min(...firsts) / MB)}–${Math.round(Math.max(...firsts) / MB)} MB | ` +
      `${Math.round(Math.min(...lasts) / MB)}–${Math.round(Math.max(...lasts) / MB)} MB | ${((Math.max(...ratios) - 1) * 100).toFixed(1)} % | ${Math.round((Date.now() - started) / 1000)} s |`,
  );
}

const [mode = 'examples', count = '600'] = process.argv.slice(2);
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
if (mode === 'examples') await examples();
else {
  console.log(`| workers replaced | candidates | worker processes | RSS after its first candidate | RSS after its last | largest growth over its first 5 candidates, any process | wall |`);
  console.log(`|---|---:|---:|---|---|---:|---:|`);
  await many(Number(count), {}, `yes (after ${DEFAULT_RECYCLE_AFTER} candidates, or ${DEFAULT_RSS_GROWTH * 100} % growth over its first ${DEFAULT_WARMUP_CANDIDATES}, after a garbage collection)`);
  await many(Number(count), { recycleAfter: Number.POSITIVE_INFINITY, rssGrowth: Number.POSITIVE_INFINITY }, 'no');
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
