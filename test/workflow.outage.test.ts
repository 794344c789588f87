/**
 * Retries by the book, proven against a real outage: the local workflow runs a sweep on an s3rver
 * bucket; when the first Train task starts, the s3rver process is stopped, and 60 seconds later it is
 * started again on the same port and data. The retry pauses are the definition's own (full jitter up
 * to 60 s, 15 attempts; no override), so this shows the deployed schedule outlasting a minute-long
 * store outage: no candidate ends up failed. (Takes a minute and a half or so, by design.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { S3Store } from '../src/store/s3.js';
import { getJson, putJson } from '../src/store/store.js';
import { runLocal, type ProgressEvent } from '../src/workflow/local.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
import { TINY_DATASET_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

const OUTAGE_MS = 60_000;

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v); // the training workers open the bucket from the environment
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await s3?.stop();
});

describe('a 60-second store outage during a local run', () => {
  it('leaves no candidate failed: every task retries through it on the definition’s schedule', async () => {
    const store = new S3Store({ bucket: s3.bucket, prefix: 'outage', client: s3.client });
    await store.put(TINY_DATASET_KEY, tinyWeatherCsv(), 'text/csv');
    await putJson(store, keys.sweep('tiny-weather'), { ...tinySweep, model: { family: 'dense', depth: [1, 2], width: [4, 8] } });
    const timeline: { at: number; event: ProgressEvent }[] = [];
    interface Outage {
      from: number;
      until?: number;
      restarted?: Promise<void>;
    }
    let outage: Outage | undefined;

    const result = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('tiny-weather') },
      workers: 2,
      backend: 'cpu',
      onProgress: (event) => timeline.push({ at: Date.now(), event }),
      beforeTrain: async () => {
        if (outage) return; // tasks start together: only the first one stops the server
        const o: Outage = { from: Date.now() };
        outage = o;
        await s3.interrupt();
        o.restarted = new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)).then(async () => {
          await s3.resume();
          o.until = Date.now();
        });
      },
    });
    await outage?.restarted;

    const run = result.runs[0]!;
    expect(run).toMatchObject({ succeeded: 4, failed: 0 });
    const lb = await getJson<Leaderboard>(store, run.leaderboardKey);
    expect(lb.failed).toEqual([]);
    expect(lb.rows).toHaveLength(4);
    // The outage was real and long: the retries began inside it and the candidates finished after it.
    expect(outage!.until! - outage!.from).toBeGreaterThanOrEqual(OUTAGE_MS);
    const retries = timeline.filter((t) => t.event.type === 'retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]!.at).toBeLessThan(outage!.until!);
    const retried = new Set(retries.map((t) => (t.event as { candidateId: string }).candidateId));
    const finished = timeline.filter((t) => t.event.type === 'candidate' && retried.has(t.event.candidateId));
    expect(finished).toHaveLength(retried.size);
    for (const f of finished) {
      expect(f.event).toMatchObject({ status: 'succeeded' });
      expect(f.at).toBeGreaterThan(outage!.until!);
    }
  }, 300_000);
});
