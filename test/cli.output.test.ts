/**
 * What `layerbench run` prints when a run is done, as text snapshots of fixed runs (crafted
 * documents, no training) so that a change of layout shows up as a diff of
 * test/__snapshots__/cli.output.*.txt: a run with a recommendation, a baseline, a final model, a data
 * summary and a timed-out candidate (recorded by the real RecordFailure step); a run whose answer is
 * the baseline; and a run where every candidate failed. Every line is at most 100 columns.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishedRunText } from '../src/cli/output.js';
import { NO_RECOMMENDATION } from '../src/errors.js';
import { TERMINAL_COLUMNS } from '../src/report/wrap.js';
import type { CandidateDoc } from '../src/results/document.js';
import { buildLeaderboard } from '../src/results/leaderboard-build.js';
import type { RunExtras } from '../src/results/run-extras.js';
import { RUN_SCHEMA, type RunManifest } from '../src/results/manifest.js';
import { recordFailure } from '../src/steps/record-failure.js';
import type { RunSummary } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson, putJson } from '../src/store/store.js';
import type { SweepSpec } from '../src/sweep/schema.js';
import { CRAFTED_RECOMMENDED, craftedRun } from './fixtures/report/run.js';
import { makeBaseline } from './fixtures/report/factory.js';
import { allFailed } from './fixtures/report/shapes.js';

// A fixed relative path, so that lines wrap the same way on every machine.
const dir = join('test-artifacts', 'cli-output-store');
let store: LocalStore;

beforeAll(async () => {
  await rm(dir, { recursive: true, force: true });
  store = new LocalStore(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Put a run's documents in the store as the workflow leaves them; `timedOut`: candidates whose Train task timed out instead. */
async function storeRun(runId: string, run: { spec: SweepSpec; docs: CandidateDoc[]; extras: RunExtras }, timedOut: string[] = []): Promise<void> {
  const manifest: RunManifest = {
    schema: RUN_SCHEMA,
    runId,
    sweep: run.spec,
    trigger: 'cli',
    dataset: { key: run.spec.dataset.key, version: 'v1' },
    candidates: run.docs.map((d) => d.candidate),
    createdAt: '2026-03-01T00:00:00.000Z',
    ...(run.extras.data ? { data: run.extras.data } : {}),
  };
  await putJson(store, keys.runManifest(runId), manifest);
  if (run.extras.baseline) await putJson(store, keys.baseline(runId), run.extras.baseline);
  if (run.extras.final) await putJson(store, keys.finalModelDoc(runId), run.extras.final);
  const docs: CandidateDoc[] = [];
  for (const d of run.docs) {
    if (timedOut.includes(d.candidate.id)) {
      await recordFailure(
        store,
        { runId, candidateId: d.candidate.id, error: { Error: 'States.Timeout', Cause: `candidate ${d.candidate.id} ran longer than 60 s` } },
        { now: new Date('2026-03-01T02:00:00.000Z') },
      );
      docs.push(await getJson<CandidateDoc>(store, keys.candidate(runId, d.candidate.id)));
    } else {
      await putJson(store, keys.candidate(runId, d.candidate.id), d);
      docs.push(d);
    }
  }
  await putJson(store, keys.leaderboard(runId, 'json'), buildLeaderboard(manifest, docs, [], '2026-03-01T02:10:00.000Z', run.extras));
}

async function printed(runId: string, finalModel: RunSummary['finalModel']): Promise<string> {
  return (await finishedRunText(store, { runId, ...(finalModel ? { finalModel } : {}) }, { file: 'sweep.json', seconds: 42 })).text;
}

const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('the terminal after a run', () => {
  it('a run with an answer: data, the leaderboard with verdicts and a timed-out candidate, the answer, the final model', async () => {
    const run = craftedRun('crafted-1');
    const timedOut = run.docs.find((d) => d.status === 'failed')!.candidate.id;
    await storeRun('crafted-1', run, [timedOut]);
    const text = await printed('crafted-1', { key: keys.finalModelDoc('crafted-1'), status: 'succeeded' });
    await expect(text).toMatchFileSnapshot('__snapshots__/cli.output.answer.txt');
    expect(widest(text)).toBeLessThanOrEqual(TERMINAL_COLUMNS);
    // The verdict column names the recommendation, and the timed-out candidate's row says what to change.
    expect(text).toMatch(/^ *2 +2 +32 +1,441 +0\.840 ± 0\.0037 .*recommended$/m);
    expect(text).toMatch(/^ *– +3 +32 +failed: timed out: a Train task ra…$/m);
    expect(text).toContain(`(${timedOut}): timed out: a Train task ran past its 60 s limit`);
    expect(CRAFTED_RECOMMENDED).toBe('dense-d2-w32-abcdef0123');
  });

  it('a run whose answer is the baseline: no candidate beats it, and no final model is no failure', async () => {
    const run = craftedRun('baseline-1');
    const strong = makeBaseline({ runId: 'baseline-1', values: [0.9, 0.9, 0.9, 0.9, 0.9], test: { metric: 0.9, rows: 250 } });
    await storeRun('baseline-1', { ...run, extras: { baseline: strong, final: null, data: run.extras.data } });
    const text = await printed('baseline-1', {
      key: keys.finalModelDoc('baseline-1'),
      status: 'failed',
      code: NO_RECOMMENDATION,
      error: 'no candidate beats the baseline; the baseline is the answer',
    });
    await expect(text).toMatchFileSnapshot('__snapshots__/cli.output.baseline.txt');
    expect(widest(text)).toBeLessThanOrEqual(TERMINAL_COLUMNS);
    expect(text).toContain('final model: none — no candidate beats the baseline; the baseline is the answer');
    expect(text).not.toContain('final model: failed');
  });

  it('a run where every candidate failed says only that: the count, the most common reason, where the results are', async () => {
    await storeRun('failed-1', allFailed('failed-1'));
    const text = await printed('failed-1', undefined);
    await expect(text).toMatchFileSnapshot('__snapshots__/cli.output.all-failed.txt');
    expect(widest(text)).toBeLessThanOrEqual(TERMINAL_COLUMNS);
    expect(text).not.toMatch(/beat|baseline|final model|test —|recommended/);
  });
});
