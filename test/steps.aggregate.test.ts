import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { candidateDocSchema } from '../src/results/document.js';
import { aggregate, caughtReason } from '../src/steps/aggregate.js';
import type { Leaderboard } from '../src/steps/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, getText, putJson } from '../src/store/store.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempStore(): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-aggregate-'));
  dirs.push(dir);
  return new LocalStore(dir);
}

describe('aggregate', () => {
  it('records what the Catch reported as failed documents and writes the leaderboard in three formats', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r1');
    const [a, b, c, d] = manifest.candidates;
    await putJson(store, keys.runManifest('r1'), manifest);
    await putJson(store, keys.candidate('r1', a!.id), craftedDoc('r1', a!, [0.6], 21));
    await putJson(store, keys.candidate('r1', b!.id), craftedDoc('r1', b!, [0.9], 41));
    await putJson(store, keys.candidate('r1', c!.id), craftedDoc('r1', c!, [0.7], 41));
    const lambdaCause = JSON.stringify({ errorType: 'Error', errorMessage: 'Runtime exited with error: signal: killed', trace: [] });
    const out = await aggregate(store, {
      runs: [{ runId: 'r1', sweep: 'crafted', candidates: 4 }],
      results: [
        { runId: 'r1', candidateId: a!.id, status: 'succeeded' },
        { runId: 'r1', candidateId: b!.id, status: 'succeeded' },
        { runId: 'r1', candidateId: c!.id, status: 'succeeded' },
        { runId: 'r1', candidateId: d!.id, status: 'failed', error: { Error: 'Runtime.ExitError', Cause: lambdaCause } },
      ],
    });
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
    expect(lb.schema).toBe('layerbench.leaderboard.v1');
    expect(lb.rows.map((r) => r.candidateId)).toEqual([b!.id, c!.id, a!.id]);
    expect(lb.failed).toEqual([{ candidateId: d!.id, depth: 2, width: 8, reason: 'Runtime.ExitError: Runtime exited with error: signal: killed' }]);
    expect((await getText(store, 'runs/r1/leaderboard.csv')).split('\n')[1]).toMatch(new RegExp(`^1,${b!.id},`));
    expect(await getText(store, 'runs/r1/leaderboard.md')).toContain('## Failed (1)');
  });

  it('reports a candidate with neither a document nor a Catch record as failed, without inventing a document', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r2');
    await putJson(store, keys.runManifest('r2'), manifest);
    const out = await aggregate(store, { runs: [{ runId: 'r2', sweep: 'crafted', candidates: 4 }], results: [] });
    expect(out.runs[0]).toMatchObject({ succeeded: 0, failed: 4 });
    expect(out.runs[0]).not.toHaveProperty('best');
    expect(await store.list(keys.candidatesPrefix('r2'))).toEqual([]);
  });

  it('ranks the others when a document is truncated, and names that document as why its candidate failed', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r4');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.runManifest('r4'), manifest);
    await putJson(store, keys.candidate('r4', a!.id), craftedDoc('r4', a!, [0.8], 21));
    const whole = JSON.stringify(craftedDoc('r4', b!, [0.9], 41));
    await store.put(keys.candidate('r4', b!.id), whole.slice(0, whole.length / 2));

    const out = await aggregate(store, { runs: [{ runId: 'r4', sweep: 'crafted', candidates: 4 }], results: [] });

    expect(out.runs[0]).toMatchObject({ succeeded: 1, failed: 3, best: { candidateId: a!.id } });
    const lb = await getJson<Leaderboard>(store, keys.leaderboard('r4', 'json'));
    expect(lb.failed.find((f) => f.candidateId === b!.id)?.reason).toMatch(new RegExp(`^runs/r4/candidates/${b!.id}\\.json: unreadable \\(not JSON: `));
  });

  it('records a crashed worker and a timeout under their own failure kinds', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r5');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.runManifest('r5'), manifest);
    await aggregate(store, {
      runs: [{ runId: 'r5', sweep: 'crafted', candidates: 4 }],
      results: [
        { runId: 'r5', candidateId: a!.id, status: 'failed', error: { Error: 'WorkerCrashedError', Cause: 'its worker process died' } },
        { runId: 'r5', candidateId: b!.id, status: 'failed', error: { Error: 'States.Timeout', Cause: 'ran longer than 900 s' } },
      ],
    });
    const kind = async (id: string) => candidateDocSchema.parse(await getJson(store, keys.candidate('r5', id))).error?.kind;
    expect([await kind(a!.id), await kind(b!.id)]).toEqual(['crashed', 'timeout']);
  });

  it('leaves a duplicated run alone and reports its existing leaderboard', async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r3');
    const [a] = manifest.candidates;
    await putJson(store, keys.runManifest('r3'), manifest);
    await putJson(store, keys.candidate('r3', a!.id), craftedDoc('r3', a!, [0.8], 21));
    await aggregate(store, { runs: [{ runId: 'r3', sweep: 'crafted', candidates: 4 }], results: [] });
    const before = await getText(store, 'runs/r3/leaderboard.json');
    const out = await aggregate(store, { runs: [{ runId: 'r3', sweep: 'crafted', candidates: 4, duplicate: true }], results: [] });
    expect(out.runs[0]).toMatchObject({ runId: 'r3', duplicate: true, succeeded: 1, failed: 3, best: { candidateId: a!.id } });
    expect(await getText(store, 'runs/r3/leaderboard.json')).toBe(before);
  });
});

describe('caughtReason', () => {
  it('reads the message out of a Lambda error Cause, or keeps the Cause as it is', () => {
    expect(caughtReason({ Error: 'TransientError', Cause: '{"errorType":"TransientError","errorMessage":"S3 throttled"}' })).toBe('TransientError: S3 throttled');
    expect(caughtReason({ Error: 'States.Timeout', Cause: 'ran too long' })).toBe('States.Timeout: ran too long');
    expect(caughtReason({})).toBe('Error');
  });
});
