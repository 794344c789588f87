import { describe, expect, it } from 'vitest';
import { candidateDocSchema, type CandidateDoc } from '../src/results/document.js';
import { halvingStateSchema } from '../src/results/halving.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { readManifest } from '../src/results/manifest.js';
import { train } from '../src/steps/train.js';
import type { WorkItem } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import type { LocalStore } from '../src/store/local.js';
import { getJson, getText, putJson } from '../src/store/store.js';
import { runLocal, type ProgressEvent } from '../src/workflow/local.js';
import { tempStores } from './helpers/temp-store.js';

const freshStore = tempStores('halving');

async function tempStore(): Promise<LocalStore> {
  const store = await freshStore();
  await store.put('datasets/synthetic.csv', syntheticCsv());
  return store;
}

/** 240 rows, 3 features; label = a + b > 1 with some noise (seeded LCG). */
function syntheticCsv(): string {
  let s = 4242;
  const r = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 240; i++) {
    const [a, b, c] = [r(), r(), r()];
    rows.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a + b + 0.3 * (r() - 0.5) > 1 ? 'yes' : 'no'}`);
  }
  return `${rows.join('\n')}\n`;
}

const sweep = (name: string, rest: Record<string, unknown>) => ({
  name,
  dataset: { key: 'datasets/synthetic.csv', task: 'binary', target: 'label' },
  training: { batchSize: 32, learningRate: 0.02, earlyStopping: { enabled: false } },
  ...rest,
});

async function docsOf(store: LocalStore, runId: string): Promise<Map<string, CandidateDoc>> {
  const manifest = await readManifest(store, runId);
  const out = new Map<string, CandidateDoc>();
  for (const c of manifest.candidates) out.set(c.id, candidateDocSchema.parse(await getJson(store, keys.candidate(runId, c.id))));
  return out;
}

describe('halving through the local workflow', () => {
  it('trains 9 candidates in rounds of 1, 3 and 9 epochs: the promoted continue from their checkpoints, the rest stop at their rung', async () => {
    // Arrange
    const store = await tempStore();
    await putJson(
      store,
      keys.sweep('halving'),
      sweep('halving', {
        model: { family: 'dense', depth: [1, 2, 3], width: [2, 4, 8] },
        training: { epochs: 9, batchSize: 32, learningRate: 0.02, earlyStopping: { enabled: false } },
        evaluation: { repeats: 2 },
        search: { strategy: 'halving', eta: 3 },
      }),
    );
    const events: ProgressEvent[] = [];
    const items: WorkItem[] = [];

    // Act: Train in this process (the real step), so the test does not start a worker pool
    const result = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('halving') },
      testTrainer: (item) => {
        items.push(item);
        return train(store, item, { backend: 'cpu' });
      },
      onProgress: (e) => events.push(e),
    });

    // Assert: three rounds, each trained to its budget; the Choice looped twice through Promote
    const runId = result.runs[0]!.runId;
    const state = halvingStateSchema.parse(await getJson(store, keys.halving(runId)));
    expect(state.budgets).toEqual([1, 3, 9]);
    expect(state.rounds.map((r) => r.round)).toEqual([0, 1, 2]);
    expect(state.rounds[0]!.candidates).toHaveLength(9);
    const [r0, r1, r2] = state.rounds.map((r) => r.candidates);
    expect(r1!.length).toBeGreaterThanOrEqual(3);
    expect(r1!.length).toBeLessThan(9);
    expect(r2!.length).toBeGreaterThanOrEqual(1);
    expect(r2!.every((id) => r1!.includes(id)) && r1!.every((id) => r0!.includes(id))).toBe(true);
    expect(events.filter((e) => e.type === 'round').map((e) => (e as { total: number }).total)).toEqual([r1!.length, r2!.length]);
    // Each item says whether its round is the last: Train may skip what only ranked candidates need before it.
    expect(items.map((i) => [i.round, i.final])).toEqual([...r0!.map(() => [0, false]), ...r1!.map(() => [1, false]), ...r2!.map(() => [2, true])]);

    const docs = await docsOf(store, runId);
    for (const [id, doc] of docs) {
      const round = r2!.includes(id) ? 2 : r1!.includes(id) ? 1 : 0;
      // Each candidate's document is from its last round: every trial trained to that round's budget, continuously.
      expect(doc.rung).toEqual({ round, epochs: state.budgets[round], rounds: 3 });
      for (const t of doc.trials) expect(t.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: state.budgets[round]! }, (_, i) => i + 1));
      // One Train task per round it was in: promoted candidates continued, they did not start again.
      expect(doc.compute).toMatchObject({ tasks: round + 1, platform: 'local' });
      expect(doc.compute!.cpuSeconds).toBeGreaterThan(0);
      // A round that is not the last skips what only ranked candidates need: no model saved, no test split scored.
      expect(Boolean(doc.modelKey)).toBe(round === 2);
      expect(doc.trials.every((t) => (t.test !== undefined) === (round === 2))).toBe(true);
    }

    // The leaderboard ranks the finalists only and lists who stopped where; the cost and the epochs saved are there
    const lb = await getJson<Leaderboard>(store, keys.leaderboard(runId, 'json'));
    expect(lb.rows.map((r) => r.candidateId).sort()).toEqual([...r2!].sort());
    expect(lb.search!.stopped.map((s) => s.candidateId).sort()).toEqual(r0!.filter((id) => !r2!.includes(id)).sort());
    const trained = [...docs.values()].reduce((s, d) => s + d.trials.reduce((a, t) => a + t.epochs.length, 0), 0);
    expect(lb.search).toMatchObject({ strategy: 'halving', epochsTrained: trained, gridEpochs: 9 * 2 * 9, ended: null });
    expect(trained).toBe(2 * (9 * 1 + r1!.length * 3 + r2!.length * 9) - 2 * (r1!.length * 1 + r2!.length * 3));
    // What halving used against the full grid: the epochs trained, and the grid's 162 (no early stopping: every trial to 9)
    expect(lb.search!.compute).toMatchObject({ used: { epochs: trained }, grid: { epochs: 162 }, unmeasured: 0 });
    expect(lb.search!.compute!.used.cpuSeconds).toBeCloseTo(
      [...docs.values()].reduce((s, d) => s + d.compute!.cpuSeconds, 0),
      9,
    );
    expect(lb.search!.compute!.used.usd).toBeCloseTo(lb.cost!.usd, 12);
    expect(lb.search!.compute!.grid.cpuSeconds).toBeGreaterThan(0);
    expect(lb.cost).toMatchObject({ basis: 'local', region: 'us-east-1' });
    expect(lb.cost!.usd).toBeGreaterThan(0);
    expect(lb.rows.every((r) => r.cost && r.cost.usd > 0)).toBe(true);
    const md = await getText(store, keys.leaderboard(runId, 'md'));
    expect(md).toContain(`## Stopped at an earlier rung (${lb.search!.stopped.length})`);
    // The report shows the rungs, the epochs saved and the cost too
    const reportMd = await getText(store, keys.report(runId, 'md'));
    expect(reportMd).toContain('## The search: rungs and cost');
    expect(reportMd).toMatch(/Trained \d+ epochs in all, \d+ % of the full grid's 162/);
    expect(reportMd).toMatch(/estimated cost \$[\d.e-]+ \([\d.]+ CPU-seconds priced as Lambda: .* prices us-east-1, 2026-11\)/);
    const html = await getText(store, keys.report(runId, 'html'));
    expect(html).toContain(`<h3>Stopped at an earlier rung (${lb.search!.stopped.length})</h3>`);
    expect(md).toMatch(/halving used \d+ % of the grid's compute: [\d.,]+ of about [\d.,]+ CPU-seconds, \d+ of about 162 epochs \(\d+ %\) and \$[\d.e-]+ of about \$[\d.e-]+ \(\d+ %\)/);
    expect(md).toMatch(/halving \(eta 3\): 9 at 1 epoch → \d+ promoted; \d+ at 3 epochs → \d+ promoted; \d+ at 9 epochs\. Trained \d+ epochs in all, \d+ % of the full grid's 162/);
  }, 180_000);

  it("hyperband: brackets join at later rounds, trained from scratch to that round's budget, and every finalist reaches training.epochs", async () => {
    // Arrange: 9 candidates, eta 3, 9 epochs → brackets of 5, 3 and 1 candidates joining at rounds 0, 1 and 2
    const store = await tempStore();
    await putJson(
      store,
      keys.sweep('hyperband'),
      sweep('hyperband', {
        model: { family: 'dense', depth: [1, 2, 3], width: [2, 4, 8] },
        training: { epochs: 9, batchSize: 32, learningRate: 0.02, earlyStopping: { enabled: false } },
        search: { strategy: 'hyperband', eta: 3, seed: 5 },
      }),
    );

    // Act
    const result = await runLocal({ store, input: { trigger: 'cli', key: keys.sweep('hyperband') }, testTrainer: (item) => train(store, item, { backend: 'cpu' }) });

    // Assert
    const runId = result.runs[0]!.runId;
    const state = halvingStateSchema.parse(await getJson(store, keys.halving(runId)));
    expect(state.brackets.map((b) => [b.startRound, b.candidates.length])).toEqual([
      [0, 5],
      [1, 3],
      [2, 1],
    ]);
    const [b0, b1, b2] = state.brackets.map((b) => b.candidates);
    expect(state.rounds[0]!.candidates.sort()).toEqual([...b0!].sort());
    expect(b1!.every((id) => state.rounds[1]!.candidates.includes(id))).toBe(true);
    expect(state.rounds[2]!.candidates).toContain(b2![0]);
    const docs = await docsOf(store, runId);
    // The late bracket's candidate trained once, from scratch, to the last round's 9 epochs.
    expect(docs.get(b2![0]!)).toMatchObject({ rung: { round: 2, epochs: 9 }, compute: { tasks: 1 } });
    for (const id of state.rounds[2]!.candidates) expect(docs.get(id)!.trials[0]!.epochs).toHaveLength(9);
    const lb = await getJson<Leaderboard>(store, keys.leaderboard(runId, 'json'));
    expect(lb.rows.map((r) => r.candidateId).sort()).toEqual([...state.rounds[2]!.candidates].sort());
    expect(lb.search!.strategy).toBe('hyperband');
  }, 120_000);

  it('search.budget stops the rounds before one would pass it, and says what was left untrained', async () => {
    // Arrange: one repeat, so round 0 costs 9 × 1 × 1 = 9 epochs; round 1 at least 3 × 1 × 2 more → a budget of 12 stops it
    const store = await tempStore();
    await putJson(
      store,
      keys.sweep('budget'),
      sweep('budget', {
        model: { family: 'dense', depth: [1, 2, 3], width: [2, 4, 8] },
        training: { epochs: 9, batchSize: 32, learningRate: 0.02, earlyStopping: { enabled: false } },
        evaluation: { repeats: 1 },
        search: { strategy: 'halving', eta: 3, budget: { epochs: 12 } },
      }),
    );

    // Act
    const result = await runLocal({ store, input: { trigger: 'cli', key: keys.sweep('budget') }, testTrainer: (item) => train(store, item, { backend: 'cpu' }) });

    // Assert
    const runId = result.runs[0]!.runId;
    const state = halvingStateSchema.parse(await getJson(store, keys.halving(runId)));
    expect(state.rounds).toHaveLength(1);
    expect(state.stopped).toMatchObject({ reason: 'budget', spent: { epochs: 9 } });
    expect(state.stopped!.message).toMatch(/^round 1 would train \d+ more epochs: 9 \+ \d+ is over search\.budget\.epochs \(12\)$/);
    const lb = await getJson<Leaderboard>(store, keys.leaderboard(runId, 'json'));
    expect(lb.rows).toHaveLength(9);
    expect(lb.search!.ended).toMatchObject({ reason: 'budget', epochs: 3 });
    expect(lb.search!.ended!.untrained.length).toBeGreaterThanOrEqual(3);
  }, 120_000);
});

describe('training.maxTaskSeconds through the local workflow', () => {
  it('a candidate that checkpoints after every epoch is invoked again until done, and ends where an uninterrupted one does', async () => {
    // Arrange: the same one-candidate sweep twice; dropout so the random streams matter too
    const store = await tempStore();
    const spec = (name: string) =>
      sweep(name, {
        model: { family: 'dense', depth: [2], width: [8], dropout: 0.2 },
        training: { epochs: 4, batchSize: 32, learningRate: 0.02, earlyStopping: { enabled: false } },
        evaluation: { repeats: 2 },
      });
    await putJson(store, keys.sweep('whole'), spec('whole'));
    await putJson(store, keys.sweep('steps'), spec('steps'));
    const statuses: string[] = [];

    // Act: maxTaskSeconds 0 — each task trains one epoch, checkpoints and returns "continue"
    const whole = await runLocal({ store, input: { trigger: 'cli', key: keys.sweep('whole') }, testTrainer: (item) => train(store, item, { backend: 'cpu' }) });
    const steps = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('steps') },
      testTrainer: async (item) => {
        const out = await train(store, item, { backend: 'cpu', maxTaskSeconds: 0 });
        statuses.push(out.status);
        return out;
      },
    });

    // Assert: 2 trials × 4 epochs = 8 tasks, 7 of them "continue"
    expect(statuses).toEqual([...Array(7).fill('continue'), 'succeeded']);
    const a = [...(await docsOf(store, whole.runs[0]!.runId)).values()][0]!;
    const b = [...(await docsOf(store, steps.runs[0]!.runId)).values()][0]!;
    expect(b.compute!.tasks).toBe(8);
    expect(a.compute!.tasks).toBe(1);
    expect(b.trials.map((t) => t.epochs.map((e) => e.loss))).toEqual(a.trials.map((t) => t.epochs.map((e) => e.loss)));
    expect(b.trials.map((t) => t.valMetric)).toEqual(a.trials.map((t) => t.valMetric));
  }, 120_000);
});
