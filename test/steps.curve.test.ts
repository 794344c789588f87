import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { subsampleIndices } from '../src/data/subsample.js';
import { curvePlanSchema, learningCurveDocSchema } from '../src/results/learning-curve.js';
import { aggregate } from '../src/steps/aggregate.js';
import { plan } from '../src/steps/plan.js';
import { train } from '../src/steps/train.js';
import { separableCsv } from './helpers/tiny-sweep.js';
import { strategyFor } from '../src/search/strategies.js';
import { promote } from '../src/steps/promote.js';
import { recordFailure } from '../src/steps/record-failure.js';
import type { WorkItem } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, putJson } from '../src/store/store.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const NOW = new Date('2026-03-04T05:06:07.000Z');

/** A grid run of 4 crafted candidates with the learning curve on, every candidate trained. */
async function trainedRun(runId: string) {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-curve-step-'));
  dirs.push(dir);
  const store = new LocalStore(dir);
  const manifest = craftedManifest(runId, { evaluation: { repeats: 3 }, learningCurve: { fractions: [0.25, 0.5] } });
  await putJson(store, keys.runManifest(runId), manifest);
  const params = [10, 20, 30, 40];
  for (const [i, c] of manifest.candidates.entries()) {
    await putJson(store, keys.candidate(runId, c.id), craftedDoc(runId, c, [0.7 + 0.05 * i, 0.71 + 0.05 * i, 0.69 + 0.05 * i], params[i]!));
  }
  return { store, manifest, run: { runId, sweep: manifest.sweep.name, candidates: 4 } };
}

describe("the learning curve's round, through Aggregate and Promote", () => {
  it('is one more round once the search is done: Promote writes the plan and the items carry their fraction; then Aggregate writes the analysis', async () => {
    const { store, manifest, run } = await trainedRun('c1');
    const first = await aggregate(store, { runs: [run] }, { now: NOW });
    expect(first.promote).toBe(true);

    const opened = await promote(store, { runs: first.runs }, { now: NOW });
    const plan = curvePlanSchema.parse(await getJson(store, keys.curvePlan('c1')));
    const ids = manifest.candidates.map((c) => c.id);
    // The best (the largest) is recommended here; it has no larger one, and the best smaller is the next.
    expect(plan.candidates.map((c) => c.role)).toEqual(['recommended', 'smaller']);
    expect(plan.fractions).toEqual([0.25, 0.5, 1]);
    const items = await getJson<WorkItem[]>(store, opened.itemsKey);
    expect(items).toEqual([0.5, 0.25].flatMap((fraction) => plan.candidates.map(({ candidateId }) => ({ runId: 'c1', candidateId, fraction }))));
    expect(ids).toContain(items[0]!.candidateId);

    // A retried Promote opens nothing twice: the same items, the same plan.
    const again = await promote(store, { runs: first.runs }, { now: new Date(NOW.getTime() + 1000) });
    expect(await getJson<WorkItem[]>(store, again.itemsKey)).toEqual(items);
    expect(curvePlanSchema.parse(await getJson(store, keys.curvePlan('c1')))).toEqual(plan);

    // The Map trains the round (crafted here: the points at a quarter and half the rows); one crashes.
    const [crashed, ...trained] = items;
    for (const it of trained) {
      const c = manifest.candidates.find((x) => x.id === it.candidateId)!;
      const d = craftedDoc(
        'c1',
        c,
        [0.6, 0.61, 0.59].map((v) => v + it.fraction! / 10),
        10,
      );
      await putJson(store, keys.curvePoint('c1', c.id, String(it.fraction)), d);
    }
    const failure = await recordFailure(store, { ...crashed!, error: { Error: 'States.Timeout', Cause: 'timed out' } }, { now: NOW });
    expect(failure.recorded).toBe(true);
    // The crash is the point's document; the candidate's own is untouched.
    expect((await getJson<{ status: string }>(store, keys.curvePoint('c1', crashed!.candidateId, '0.5'))).status).toBe('failed');
    expect((await getJson<{ status: string }>(store, keys.candidate('c1', crashed!.candidateId))).status).toBe('succeeded');

    const second = await aggregate(store, { runs: [run] }, { now: NOW });
    expect(second.promote).toBe(false);
    const lc = learningCurveDocSchema.parse(await getJson(store, keys.learningCurve('c1')));
    expect(lc.candidates.map((c) => c.points.map((p) => p.status))).toEqual([
      ['succeeded', 'failed', 'succeeded'],
      ['succeeded', 'succeeded', 'succeeded'],
    ]);
    expect(lc.candidates[0]!.verdict.kind).toBe('unknown');
    expect(lc.verdict.headline).toMatch(/^No learning-curve verdict for dense d\d w\d+: 50 %: timed out: a Train task ran past its time limit/);
  });

  it('is no round at all without the spec asking for it', async () => {
    const { store, run } = await trainedRun('c2');
    const manifest = craftedManifest('c2', { evaluation: { repeats: 3 } });
    await putJson(store, keys.runManifest('c2'), manifest);
    for (const [i, c] of manifest.candidates.entries()) await putJson(store, keys.candidate('c2', c.id), craftedDoc('c2', c, [0.7, 0.71, 0.69 + i / 100], 10 * (i + 1)));
    expect((await aggregate(store, { runs: [run] }, { now: NOW })).promote).toBe(false);
    expect(await store.exists(keys.learningCurve('c2'))).toBe(false);
  });
});

describe('the learning curve after a search in rounds', () => {
  it("opens once halving's last round is trained, from the candidates that round ranked", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-curve-halving-'));
    dirs.push(dir);
    const store = new LocalStore(dir);
    const manifest = craftedManifest('h1', {
      model: { family: 'dense', depth: [1, 2, 3], width: [4, 8, 16] },
      training: { epochs: 9 },
      evaluation: { repeats: 2 },
      search: { strategy: 'halving', eta: 3 },
      learningCurve: true,
    });
    await putJson(store, keys.runManifest('h1'), manifest);
    await putJson(
      store,
      keys.halving('h1'),
      strategyFor(manifest.sweep.search).start(
        'h1',
        manifest.sweep,
        manifest.candidates.map((c) => c.id),
      )!,
    );
    const run = { runId: 'h1', sweep: manifest.sweep.name, candidates: 9 };
    // Each round: the open round's candidates trained (candidate i scores 0.9 − 0.05 i), then Aggregate and Promote.
    let items: WorkItem[] = manifest.candidates.map((c) => ({ runId: 'h1', candidateId: c.id, round: 0 }));
    for (let round = 0; round < 3; round++) {
      for (const it of items) {
        const i = manifest.candidates.findIndex((c) => c.id === it.candidateId);
        const d = craftedDoc('h1', manifest.candidates[i]!, [0.9 - 0.05 * i, 0.91 - 0.05 * i], 100 * (i + 1));
        await putJson(store, keys.candidate('h1', it.candidateId), { ...d, rung: { round, epochs: [1, 3, 9][round]!, rounds: 3 } });
      }
      const agg = await aggregate(store, { runs: [run] }, { now: NOW });
      expect(agg.promote).toBe(true);
      items = await getJson<WorkItem[]>(store, (await promote(store, { runs: agg.runs }, { now: NOW })).itemsKey);
      expect(await store.exists(keys.curvePlan('h1'))).toBe(round === 2);
    }
    // The curve's items: the fractions below 1 of the last round's ranked candidates.
    const plan = curvePlanSchema.parse(await getJson(store, keys.curvePlan('h1')));
    expect(items.every((it) => it.fraction !== undefined && it.round === undefined)).toBe(true);
    expect(items).toHaveLength(3 * plan.candidates.length);
  });
});

describe('a curve item through the Train step', () => {
  it("trains on the fraction, in steps when it must (continuing with its fraction), and writes the point, not the candidate's document", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-curve-train-'));
    dirs.push(dir);
    const store = new LocalStore(dir);
    await store.put('datasets/sep.csv', separableCsv(120, 3));
    const spec = {
      name: 'sep',
      dataset: { key: 'datasets/sep.csv', task: 'binary', target: 'label' },
      model: { family: 'dense', depth: [1], width: [4] },
      training: { epochs: 2 },
      learningCurve: true,
    };
    await putJson(store, keys.sweep('sep'), spec);
    const planned = await plan(store, { trigger: 'cli', key: keys.sweep('sep') }, { now: NOW });
    const item = { ...planned.items[0]!, fraction: 0.5 };
    let out = await train(store, item, { backend: 'cpu', maxTaskSeconds: 0 });
    let tasks = 1;
    while (out.status === 'continue') {
      expect(out.fraction).toBe(0.5);
      out = await train(store, out, { backend: 'cpu', maxTaskSeconds: 0 });
      tasks++;
    }
    expect(out.status).toBe('succeeded');
    expect(tasks).toBeGreaterThan(1);
    const point = await getJson<{ trials: { trainRows: number; valRows: number }[] }>(store, keys.curvePoint(item.runId, item.candidateId, '0.5'));
    // 120 rows: 24 test, 96 left, 19 validation, 77 training — half of them (each class its share), the same validation rows.
    expect(point.trials).toHaveLength(3);
    expect(point.trials.every((t) => Math.abs(t.trainRows - 77 / 2) <= 1 && t.valRows === 19)).toBe(true);
    expect(await store.exists(keys.candidate(item.runId, item.candidateId))).toBe(false);
  });
});

describe("the curve's subsample of a split's training rows", () => {
  const parsed = { kind: 'tabular', task: 'binary', y: Float64Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? 1 : 0)) } as unknown as Parameters<typeof subsampleIndices>[0];
  const train = Int32Array.from({ length: 80 }, (_, i) => i);

  it('keeps each class its share, and smaller fractions are subsets of larger ones', () => {
    const quarter = subsampleIndices(parsed, train, 0.25, false, 7);
    const half = subsampleIndices(parsed, train, 0.5, false, 7);
    expect(quarter.length).toBe(20);
    expect(half.length).toBe(40);
    expect([...quarter].filter((i) => i % 4 === 0)).toHaveLength(5);
    expect([...quarter].every((i) => half.includes(i))).toBe(true);
  });

  it('keeps the latest rows in time order, and at least 2', () => {
    expect([...subsampleIndices(parsed, train, 0.25, true, 7)]).toEqual(Array.from({ length: 20 }, (_, i) => 60 + i));
    expect(subsampleIndices(parsed, train, 0.001, true, 7)).toHaveLength(2);
  });
});
