import { describe, expect, it } from 'vitest';
import { readCandidateDoc } from '../src/results/document.js';
import { HALVING_SCHEMA } from '../src/results/halving.js';
import { aggregate } from '../src/steps/aggregate.js';
import { LOST_ITEM_ERROR, recordLostItems } from '../src/steps/lost-items.js';
import { promote } from '../src/steps/promote.js';
import { keys } from '../src/store/keys.js';
import { getJson, putJson } from '../src/store/store.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';
import { tempStores } from './helpers/temp-store.js';

const tempStore = tempStores('continuations');

/** A crafted grid run of 4 (a, b, c, d) whose pass wrote the documents of a, b and d but not c's, and that pass's item list. */
async function passWithoutC(runId: string, planId: string) {
  const store = await tempStore();
  const manifest = craftedManifest(runId);
  const [a, b, c, d] = manifest.candidates;
  await putJson(store, keys.runManifest(runId), manifest);
  for (const x of [a!, b!, d!]) await putJson(store, keys.candidate(runId, x.id), craftedDoc(runId, x, [0.7], 21));
  const items = keys.plan(planId);
  await putJson(
    store,
    items,
    manifest.candidates.map((x) => ({ runId, candidateId: x.id })),
  );
  return { store, a: a!, c: c!, items };
}

describe('between the Map’s passes', () => {
  it('a task that handed over: Aggregate ranks nothing and sends the run to Promote, which re-queues the item once', async () => {
    // Arrange: a grid run of 4; a and b trained, c handed over (its item left beside its checkpoint), d trained.
    const { store, c, items } = await passWithoutC('h1', '20260101-000000-aaaa0001');
    await store.put(keys.checkpoint('h1', c.id), new Uint8Array([1]));
    const item = { runId: 'h1', candidateId: c.id, status: 'continue' };
    await putJson(store, keys.continuation('h1', c.id), item);
    const run = { runId: 'h1', sweep: 'crafted', candidates: 4 };

    // Act
    const aggregated = await aggregate(store, { runs: [run], itemsKey: items });
    const next = await promote(store, { runs: aggregated.runs });

    // Assert: no leaderboard yet, the checkpoint kept, c not recorded as lost; the next pass is c alone, its marker gone.
    expect(aggregated.promote).toBe(true);
    expect(await store.exists(keys.leaderboard('h1', 'json'))).toBe(false);
    expect(await store.exists(keys.checkpoint('h1', c.id))).toBe(true);
    expect(await store.exists(keys.candidate('h1', c.id))).toBe(false);
    expect(next.itemCount).toBe(1);
    expect(await getJson(store, next.itemsKey)).toEqual([item]);
    expect(await store.exists(keys.continuation('h1', c.id))).toBe(false);
  });

  it('a child that ended without any result: Aggregate records its candidate as failed, saying why, and ranks the run', async () => {
    const { store, a, c, items } = await passWithoutC('h2', '20260101-000000-aaaa0002');

    const out = await aggregate(store, { runs: [{ runId: 'h2', sweep: 'crafted', candidates: 4 }], itemsKey: items });

    expect(out.promote).toBe(false);
    expect(out.runs[0]).toMatchObject({ succeeded: 3, failed: 1 });
    const lost = await readCandidateDoc(store, keys.candidate('h2', c.id));
    expect(lost.ok && lost.doc.status).toBe('failed');
    expect(lost.ok && lost.doc.error?.message).toContain(LOST_ITEM_ERROR.Error);
    // The documents that were there are left as they were.
    const kept = await readCandidateDoc(store, keys.candidate('h2', a.id));
    expect(kept.ok && kept.doc.status).toBe('succeeded');
  });

  it('a halving item lost in a later round: its document from the round before is not a result, and it is recorded as failed', async () => {
    // Arrange: round 1 of a halving run; a wrote its round-1 document, b's document is still round 0's (its child was lost).
    const store = await tempStore();
    const manifest = craftedManifest('h3');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.runManifest('h3'), manifest);
    const rung = (round: number) => ({ round, epochs: 3 ** round, rounds: 3 });
    await putJson(store, keys.candidate('h3', a!.id), { ...craftedDoc('h3', a!, [0.7], 21), rung: rung(1) });
    await putJson(store, keys.candidate('h3', b!.id), { ...craftedDoc('h3', b!, [0.7], 21), rung: rung(0) });
    const ids = manifest.candidates.map((x) => x.id);
    await putJson(store, keys.halving('h3'), {
      schema: HALVING_SCHEMA,
      runId: 'h3',
      strategy: 'halving',
      eta: 2,
      minEpochs: 1,
      budgets: [1, 3, 9],
      trials: 1,
      brackets: [{ startRound: 0, candidates: ids }],
      budget: null,
      rounds: [
        { round: 0, epochs: 1, candidates: ids },
        { round: 1, epochs: 3, candidates: [a!.id, b!.id] },
      ],
      stopped: null,
    });
    const items = keys.plan('20260101-000000-aaaa0003');
    await putJson(
      store,
      items,
      [a!, b!].map((x) => ({ runId: 'h3', candidateId: x.id, round: 1 })),
    );

    // Act
    const lost = await recordLostItems(store, items, async () => [], new Date('2026-01-01T00:00:00Z'));

    // Assert: b alone, now failed with the reason; a's round-1 document untouched.
    expect(lost).toBe(1);
    const bDoc = await readCandidateDoc(store, keys.candidate('h3', b!.id));
    expect(bDoc.ok && bDoc.doc.status).toBe('failed');
    expect(bDoc.ok && bDoc.doc.error?.message).toContain(LOST_ITEM_ERROR.Error);
    expect(bDoc.ok && bDoc.doc.rung?.round).toBe(1);
    const aDoc = await readCandidateDoc(store, keys.candidate('h3', a!.id));
    expect(aDoc.ok && aDoc.doc.status === 'succeeded' && aDoc.doc.rung?.round).toBe(1);
  });
});
