import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCandidateDoc } from '../src/results/document.js';
import { aggregate } from '../src/steps/aggregate.js';
import { LOST_ITEM_ERROR } from '../src/steps/lost-items.js';
import { promote } from '../src/steps/promote.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, putJson } from '../src/store/store.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempStore(): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-continuations-'));
  dirs.push(dir);
  return new LocalStore(dir);
}

describe('between the Map’s passes', () => {
  it('a task that handed over: Aggregate ranks nothing and sends the run to Promote, which re-queues the item once', async () => {
    // Arrange: a grid run of 4; a and b trained, c handed over (its item left beside its checkpoint), d trained.
    const store = await tempStore();
    const manifest = craftedManifest('h1');
    const [a, b, c, d] = manifest.candidates;
    await putJson(store, keys.runManifest('h1'), manifest);
    for (const x of [a!, b!, d!]) await putJson(store, keys.candidate('h1', x.id), craftedDoc('h1', x, [0.7], 21));
    await store.put(keys.checkpoint('h1', c!.id), new Uint8Array([1]));
    const item = { runId: 'h1', candidateId: c!.id, status: 'continue' };
    await putJson(store, keys.continuation('h1', c!.id), item);
    const items = keys.plan('20260101-000000-aaaa0001');
    await putJson(
      store,
      items,
      manifest.candidates.map((x) => ({ runId: 'h1', candidateId: x.id })),
    );
    const run = { runId: 'h1', sweep: 'crafted', candidates: 4 };

    // Act
    const aggregated = await aggregate(store, { runs: [run], itemsKey: items });
    const next = await promote(store, { runs: aggregated.runs });

    // Assert: no leaderboard yet, the checkpoint kept, c not recorded as lost; the next pass is c alone, its marker gone.
    expect(aggregated.promote).toBe(true);
    expect(await store.exists(keys.leaderboard('h1', 'json'))).toBe(false);
    expect(await store.exists(keys.checkpoint('h1', c!.id))).toBe(true);
    expect(await store.exists(keys.candidate('h1', c!.id))).toBe(false);
    expect(next.itemCount).toBe(1);
    expect(await getJson(store, next.itemsKey)).toEqual([item]);
    expect(await store.exists(keys.continuation('h1', c!.id))).toBe(false);
  });

  it('a child that ended without any result: Aggregate records its candidate as failed, saying why, and ranks the run', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('h2');
    const [a, b, c, d] = manifest.candidates;
    await putJson(store, keys.runManifest('h2'), manifest);
    for (const x of [a!, b!, d!]) await putJson(store, keys.candidate('h2', x.id), craftedDoc('h2', x, [0.7], 21));
    const items = keys.plan('20260101-000000-aaaa0002');
    await putJson(
      store,
      items,
      manifest.candidates.map((x) => ({ runId: 'h2', candidateId: x.id })),
    );

    const out = await aggregate(store, { runs: [{ runId: 'h2', sweep: 'crafted', candidates: 4 }], itemsKey: items });

    expect(out.promote).toBe(false);
    expect(out.runs[0]).toMatchObject({ succeeded: 3, failed: 1 });
    const lost = await readCandidateDoc(store, keys.candidate('h2', c!.id));
    expect(lost.ok && lost.doc.status).toBe('failed');
    expect(lost.ok && lost.doc.error?.message).toContain(LOST_ITEM_ERROR.Error);
    // The documents that were there are left as they were.
    const kept = await readCandidateDoc(store, keys.candidate('h2', a!.id));
    expect(kept.ok && kept.doc.status).toBe('succeeded');
  });
});
