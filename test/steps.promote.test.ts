import { describe, expect, it } from 'vitest';
import type { CandidateDoc } from '../src/results/document.js';
import { halvingStateSchema } from '../src/results/halving.js';
import { strategyFor } from '../src/search/strategies.js';
import { promote } from '../src/steps/promote.js';
import type { WorkItem } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import type { LocalStore } from '../src/store/local.js';
import { getJson, putJson } from '../src/store/store.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';
import { tempStores } from './helpers/temp-store.js';

const tempStore = tempStores('promote');

const NOW = new Date('2026-03-04T05:06:07.000Z');

/** A halving run of 9 crafted candidates (eta 3, 9 epochs: rounds at 1, 3, 9) with round 0 open, as Plan leaves it. */
async function halvingRun(runId: string) {
  const store = await tempStore();
  const manifest = craftedManifest(runId, {
    model: { family: 'dense', depth: [1, 2, 3], width: [4, 8, 16] },
    training: { epochs: 9 },
    evaluation: { repeats: 2 },
    search: { strategy: 'halving', eta: 3 },
  });
  await putJson(store, keys.runManifest(runId), manifest);
  const state = strategyFor(manifest.sweep.search).start(
    runId,
    manifest.sweep,
    manifest.candidates.map((c) => c.id),
  )!;
  await putJson(store, keys.halving(runId), state);
  return { store, manifest };
}

/** Round `round`'s documents: candidate i scores 0.9 − 0.05 i in both trials (clearly ranked). */
async function trainRound(store: LocalStore, runId: string, ids: readonly string[], round: number, manifest: Awaited<ReturnType<typeof halvingRun>>['manifest']) {
  for (const id of ids) {
    const i = manifest.candidates.findIndex((c) => c.id === id);
    const doc = craftedDoc(runId, manifest.candidates[i]!, [0.9 - 0.05 * i, 0.91 - 0.05 * i], 100);
    await putJson(store, keys.candidate(runId, id), { ...doc, rung: { round, epochs: [1, 3, 9][round]!, rounds: 3 } });
  }
}

const itemsOf = async (store: LocalStore, key: string) => getJson<WorkItem[]>(store, key);

describe('promote', () => {
  it("decides after a round through the run's strategy, opens the next and hands its items on, saying whether the round is the last", async () => {
    // Arrange
    const { store, manifest } = await halvingRun('h1');
    const ids = manifest.candidates.map((c) => c.id);
    await trainRound(store, 'h1', ids, 0, manifest);
    const run = { runId: 'h1', sweep: manifest.sweep.name, candidates: 9 };

    // Act
    const first = await promote(store, { runs: [run] }, { now: NOW });

    // Assert: the top 1 in 3 — the first three candidates — go on to round 1, which is not the last
    const state = halvingStateSchema.parse(await getJson(store, keys.halving('h1')));
    expect(state.rounds.map((r) => r.candidates.length)).toEqual([9, 3]);
    expect(state.rounds[0]!.promotion).toMatchObject({ decidedAt: NOW.toISOString(), spent: { epochs: 9 * 2 * 2 } });
    expect(await itemsOf(store, first.itemsKey)).toEqual(ids.slice(0, 3).map((candidateId) => ({ runId: 'h1', candidateId, round: 1, final: false })));

    // Act: a retried Promote before round 1 was trained hands out the same items and decides nothing again
    const retried = await promote(store, { runs: [run] }, { now: new Date('2026-03-04T06:00:00.000Z') });
    expect(await itemsOf(store, retried.itemsKey)).toEqual(await itemsOf(store, first.itemsKey));
    expect(halvingStateSchema.parse(await getJson(store, keys.halving('h1')))).toEqual(state);

    // Act: round 1 trained, the last round opens with the best one
    await trainRound(store, 'h1', ids.slice(0, 3), 1, manifest);
    const last = await promote(store, { runs: [run] }, { now: NOW });
    expect(await itemsOf(store, last.itemsKey)).toEqual([{ runId: 'h1', candidateId: ids[0], round: 2, final: true }]);

    // Act: once the last round is trained there is nothing left to promote
    await trainRound(store, 'h1', ids.slice(0, 1), 2, manifest);
    const done = await promote(store, { runs: [run] }, { now: NOW });
    expect(done.itemCount).toBe(0);
    expect(halvingStateSchema.parse(await getJson(store, keys.halving('h1'))).rounds).toHaveLength(3);
  });

  it('hands out the next round dearest first: by the CPU-seconds per epoch each candidate measured in the round before', async () => {
    // Arrange: round 0 trained; of the three that go on, the third cost most per epoch, the first least.
    const { store, manifest } = await halvingRun('h2');
    const ids = manifest.candidates.map((c) => c.id);
    await trainRound(store, 'h2', ids, 0, manifest);
    const cpu = [0.1, 0.5, 0.9];
    for (const [i, id] of ids.slice(0, 3).entries()) {
      const doc = await getJson<CandidateDoc>(store, keys.candidate('h2', id));
      const compute = { tasks: 1, taskSeconds: cpu[i]!, cpuSeconds: cpu[i]!, platform: 'local', memoryMb: null, architecture: 'x86_64' } as const;
      await putJson(store, keys.candidate('h2', id), { ...doc, compute });
    }

    // Act
    const next = await promote(store, { runs: [{ runId: 'h2', sweep: manifest.sweep.name, candidates: 9 }] }, { now: NOW });

    // Assert
    expect((await itemsOf(store, next.itemsKey)).map((i) => i.candidateId)).toEqual([ids[2], ids[1], ids[0]]);
  });
});
