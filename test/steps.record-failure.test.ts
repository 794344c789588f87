import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { candidateDocSchema } from '../src/results/document.js';
import { caughtReason, recordFailure, timeoutMessage } from '../src/steps/record-failure.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, getText, putJson } from '../src/store/store.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function plannedStore(runId: string) {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-record-failure-'));
  dirs.push(dir);
  const store = new LocalStore(dir);
  const manifest = craftedManifest(runId);
  await putJson(store, keys.runManifest(runId), manifest);
  return { store, manifest };
}

const NOW = new Date('2026-03-04T05:06:07.000Z');

describe('recordFailure', () => {
  it("writes the candidate's failed document with the reason and kind the Catch reported", async () => {
    const { store, manifest } = await plannedStore('r1');
    const candidate = manifest.candidates[1]!;

    const out = await recordFailure(store, { runId: 'r1', candidateId: candidate.id, error: { Error: 'States.Timeout', Cause: 'ran too long' } }, { now: NOW });

    expect(out).toEqual({ recorded: true, reason: 'States.Timeout: ran too long' });
    const doc = candidateDocSchema.parse(await getJson(store, keys.candidate('r1', candidate.id)));
    expect(doc).toMatchObject({
      status: 'failed',
      candidate,
      error: {
        kind: 'timeout',
        code: 'E_TIMEOUT',
        message: expect.stringMatching(/^timed out: a Train task ran past its time limit \(locally --train-timeout, default 900 s; .*training\.maxTaskSeconds \(840 s\)/),
      },
      startedAt: NOW.toISOString(),
    });
  });

  it('classifies retries spent on a TransientError as transient and our fatal errors as fatal', async () => {
    const { store, manifest } = await plannedStore('r2');
    const [a, b] = manifest.candidates;
    await recordFailure(store, { runId: 'r2', candidateId: a!.id, error: { Error: 'TransientError', Cause: '{"errorType":"TransientError","errorMessage":"S3 throttled"}' } });
    await recordFailure(store, { runId: 'r2', candidateId: b!.id, error: { Error: 'DataError', Cause: 'row 3: bad' } });
    expect((await getJson<{ error: unknown }>(store, keys.candidate('r2', a!.id))).error).toEqual({ kind: 'transient', code: 'E_TASK_FAILED', message: 'TransientError: S3 throttled' });
    expect((await getJson<{ error: unknown }>(store, keys.candidate('r2', b!.id))).error).toMatchObject({ kind: 'fatal' });
  });

  it('never replaces a document the task wrote, and writes nothing for a candidate the run does not have', async () => {
    const { store, manifest } = await plannedStore('r3');
    const candidate = manifest.candidates[0]!;
    await putJson(store, keys.candidate('r3', candidate.id), craftedDoc('r3', candidate, [0.8], 21));
    const before = await getText(store, keys.candidate('r3', candidate.id));

    const kept = await recordFailure(store, { runId: 'r3', candidateId: candidate.id, error: { Error: 'States.Timeout' } });
    const stray = await recordFailure(store, { runId: 'r3', candidateId: 'dense-d9-w9-000', error: { Error: 'States.Timeout' } });

    expect(kept.recorded).toBe(false);
    expect(stray.recorded).toBe(false);
    expect(await getText(store, keys.candidate('r3', candidate.id))).toBe(before);
    expect(await store.list(keys.candidatesPrefix('r3'))).toEqual([keys.candidate('r3', candidate.id)]);
  });

  it('replaces the old failure of a candidate a resumed run retrained, but never a success', async () => {
    const { store, manifest } = await plannedStore('r4');
    const [a, b] = manifest.candidates;
    await recordFailure(store, { runId: 'r4', candidateId: a!.id, error: { Error: 'WorkerCrashedError', Cause: 'first' } });
    await putJson(store, keys.candidate('r4', b!.id), craftedDoc('r4', b!, [0.8], 21));

    const again = await recordFailure(store, { runId: 'r4', candidateId: a!.id, retrain: true, error: { Error: 'States.Timeout', Cause: 'second' } });
    const success = await recordFailure(store, { runId: 'r4', candidateId: b!.id, retrain: true, error: { Error: 'States.Timeout', Cause: 'late' } });

    expect(again.recorded).toBe(true);
    expect((await getJson<{ error: unknown }>(store, keys.candidate('r4', a!.id))).error).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/^timed out: /) });
    expect(success.recorded).toBe(false);
    expect((await getJson<{ status: string }>(store, keys.candidate('r4', b!.id))).status).toBe('succeeded');
  });
});

describe('caughtReason', () => {
  it('reads the message out of a Lambda error Cause, or keeps the Cause as it is', () => {
    expect(caughtReason({ Error: 'TransientError', Cause: '{"errorType":"TransientError","errorMessage":"S3 throttled"}' })).toBe('TransientError: S3 throttled');
    expect(caughtReason({ Error: 'States.Timeout', Cause: 'ran too long' })).toBe('States.Timeout: ran too long');
  });

  it('says which limit a timeout hit and which setting to change', () => {
    expect(timeoutMessage('candidate dense-d1-w8-abc ran longer than 60 s', 840)).toBe(
      "timed out: a Train task ran past its 60 s limit (locally --train-timeout, default 900 s; deployed, the Train function's timeout, -c trainTimeoutMinutes); " +
        'training.maxTaskSeconds (840 s) is not below it, so the task never handed over: set it below 60 s, or raise the limit',
    );
    expect(timeoutMessage('Task timed out after 900.02 seconds', 840)).toMatch(/ran past its 900 s limit .*after training\.maxTaskSeconds \(840 s\), but only between epochs: lower it/);
    expect(caughtReason({})).toBe('Error');
  });
  it('a halving candidate that fails in a later round replaces its document of the round before (so the round is finished)', async () => {
    // Arrange: round 1 of 2 is open with candidate a, whose round-0 document succeeded
    const { store, manifest } = await plannedStore('r-halving');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.halving('r-halving'), {
      schema: 'layerbench.halving.v1',
      runId: 'r-halving',
      strategy: 'halving',
      eta: 2,
      minEpochs: 1,
      budgets: [1, 2],
      trials: 1,
      brackets: [{ startRound: 0, candidates: [a!.id, b!.id] }],
      budget: null,
      rounds: [
        { round: 0, epochs: 1, candidates: [a!.id, b!.id] },
        { round: 1, epochs: 2, candidates: [a!.id] },
      ],
      stopped: null,
    });
    await putJson(store, keys.candidate('r-halving', a!.id), { ...craftedDoc('r-halving', a!, [0.8], 100), rung: { round: 0, epochs: 1, rounds: 2 } });

    // Act
    const out = await recordFailure(store, { runId: 'r-halving', candidateId: a!.id, error: { Error: 'States.Timeout', Cause: 'ran too long' } }, { now: NOW });

    // Assert
    expect(out.recorded).toBe(true);
    const doc = candidateDocSchema.parse(await getJson(store, keys.candidate('r-halving', a!.id)));
    expect(doc).toMatchObject({ status: 'failed', rung: { round: 1, epochs: 2, rounds: 2 } });
  });
});
