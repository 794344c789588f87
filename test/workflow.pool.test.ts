/**
 * Worker isolation with real worker processes: a worker is replaced after a candidate that failed,
 * after N candidates and when its RSS grows; a worker killed mid-candidate fails that candidate as
 * "crashed" and the next one trains on a fresh process; and a run whose worker was killed finishes on
 * resume with every candidate trained.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerCrashedError } from '../src/errors.js';
import { candidateDocSchema } from '../src/results/document.js';
import { plan } from '../src/steps/plan.js';
import type { WorkItem } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, putJson } from '../src/store/store.js';
import { runLocal } from '../src/workflow/local.js';
import { TrainPool, type RecycleEvent, type TaskDoneEvent } from '../src/workflow/pool.js';
import { alive, workerPids } from './helpers/processes.js';
import { separableCsv } from './helpers/tiny-sweep.js';

let dir: string;
let store: LocalStore;
/** Work items by sweep: `good` (4 tiny candidates), `bad` (a learning rate that makes the loss NaN), `slow` (2,000 epochs). */
const items: Record<'good' | 'bad' | 'slow', WorkItem[]> = { good: [], bad: [], slow: [] };

const csv = (rows: number) => separableCsv(rows, 7);

const sweep = (name: string, training: Record<string, unknown>, width = [2, 3, 4, 5]) => ({
  name,
  dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'label' },
  model: { family: 'dense', depth: [1], width },
  training: { batchSize: 16, ...training },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerbench-pool-'));
  store = new LocalStore(dir);
  await store.put('datasets/ab.csv', csv(120));
  const sweeps = {
    good: sweep('good', { epochs: 1 }),
    // A regression whose loss overflows at once: the candidate fails (NaN loss) inside the worker.
    bad: { ...sweep('bad', { epochs: 3, optimizer: 'sgd', learningRate: 1e6 }, [2]), dataset: { key: 'datasets/ab.csv', task: 'regression', target: 'a' } },
    slow: sweep('slow', { epochs: 2000, earlyStopping: { enabled: false } }, [2]),
  };
  for (const [name, spec] of Object.entries(sweeps)) {
    await putJson(store, keys.sweep(name), spec);
    const planned = await plan(store, { trigger: 'cli', key: keys.sweep(name), runId: `pool-${name}` });
    items[name as keyof typeof items] = planned.items;
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pool(opts: Partial<ConstructorParameters<typeof TrainPool>[0]> = {}) {
  const done: TaskDoneEvent[] = [];
  const recycled: RecycleEvent[] = [];
  const p = new TrainPool({ storeUri: dir, workers: 1, backend: 'cpu', onTaskDone: (e) => done.push(e), onRecycle: (e) => recycled.push(e), ...opts });
  return { pool: p, done, recycled };
}

const again = (item: WorkItem): WorkItem => ({ ...item, retrain: true });

describe('TrainPool isolation', () => {
  it('replaces the worker after a candidate that failed, after recycleAfter candidates, and when it is killed', async () => {
    const { pool: p, done, recycled } = pool({ recycleAfter: 2 });
    try {
      const statuses = [];
      for (const item of [items.good[0]!, items.bad[0]!, items.good[1]!, items.good[2]!, items.good[3]!]) statuses.push((await p.run(again(item))).status);

      expect(statuses).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded', 'succeeded']);
      const pid = done.map((e) => e.pid!);
      expect(pid[1]).toBe(pid[0]); // the failing candidate ran where the first did …
      expect(pid[2]).not.toBe(pid[1]); // … and its worker was replaced
      expect(pid[3]).toBe(pid[2]);
      expect(pid[4]).not.toBe(pid[3]); // two candidates, then a fresh worker
      expect(recycled.map((e) => [e.reason, e.candidateId])).toEqual([
        ['failed', items.bad[0]!.candidateId],
        ['count', items.good[2]!.candidateId],
      ]);
      expect(alive(pid[1]!)).toBe(false);

      // Killed in the middle of a candidate: that candidate fails as crashed, the next trains on a new worker.
      expect(workerPids()).toContain(pid[4]);
      const slow = p.run(again(items.slow[0]!));
      await new Promise((r) => setTimeout(r, 500));
      process.kill(pid[4]!, 'SIGKILL');
      await expect(slow).rejects.toBeInstanceOf(WorkerCrashedError);
      await expect(slow).rejects.toThrow(/its worker process died while training it/);
      expect((await p.run(again(items.good[0]!))).status).toBe('succeeded');
      expect(done.at(-1)!.pid).not.toBe(pid[4]);
      expect(recycled.at(-1)).toMatchObject({ reason: 'crashed', candidateId: items.slow[0]!.candidateId });
    } finally {
      await p.destroy();
    }
  });

  it('replaces a worker whose RSS grew past rssGrowth over its warm-up', async () => {
    const { pool: p, done, recycled } = pool({ rssGrowth: -0.5, warmupCandidates: 1 }); // any RSS after the first candidate counts as grown
    try {
      await p.run(again(items.good[0]!));
      await p.run(again(items.good[1]!));

      expect(done[1]!.pid).toBe(done[0]!.pid);
      expect(recycled).toEqual([expect.objectContaining({ reason: 'rss', candidateId: items.good[1]!.candidateId, pid: done[1]!.pid, rssBytes: done[1]!.rssBytes })]);
      expect(alive(done[1]!.pid!)).toBe(false);
    } finally {
      await p.destroy();
    }
  });
});

describe('TrainPool.limit', () => {
  it('stops the workers started beyond a smaller limit (the CLI warms them before it reads the sweep), and trains in the one left', async () => {
    const { pool: p, done } = pool({ workers: 2 });
    try {
      await p.warm(2);
      const started = workerPids();
      expect(started).toHaveLength(2);

      p.limit(1);
      await expect.poll(() => workerPids(), { timeout: 5000 }).toHaveLength(1);
      expect((await p.run(again(items.good[0]!))).status).toBe('succeeded');
      expect(started).toContain(done[0]!.pid);
      expect(workerPids()).toEqual([done[0]!.pid]);
    } finally {
      await p.destroy();
    }
  });
});

describe('a run whose worker is killed with SIGKILL', () => {
  it('records the candidate as crashed, and resuming the run trains it: every candidate done', async () => {
    const runStore = new LocalStore(await mkdtemp(join(tmpdir(), 'layerbench-kill-')));
    await runStore.put('datasets/ab.csv', csv(400));
    await putJson(runStore, keys.sweep('killed'), sweep('killed', { epochs: 60, earlyStopping: { enabled: false } }));
    const input = { trigger: 'cli' as const, key: keys.sweep('killed'), runId: 'killed-run' };
    let killed: number | undefined;
    try {
      const first = await runLocal({
        store: runStore,
        input,
        workers: 2,
        backend: 'cpu',
        pool: {
          // When the first candidate is done, its worker takes the third: kill it while it trains that one.
          onTaskDone: (e) => {
            if (killed !== undefined || e.pid === undefined) return;
            killed = e.pid;
            setTimeout(() => process.kill(e.pid!, 'SIGKILL'), 300);
          },
        },
      });
      expect(killed).toBeDefined();
      expect(first.runs[0]!.failed).toBeGreaterThanOrEqual(1);
      expect(first.plan.items).toHaveLength(4);
      const kinds = [];
      for (const item of first.plan.items) {
        const doc = candidateDocSchema.parse(await getJson(runStore, keys.candidate('killed-run', item.candidateId)));
        if (doc.status === 'failed') kinds.push(doc.error?.kind);
      }
      expect(kinds).toContain('crashed');

      const resumed = await runLocal({ store: runStore, input, workers: 1, backend: 'cpu' });

      expect(resumed.plan.items.map((i) => i.retrain)).toEqual(kinds.map(() => true));
      expect(resumed.runs[0]).toMatchObject({ succeeded: 4, failed: 0 });
    } finally {
      await rm(runStore.root, { recursive: true, force: true });
    }
  });
});
