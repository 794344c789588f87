/**
 * Aggregate keeps each candidate document as its digest (no epoch curves, test row blocks or layer summaries) so that
 * 10,000 candidates fit a small Lambda. The leaderboard it writes must be the one the whole documents
 * give — what it wrote before it kept digests, and what Report writes from whole documents.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestCandidateDoc, trialModelsTest } from '../src/results/analysis.js';
import { candidateDocSchema, type CandidateDoc } from '../src/results/document.js';
import { readManifest } from '../src/results/manifest.js';
import { readRunExtras } from '../src/results/run-extras.js';
import { aggregate, writeLeaderboard } from '../src/steps/aggregate.js';
import { readRunDocuments } from '../src/steps/documents.js';
import { plan } from '../src/steps/plan.js';
import { mapConcurrent } from '../src/store/concurrent.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, getText, putJson } from '../src/store/store.js';
import { fakeTrainerForTests } from './helpers/fake-trainer.js';
import { TINY_DATASET_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('aggregate keeps digests of the documents', () => {
  it('writes the leaderboard (JSON and CSV) the whole documents give', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-digests-'));
    dirs.push(dir);
    const store = new LocalStore(dir);
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv());
    await putJson(store, 'sweeps/digests.json', { ...tinySweep, name: 'digests', model: { family: 'dense', depth: [1, 2, 3, 4, 5, 6], width: [2, 4, 8, 16, 32, 64] } });
    const planned = await plan(store, { trigger: 'cli', key: 'sweeps/digests.json' });
    const runId = planned.runs[0]!.runId;
    // Documents of a real one's shape (curves, layers, test blocks), one in nine a crashed task.
    await mapConcurrent(planned.items, 8, async (item) => {
      await fakeTrainerForTests(store, { failEvery: 9, realistic: { repeats: 3, epochs: 12, testRows: 60 } })(item).catch(() => undefined);
    });
    const manifest = await readManifest(store, runId);
    // What real documents also carry: validation row blocks; and an older document without a parameter count.
    for (const [i, c] of manifest.candidates.entries()) {
      const key = keys.candidate(runId, c.id);
      if (!(await store.exists(key))) continue;
      const doc = candidateDocSchema.parse(await getJson(store, key));
      const edited: CandidateDoc = {
        ...doc,
        parameterCount: i === 3 ? null : doc.parameterCount,
        trials: doc.trials.map((t, j) => ({ ...t, stoppedEarly: (i + j) % 4 === 0, valBlocks: { order: 'time', size: 2, sums: Array.from({ length: 12 }, (_, k) => ((i * 7 + j * 3 + k) % 3) / 2) } })),
      };
      await putJson(store, key, edited);
    }
    const now = new Date('2026-12-07T04:00:00.000Z');

    await aggregate(store, { runs: planned.runs }, { now });
    const streamed = { json: await getText(store, keys.leaderboard(runId, 'json')), csv: await getText(store, keys.leaderboard(runId, 'csv')) };
    await writeLeaderboard(store, manifest, await readRunDocuments(store, manifest), await readRunExtras(store, runId), now);
    const whole = { json: await getText(store, keys.leaderboard(runId, 'json')), csv: await getText(store, keys.leaderboard(runId, 'csv')) };

    expect(streamed).toEqual(whole);
    const lb = JSON.parse(streamed.json) as { rows: { params: number | null }[]; failed: unknown[] };
    expect(lb.rows.length).toBeGreaterThan(20);
    expect(lb.failed.length).toBeGreaterThan(0);
    expect(lb.rows.some((r) => r.params === null)).toBe(true);
  });

  it('a digest keeps every field but the epoch records, the test row blocks (their score instead) and the layers a parameter count makes redundant', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-digests-'));
    dirs.push(dir);
    const store = new LocalStore(dir);
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv());
    await putJson(store, 'sweeps/one.json', { ...tinySweep, name: 'one', model: { family: 'dense', depth: [2], width: [4] } });
    const planned = await plan(store, { trigger: 'cli', key: 'sweeps/one.json' });
    await fakeTrainerForTests(store, { realistic: { repeats: 2, epochs: 5, testRows: 30 } })(planned.items[0]!);
    const doc = candidateDocSchema.parse(await getJson(store, keys.candidate(planned.runs[0]!.runId, planned.items[0]!.candidateId)));

    const digest = digestCandidateDoc(doc, 'accuracy');

    expect(digest.trials.map((t) => t.epochs)).toEqual([{ length: 5 }, { length: 5 }]);
    expect(digest.layers).toEqual([]);
    expect(digest.testScore).toEqual(trialModelsTest(doc, 'accuracy'));
    expect(digest.testScore?.se).toBeGreaterThan(0);
    const strip = (d: typeof digest) => ({
      ...d,
      layers: null,
      testScore: null,
      trials: d.trials.map((t) => ({ ...t, epochs: t.epochs.length, test: t.test && { metric: t.test.metric, loss: t.test.loss, rows: t.test.rows } })),
    });
    expect(strip(digest)).toEqual(strip(doc));
    expect(digestCandidateDoc({ ...doc, parameterCount: null }, 'accuracy').layers).toEqual(doc.layers);
  });
});
