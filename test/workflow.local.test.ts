import { describe, expect, it } from 'vitest';
import { NotFoundError, TransientError } from '../src/errors.js';
import { candidateDocSchema, type CandidateDoc } from '../src/results/document.js';
import { finalModelDocSchema } from '../src/results/final-model.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { readManifest } from '../src/results/manifest.js';
import type { WorkItem } from '../src/steps/types.js';
import { keys } from '../src/store/keys.js';
import { getJson, getText, putJson } from '../src/store/store.js';
import { runLocal, type ProgressEvent } from '../src/workflow/local.js';
import { tempStores } from './helpers/temp-store.js';

const tempStore = tempStores('local-run');

/** 160 rows, 3 features; label = a + b > 1 (seeded LCG, no Math.random). */
function syntheticCsv(): string {
  let s = 12345;
  const r = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 160; i++) {
    const [a, b, c] = [r(), r(), r()];
    rows.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a + b > 1 ? 'yes' : 'no'}`);
  }
  return `${rows.join('\n')}\n`;
}

describe('runLocal', () => {
  it('runs a 4-candidate sweep end to end on 2 workers; a failed candidate is reported and the run succeeds', async () => {
    const store = await tempStore();
    await store.put('datasets/synthetic.csv', syntheticCsv());
    await putJson(store, keys.sweep('synthetic'), {
      name: 'synthetic',
      dataset: { key: 'datasets/synthetic.csv', task: 'binary', target: 'label' },
      model: { family: 'dense', depth: [1, 2], width: [4, 8] },
      training: { epochs: 3, batchSize: 16, learningRate: 0.01 },
    });
    const attempts = new Map<string, number>();
    const events: ProgressEvent[] = [];
    // Fault injection at the Train binding: d2-w8 crashes every time (→ Catch); d1-w4 is throttled once (→ Retry).
    const beforeTrain = (item: WorkItem) => {
      const n = (attempts.get(item.candidateId) ?? 0) + 1;
      attempts.set(item.candidateId, n);
      if (item.candidateId.startsWith('dense-d2-w8-')) throw Object.assign(new Error('worker ran out of memory'), { name: 'InjectedCrash' });
      if (item.candidateId.startsWith('dense-d1-w4-') && n === 1) throw new TransientError('throttled');
    };

    const result = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('synthetic') },
      workers: 2,
      backend: 'cpu',
      beforeTrain,
      retryIntervalMs: 10,
      onProgress: (e) => events.push(e),
    });

    const run = result.runs[0]!;
    expect(result.runs).toHaveLength(1);
    expect(run).toMatchObject({ sweep: 'synthetic', succeeded: 3, failed: 1, leaderboardKey: keys.leaderboard(run.runId, 'json') });
    expect(result.definition.States.TrainCandidates?.MaxConcurrency).toBe(2);

    // The leaderboard's order is the order of the candidate documents' metric means (ties: fewer parameters).
    const manifest = await readManifest(store, run.runId);
    const docs: CandidateDoc[] = [];
    for (const c of manifest.candidates) docs.push(candidateDocSchema.parse(await getJson(store, keys.candidate(run.runId, c.id))));
    const succeeded = docs.filter((d) => d.status === 'succeeded');
    expect(succeeded).toHaveLength(3);
    for (const d of succeeded) expect(d.backend).toBe('cpu');
    const expected = [...succeeded].sort((x, y) => y.metric.mean! - x.metric.mean! || x.parameterCount! - y.parameterCount!).map((d) => d.candidate.id);
    const lb = await getJson<Leaderboard>(store, run.leaderboardKey);
    expect(lb.rows.map((r) => r.candidateId)).toEqual(expected);
    expect(lb.rows.map((r) => r.metric.mean)).toEqual(expected.map((id) => succeeded.find((d) => d.candidate.id === id)!.metric.mean));
    expect(run.best).toEqual({ candidateId: expected[0], metric: 'accuracy', value: lb.rows[0]!.metric.mean });

    // The crashed candidate: caught, recorded with its reason, in the leaderboard's failures.
    const crashed = manifest.candidates.find((c) => c.depth === 2 && c.width === 8)!;
    expect(lb.failed).toEqual([{ candidateId: crashed.id, depth: 2, width: 8, reason: 'InjectedCrash: worker ran out of memory' }]);
    expect(docs.find((d) => d.candidate.id === crashed.id)).toMatchObject({ status: 'failed', error: { message: 'InjectedCrash: worker ran out of memory' } });
    expect(await store.exists(keys.leaderboard(run.runId, 'csv'))).toBe(true);
    expect(await store.exists(keys.leaderboard(run.runId, 'md'))).toBe(true);

    // Retry: the throttled candidate ran twice; the crashed one once (its error is not one the Retry matches).
    const throttled = manifest.candidates.find((c) => c.depth === 1 && c.width === 4)!;
    expect(attempts.get(throttled.id)).toBe(2);
    expect(attempts.get(crashed.id)).toBe(1);

    // Progress: planned 4, then one event per candidate, one retry.
    expect(events[0]).toMatchObject({ type: 'planned', total: 4 });
    const done = events.filter((e) => e.type === 'candidate');
    expect(done.map((e) => e.candidateId).sort()).toEqual(manifest.candidates.map((c) => c.id).sort());
    expect(done.find((e) => e.candidateId === crashed.id)).toMatchObject({ status: 'failed', reason: 'InjectedCrash: worker ran out of memory' });
    expect(events.filter((e) => e.type === 'retry')).toEqual([{ type: 'retry', candidateId: throttled.id, attempt: 1, error: expect.stringContaining('TransientError') }]);

    // Finalize ran after Aggregate, in a worker: the recommended candidate refit and saved as the final model.
    expect(events.map((e) => e.type).filter((t) => t === 'aggregating' || t === 'finalizing')).toEqual(['aggregating', 'finalizing']);
    expect(run.finalModel).toEqual({ key: keys.finalModelDoc(run.runId), status: 'succeeded' });
    const final = finalModelDocSchema.parse(await getJson(store, keys.finalModelDoc(run.runId)));
    expect(final).toMatchObject({ candidateId: run.recommended, status: 'succeeded', backend: 'cpu', trainRows: 128, test: { rows: 32 } });
    // The model, its weights, preprocessing, card and final.json from Finalize; the Keras script (model.py) from Report.
    expect((await store.list(keys.finalModel(run.runId))).map((k) => k.slice(keys.finalModel(run.runId).length)).sort()).toEqual([
      'README.md',
      'final.json',
      'model.json',
      'model.py',
      'preprocessing.json',
      'weights.bin',
    ]);
    expect(run.reportKey).toBe(keys.report(run.runId, 'html'));
    // Report wrote the leaderboard again: it now carries the final model's test score; the report names the model.
    const after = await getJson<Leaderboard>(store, run.leaderboardKey);
    // The final model's score on 32 test rows, with the interval of its score on new rows (its per-row results kept in blocks).
    expect(after.recommended?.finalTest).toMatchObject({ metric: final.test!.metric, n: 1, rows: 32 });
    expect(final.test!.blocks!.sums).toHaveLength(32);
    expect(after.recommended!.finalTest!.ci95![0]).toBeLessThan(final.test!.metric);
    expect(await getText(store, keys.report(run.runId, 'md'))).toContain(`**Final model** — runs/${run.runId}/model/:`);
  });

  it('a Finalize that fails outright is caught: Report still runs and the run says why', async () => {
    const store = await tempStore();
    await store.put('datasets/synthetic.csv', syntheticCsv());
    await putJson(store, keys.sweep('synthetic'), {
      name: 'synthetic',
      dataset: { key: 'datasets/synthetic.csv', task: 'binary', target: 'label' },
      model: { family: 'dense', depth: [1], width: [4] },
      training: { epochs: 2, batchSize: 16, learningRate: 0.01 },
    });
    let finalizeAttempts = 0;
    const result = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('synthetic') },
      workers: 1,
      backend: 'cpu',
      retryIntervalMs: 10,
      beforeFinalize: () => {
        finalizeAttempts++;
        throw Object.assign(new Error('the refit worker was killed'), { name: 'InjectedCrash' });
      },
    });
    const run = result.runs[0]!;
    expect(finalizeAttempts).toBe(1); // not a transient error: no Retry, straight to the Catch
    expect(run.finalModel).toEqual({
      key: keys.finalModelDoc(run.runId),
      status: 'failed',
      error: 'the Finalize step failed: InjectedCrash: the refit worker was killed',
    });
    expect(run.reportKey).toBe(keys.report(run.runId, 'html'));
    expect(await getText(store, keys.report(run.runId, 'md'))).toContain(
      "**Final model** — The final model failed: the Finalize step failed: InjectedCrash: the refit worker was killed. The candidates' own models below still predict.",
    );
    expect(await store.exists(keys.finalModelDoc(run.runId))).toBe(false);
  });

  it('fails the execution with the step error when Plan cannot read the sweep', async () => {
    const store = await tempStore();
    const err = await runLocal({ store, input: { trigger: 'cli', key: 'sweeps/missing.json' }, workers: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/^sweeps\/missing\.json: not found/);
    expect(await store.list('runs/')).toEqual([]);
  });
});
