import { describe, expect, it } from 'vitest';
import { candidateDocSchema } from '../src/results/document.js';
import { aggregate } from '../src/steps/aggregate.js';
import { recordFailure } from '../src/steps/record-failure.js';
import { report } from '../src/steps/report.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { getJson, getText, putJson } from '../src/store/store.js';
import { makeBaseline } from './fixtures/report/factory.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';
import { tempStores } from './helpers/temp-store.js';

const tempStore = tempStores('aggregate');

describe('aggregate', () => {
  it('ranks the documents it lists in the store, a caught failure among them, and writes the leaderboard as JSON and CSV', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r1');
    const [a, b, c, d] = manifest.candidates;
    await putJson(store, keys.runManifest('r1'), manifest);
    await putJson(store, keys.candidate('r1', a!.id), craftedDoc('r1', a!, [0.6], 21));
    await putJson(store, keys.candidate('r1', b!.id), craftedDoc('r1', b!, [0.9], 41));
    await putJson(store, keys.candidate('r1', c!.id), craftedDoc('r1', c!, [0.7], 41));
    const lambdaCause = JSON.stringify({ errorType: 'Error', errorMessage: 'Runtime exited with error: signal: killed', trace: [] });
    await recordFailure(store, { runId: 'r1', candidateId: d!.id, error: { Error: 'Runtime.ExitError', Cause: lambdaCause } });
    const out = await aggregate(store, { runs: [{ runId: 'r1', sweep: 'crafted', candidates: 4 }] });
    expect(out.runs).toEqual([
      {
        runId: 'r1',
        sweep: 'crafted',
        leaderboardKey: 'runs/r1/leaderboard.json',
        succeeded: 3,
        failed: 1,
        best: { candidateId: b!.id, metric: 'accuracy', value: 0.9 },
        recommended: out.runs[0]!.recommended,
      },
    ]);
    expect(out.runs[0]!.recommended).toMatch(/^dense-d\d-w\d+-/);
    // The report is the Report step's.
    expect(await store.exists('runs/r1/report.html')).toBe(false);
    const failedDoc = candidateDocSchema.parse(await getJson(store, keys.candidate('r1', d!.id)));
    expect(failedDoc.status).toBe('failed');
    expect(failedDoc.error).toEqual({ kind: 'crashed', code: 'E_TASK_FAILED', message: 'Runtime.ExitError: Runtime exited with error: signal: killed' });
    const lb = await getJson<Leaderboard>(store, 'runs/r1/leaderboard.json');
    expect(lb.schema).toBe('layerbench.leaderboard.v3');
    expect(lb.recommended!.candidateId).toBe(out.runs[0]!.recommended);
    expect(lb.rows.map((r) => r.candidateId)).toEqual([b!.id, c!.id, a!.id]);
    expect(lb.failed).toEqual([{ candidateId: d!.id, depth: 2, width: 8, reason: 'Runtime.ExitError: Runtime exited with error: signal: killed' }]);
    expect((await getText(store, 'runs/r1/leaderboard.csv')).split('\n')[1]).toMatch(new RegExp(`^1,${b!.id},`));
    // leaderboard.md is text: the Report step renders it with the report.
    expect(await store.exists('runs/r1/leaderboard.md')).toBe(false);
  });

  it('deletes the run’s scratch once done with it — the item list the Map read, the checkpoints — and no result', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r5');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.runManifest('r5'), manifest);
    await putJson(store, keys.candidate('r5', a!.id), craftedDoc('r5', a!, [0.6], 21));
    await putJson(store, keys.candidate('r5', b!.id), craftedDoc('r5', b!, [0.9], 41));
    await store.put(`${keys.model('r5', a!.id)}model.json`, '{}');
    await store.put(keys.checkpoint('r5', a!.id), new Uint8Array([1, 2, 3]));
    await store.put(keys.checkpoint('r5', b!.id), new Uint8Array([4]));
    await store.put(keys.plan('20260101-000000-abcd0123'), '[]');
    const before = (await store.list('')).filter((k) => !k.includes('/checkpoints/') && !k.startsWith('plans/'));
    await aggregate(store, { runs: [{ runId: 'r5', sweep: 'crafted', candidates: 4 }], itemsKey: keys.plan('20260101-000000-abcd0123') });
    expect(await store.list(keys.checkpointsPrefix('r5'))).toEqual([]);
    expect(await store.list('plans/')).toEqual([]);
    // Every result that was there stays, and the leaderboard was added.
    expect(await store.list('')).toEqual([...before, keys.leaderboard('r5', 'csv'), keys.leaderboard('r5', 'json')].sort());
    // A retried Aggregate finds nothing left to delete and still succeeds.
    await aggregate(store, { runs: [{ runId: 'r5', sweep: 'crafted', candidates: 4 }], itemsKey: keys.plan('20260101-000000-abcd0123') });
  });

  it('refuses to delete anything but scratch', async () => {
    const store = await tempStore();
    await putJson(store, keys.runManifest('r6'), craftedManifest('r6'));
    await expect(aggregate(store, { runs: [{ runId: 'r6', sweep: 'crafted', candidates: 4 }], itemsKey: keys.runManifest('r6') })).rejects.toThrow('runs/r6/run.json: not scratch, never deleted');
    expect(await store.exists(keys.runManifest('r6'))).toBe(true);
  });

  it('reports a candidate without a document as failed, without inventing a document', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r2');
    await putJson(store, keys.runManifest('r2'), manifest);
    const out = await aggregate(store, { runs: [{ runId: 'r2', sweep: 'crafted', candidates: 4 }] });
    expect(out.runs[0]).toMatchObject({ succeeded: 0, failed: 4 });
    expect(out.runs[0]).not.toHaveProperty('best');
    expect(await store.list(keys.candidatesPrefix('r2'))).toEqual([]);
  });

  it('reads the run’s baseline, ranks against it and writes the recommendation into leaderboard.json, agreeing with the report', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r4');
    const [a, b, c] = manifest.candidates;
    await putJson(store, keys.runManifest('r4'), manifest);
    await putJson(store, keys.candidate('r4', a!.id), craftedDoc('r4', a!, [0.55, 0.56, 0.57], 21));
    await putJson(store, keys.candidate('r4', b!.id), craftedDoc('r4', b!, [0.7, 0.72, 0.74], 41));
    await putJson(store, keys.candidate('r4', c!.id), craftedDoc('r4', c!, [0.71, 0.74, 0.73], 41));
    // The majority class scores 0.6 on the same (repeat, fold) trials: a! does not beat it.
    const baseline = { ...makeBaseline({ runId: 'r4', values: [0.6, 0.6, 0.6], folds: 1 }) };
    await putJson(store, keys.baseline('r4'), baseline);
    const out = await aggregate(store, { runs: [{ runId: 'r4', sweep: 'crafted', candidates: 4 }] });
    const lb = await getJson<Leaderboard>(store, keys.leaderboard('r4', 'json'));
    expect(lb.baseline).toMatchObject({ name: 'majority class', metric: 0.6, n: 3 });
    expect(lb.rows.map((r) => r.vsBaseline!.verdict)).toEqual(['beats', 'beats', 'does-not-beat']);
    expect(lb.recommended!.candidateId).toBe(out.runs[0]!.recommended);
    // The Report step, run after, recommends the same candidate from the same documents and baseline.
    const reported = await report(store, out);
    expect(reported.runs[0]!.recommended).toBe(lb.recommended!.candidateId);
    const md = await getText(store, keys.report('r4', 'md'));
    const rec = lb.rows.find((r) => r.candidateId === lb.recommended!.candidateId)!;
    expect(md).toContain(`**Use depth ${rec.depth} and width ${rec.width}**`);
    expect(md).toContain('below baseline');
    expect(await getText(store, keys.leaderboard('r4', 'csv'))).toContain('baseline: majority class');
  });

  it('reports a duplicated run whose leaderboard is still v1', async () => {
    const store = await tempStore();
    await putJson(store, keys.leaderboard('old', 'json'), {
      schema: 'layerbench.leaderboard.v1',
      runId: 'old',
      sweep: 'crafted',
      dataset: { key: 'datasets/crafted.csv', version: 'v1' },
      metric: { name: 'accuracy', higherIsBetter: true },
      candidates: 1,
      rows: [{ rank: 1, candidateId: 'a', depth: 1, width: 4, units: [4], params: 21, metric: { mean: 0.8, std: null, n: 1 }, epochs: 2, fitSeconds: 1, samplesPerSecond: null, backend: 'cpu' }],
      failed: [],
      generatedAt: '2026-01-02T00:00:00.000Z',
    });
    const out = await aggregate(store, { runs: [{ runId: 'old', sweep: 'crafted', candidates: 1, duplicate: true }] });
    expect(out.runs[0]).toEqual({
      runId: 'old',
      sweep: 'crafted',
      leaderboardKey: 'runs/old/leaderboard.json',
      succeeded: 1,
      failed: 0,
      best: { candidateId: 'a', metric: 'accuracy', value: 0.8 },
      duplicate: true,
    });
  });

  it('ranks the others when a document is truncated, and names that document as why its candidate failed', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r4b');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.runManifest('r4b'), manifest);
    await putJson(store, keys.candidate('r4b', a!.id), craftedDoc('r4b', a!, [0.8], 21));
    const whole = JSON.stringify(craftedDoc('r4b', b!, [0.9], 41));
    await store.put(keys.candidate('r4b', b!.id), whole.slice(0, whole.length / 2));

    const out = await aggregate(store, { runs: [{ runId: 'r4b', sweep: 'crafted', candidates: 4 }] });

    expect(out.runs[0]).toMatchObject({ succeeded: 1, failed: 3, best: { candidateId: a!.id } });
    const lb = await getJson<Leaderboard>(store, keys.leaderboard('r4b', 'json'));
    expect(lb.failed.find((f) => f.candidateId === b!.id)?.reason).toMatch(new RegExp(`^runs/r4b/candidates/${b!.id}\\.json: unreadable \\(not JSON: `));
  });

  it('RecordFailure records a crashed worker and a timeout under their own failure kinds', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r5');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.runManifest('r5'), manifest);
    await recordFailure(store, { runId: 'r5', candidateId: a!.id, error: { Error: 'WorkerCrashedError', Cause: 'its worker process died' } });
    await recordFailure(store, { runId: 'r5', candidateId: b!.id, error: { Error: 'States.Timeout', Cause: 'ran longer than 900 s' } });
    const kind = async (id: string) => candidateDocSchema.parse(await getJson(store, keys.candidate('r5', id))).error?.kind;
    expect([await kind(a!.id), await kind(b!.id)]).toEqual(['crashed', 'timeout']);
  });

  it('leaves a duplicated run alone and reports its existing leaderboard', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r3');
    const [a] = manifest.candidates;
    await putJson(store, keys.runManifest('r3'), manifest);
    await putJson(store, keys.candidate('r3', a!.id), craftedDoc('r3', a!, [0.8], 21));
    await aggregate(store, { runs: [{ runId: 'r3', sweep: 'crafted', candidates: 4 }] });
    const before = await getText(store, 'runs/r3/leaderboard.json');
    const out = await aggregate(store, { runs: [{ runId: 'r3', sweep: 'crafted', candidates: 4, duplicate: true }] });
    expect(out.runs[0]).toMatchObject({ runId: 'r3', duplicate: true, succeeded: 1, failed: 3, best: { candidateId: a!.id } });
    expect(await getText(store, 'runs/r3/leaderboard.json')).toBe(before);
  });
});
