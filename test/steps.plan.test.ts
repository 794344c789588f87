import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, SpecError } from '../src/errors.js';
import { failedCandidateDoc, type CandidateFailureKind } from '../src/results/document.js';
import { readTaskContext } from '../src/steps/train-context.js';
import { plan, planOutput } from '../src/steps/plan.js';
import { readManifest, RUN_SCHEMA } from '../src/results/manifest.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { baselineDocSchema } from '../src/results/baseline.js';
import { getJson, putJson } from '../src/store/store.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const CSV = `a,b,label\n${Array.from({ length: 30 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'yes' : 'no'}`).join('\n')}\n`;

function sweep(name: string, datasetKey: string, widths = [4, 8]) {
  return { name, dataset: { key: datasetKey, task: 'binary', target: 'label' }, model: { family: 'dense', depth: [1], width: widths } };
}

async function storeWith(sweeps: ReturnType<typeof sweep>[], datasets = ['datasets/a.csv']): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-plan-'));
  dirs.push(dir);
  const store = new LocalStore(dir);
  for (const d of datasets) await store.put(d, CSV);
  for (const s of sweeps) await putJson(store, keys.sweep(s.name), s);
  return store;
}

const NOW = new Date('2026-03-04T05:06:07.890Z');

/** A failed candidate document of the given failure kind, for a candidate of a planned run. */
async function failedDocFor(store: LocalStore, runId: string, candidateId: string, kind: CandidateFailureKind) {
  const candidate = (await readManifest(store, runId)).candidates.find((c) => c.id === candidateId)!;
  const at = NOW.toISOString();
  return failedCandidateDoc({ runId, candidate, error: { kind, code: 'E_TEST', message: `failed: ${kind}` }, startedAt: at, finishedAt: at });
}

describe('plan', () => {
  it('plans a sweep key: one run, its manifest, one item per candidate', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv')]);
    const out = await plan(store, { trigger: 'cli', key: 'sweeps/alpha.json' }, { now: NOW });
    expect(out.runs).toHaveLength(1);
    const { runId } = out.runs[0]!;
    expect(runId).toMatch(/^alpha-20260304-050607-[0-9a-f]{4}$/);
    const manifest = await readManifest(store, runId);
    expect(manifest).toMatchObject({ schema: RUN_SCHEMA, runId, trigger: 'cli', triggerKey: 'sweeps/alpha.json', createdAt: NOW.toISOString() });
    expect(manifest.dataset).toEqual({ key: 'datasets/a.csv', version: await store.version('datasets/a.csv') });
    expect(manifest.candidates.map((c) => c.width)).toEqual([4, 8]);
    // One item per candidate, the largest network (width 8) first so the longest candidates start early.
    expect(out.items).toEqual([...manifest.candidates].reverse().map((c) => ({ runId, candidateId: c.id, candidate: c })));
    expect(out.runs[0]).toEqual({ runId, sweep: 'alpha', candidates: 2 });
    // The items are in the store, where the Map's ItemReader reads them; the state payload names their key.
    expect(out.itemsKey).toMatch(/^plans\/20260304-050607-[0-9a-f]{8}\.json$/);
    expect(await getJson(store, out.itemsKey)).toEqual(out.items);
    expect(planOutput(out)).toEqual({ runs: out.runs, itemsKey: out.itemsKey, itemCount: 2 });
    // What every Train task of the run reads instead of run.json and the CSV: the run's context and the parsed data.
    const context = await readTaskContext(store, out.items[0]!);
    expect(context.context.dataset).toMatchObject(manifest.dataset);
    expect(context.context.dataset.prepared).toMatch(/^prepared\/[0-9a-f]{32}\.bin$/);
    expect(await store.exists(context.context.dataset.prepared!)).toBe(true);
  });

  it('maps a duplicated upload event onto the same run, and plans nothing the second time', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv')]);
    const event = { trigger: 'upload' as const, key: 'sweeps/alpha.json', etag: '"e1"' };
    const first = await plan(store, event, { now: NOW });
    const second = await plan(store, event, { now: new Date('2026-03-05T00:00:00Z') });
    expect(first.items).toHaveLength(2);
    expect(second.runs).toEqual([{ runId: first.runs[0]!.runId, sweep: 'alpha', candidates: 2, duplicate: true }]);
    expect(second.items).toEqual([]);
    expect((await store.list('runs/')).filter((k) => k.endsWith('run.json'))).toHaveLength(1);
    // A new version of the object is a new run.
    const third = await plan(store, { ...event, etag: '"e2"' }, { now: NOW });
    expect(third.runs[0]!.runId).not.toBe(first.runs[0]!.runId);
    expect(third.items).toHaveLength(2);
  });

  it('of duplicate events arriving together exactly one plans the run; the others are duplicates with no items', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv')]);
    const event = { trigger: 'upload' as const, key: 'sweeps/alpha.json', etag: '"e1"' };

    const outs = await Promise.all(Array.from({ length: 6 }, () => plan(store, event, { now: NOW })));

    const owners = outs.filter((o) => !o.runs[0]!.duplicate);
    expect(owners).toHaveLength(1);
    expect(owners[0]!.items).toHaveLength(2);
    for (const o of outs.filter((x) => x !== owners[0])) {
      expect(o.runs).toEqual([{ runId: owners[0]!.runs[0]!.runId, sweep: 'alpha', candidates: 2, duplicate: true }]);
      expect(o.items).toEqual([]);
    }
    expect((await store.list('runs/')).filter((k) => k.endsWith('run.json'))).toHaveLength(1);
    // Each execution has its own item list: a duplicate's empty one cannot overwrite the owner's.
    expect(new Set(outs.map((o) => o.itemsKey)).size).toBe(6);
    expect(await getJson(store, owners[0]!.itemsKey)).toHaveLength(2);
  });

  it('a second delivery of the nightly schedule plans nothing; naming the run resumes it', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv')]);
    const first = await plan(store, { trigger: 'schedule' }, { now: NOW });
    const again = await plan(store, { trigger: 'schedule' }, { now: NOW });
    const resumed = await plan(store, { trigger: 'schedule', runId: first.runs[0]!.runId }, { now: NOW });
    expect(first.runs).toEqual([{ runId: 'alpha-nightly-2026-03-04', sweep: 'alpha', candidates: 2 }]);
    expect(again.runs).toEqual([{ ...first.runs[0], duplicate: true }]);
    expect(again.items).toEqual([]);
    expect(resumed.runs).toEqual(first.runs);
    expect(resumed.items).toEqual(first.items);
  });

  it('re-runs every registered sweep that uses an uploaded dataset, and only those', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv'), sweep('beta', 'datasets/a.csv', [2]), sweep('gamma', 'datasets/b.csv')], ['datasets/a.csv', 'datasets/b.csv']);
    const out = await plan(store, { trigger: 'upload', key: 'datasets/a.csv', etag: '"v7"' }, { now: NOW });
    expect(out.runs.map((r) => r.sweep).sort()).toEqual(['alpha', 'beta']);
    expect(out.items).toHaveLength(3);
    for (const r of out.runs) expect(r.runId).toMatch(new RegExp(`^${r.sweep}-upload-[0-9a-f]{12}$`));
  });

  it('finds an uploaded object whose key the event URL-encoded, as S3 does', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/my data (2).csv')], ['datasets/my data (2).csv']);
    const out = await plan(store, { trigger: 'upload', key: 'datasets/my+data+%282%29.csv', etag: '"v1"' }, { now: NOW });
    expect(out.runs.map((r) => r.sweep)).toEqual(['alpha']);
    expect(out.items).toHaveLength(out.runs[0]!.candidates);
    expect(out.items.length).toBeGreaterThan(0);
  });

  it('runs every registered sweep on the schedule, skipping one that no longer validates', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv'), sweep('beta', 'datasets/a.csv', [2])]);
    await store.put('sweeps/broken.json', '{"name": "broken"}');
    const out = await plan(store, { trigger: 'schedule' }, { now: NOW });
    expect(out.runs.map((r) => r.runId).sort()).toEqual(['alpha-nightly-2026-03-04', 'beta-nightly-2026-03-04']);
    expect(out.skipped).toEqual([{ key: 'sweeps/broken.json', reason: expect.stringMatching(/^sweeps\/broken\.json: dataset: is required/) }]);
  });

  it('resumes a run: candidates whose documents exist are not planned again', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv', [2, 4, 8])]);
    const input = { trigger: 'cli' as const, key: 'sweeps/alpha.json', runId: 'resume-me' };
    const first = await plan(store, input, { now: NOW });
    expect(first.items).toHaveLength(3);
    const doneId = first.items[1]!.candidateId;
    await putJson(store, keys.candidate('resume-me', doneId), await failedDocFor(store, 'resume-me', doneId, 'candidate'));
    const again = await plan(store, input, { now: NOW });
    expect(again.runs).toEqual([{ runId: 'resume-me', sweep: 'alpha', candidates: 3 }]);
    expect(again.items.map((i) => i.candidateId)).toEqual(first.items.filter((i) => i.candidateId !== doneId).map((i) => i.candidateId));
    expect(again.warnings).toBeUndefined();
  });

  it('resumes a run: crashed and transient failures and unreadable documents are trained again, the last with a warning', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv', [2, 4, 8, 16])]);
    const input = { trigger: 'cli' as const, key: 'sweeps/alpha.json', runId: 'resume-kinds' };
    const [a, b, c, d] = (await plan(store, input, { now: NOW })).items.map((i) => i.candidateId) as [string, string, string, string];
    await putJson(store, keys.candidate('resume-kinds', a), await failedDocFor(store, 'resume-kinds', a, 'crashed'));
    await putJson(store, keys.candidate('resume-kinds', b), await failedDocFor(store, 'resume-kinds', b, 'transient'));
    await putJson(store, keys.candidate('resume-kinds', c), await failedDocFor(store, 'resume-kinds', c, 'timeout'));
    await store.put(keys.candidate('resume-kinds', d), '{"schema": "layerbench.candidate.v1", "runId": "resu');

    const again = await plan(store, input, { now: NOW });

    expect(again.items.map((i) => [i.candidateId, i.retrain]).sort()).toEqual(
      [
        [a, true],
        [b, true],
        [d, true],
      ].sort(),
    );
    expect(again.warnings).toEqual([expect.stringMatching(new RegExp(`^runs/resume-kinds/candidates/${d}\\.json: unreadable \\(not JSON: .*\\); training ${d} again$`))]);
  });

  it('resumes a run with retryFailed: every failed candidate is trained again', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv', [2, 4])]);
    const input = { trigger: 'cli' as const, key: 'sweeps/alpha.json', runId: 'resume-all' };
    const [a, b] = (await plan(store, input, { now: NOW })).items.map((i) => i.candidateId) as [string, string];
    await putJson(store, keys.candidate('resume-all', a), await failedDocFor(store, 'resume-all', a, 'candidate'));
    await putJson(store, keys.candidate('resume-all', b), await failedDocFor(store, 'resume-all', b, 'timeout'));

    const plain = await plan(store, input, { now: NOW });
    const all = await plan(store, { ...input, retryFailed: true }, { now: NOW });

    expect(plain.items).toEqual([]);
    expect(all.items.map((i) => i.candidateId).sort()).toEqual([a, b].sort());
  });

  it('refuses to resume a run id with a different sweep', async () => {
    const store = await storeWith([sweep('alpha', 'datasets/a.csv')]);
    await plan(store, { trigger: 'cli', key: 'sweeps/alpha.json', runId: 'taken' });
    await putJson(store, keys.sweep('alpha'), sweep('alpha', 'datasets/a.csv', [16]));
    await expect(plan(store, { trigger: 'cli', key: 'sweeps/alpha.json', runId: 'taken' })).rejects.toThrow(/run taken already exists with a different sweep/);
  });

  it('fails on a bad sweep with a message naming the field, writing nothing', async () => {
    const store = await storeWith([]);
    await store.put('sweeps/bad.json', JSON.stringify({ ...sweep('bad', 'datasets/a.csv'), model: { family: 'dense', depth: [0], width: [4] } }));
    const err = await plan(store, { trigger: 'upload', key: 'sweeps/bad.json', etag: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toBe('sweeps/bad.json: model.depth[0]: must be ≥ 1');
    expect(await store.list('runs/')).toEqual([]);
  });

  it('fails on a sweep whose data does not fit it, writing nothing', async () => {
    const store = await storeWith([{ ...sweep('alpha', 'datasets/a.csv'), dataset: { key: 'datasets/a.csv', task: 'binary', target: 'nope' } }]);
    await expect(plan(store, { trigger: 'cli', key: 'sweeps/alpha.json' })).rejects.toBeInstanceOf(DataError);
    expect(await store.list('runs/')).toEqual([]);
  });

  it('fails on too little data for the splits (more folds than rows of a class), writing nothing', async () => {
    const kfold = { ...sweep('alpha', 'datasets/a.csv'), evaluation: { strategy: 'kfold', folds: 20 } };
    const store = await storeWith([kfold]);
    await expect(plan(store, { trigger: 'cli', key: 'sweeps/alpha.json' })).rejects.toThrow(
      'datasets/a.csv: class "no" has 12 rows after the test split, fewer than evaluation.folds (20); use fewer folds or a holdout split',
    );
    expect(await store.list('runs/')).toEqual([]);
  });

  it('writes the baseline on the candidates’ splits and the data summary into run.json', async () => {
    const repeated = { ...sweep('alpha', 'datasets/a.csv'), evaluation: { repeats: 2 } };
    const store = await storeWith([repeated]);
    const { runs } = await plan(store, { trigger: 'cli', key: 'sweeps/alpha.json', runId: 'with-data' });
    const baseline = baselineDocSchema.parse(await getJson(store, keys.baseline(runs[0]!.runId)));
    expect(baseline).toMatchObject({ runId: 'with-data', name: 'majority class', metric: { name: 'accuracy', higherIsBetter: true } });
    expect(baseline.trials.map((t) => [t.repeat, t.fold])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(baseline.test!.rows).toBe(6);
    const manifest = await readManifest(store, 'with-data');
    // 30 rows, 15 of each class: 6 held out for the test split, 24 left, 5 of them validate each repeat.
    expect(manifest.data).toMatchObject({
      schema: 'layerbench.data.v2',
      rowsRead: 30,
      rowsUsed: 30,
      missing: 'impute',
      features: [
        { kind: 'numeric', name: 'a', imputed: 0, indicator: false },
        { kind: 'numeric', name: 'b', imputed: 0, indicator: false },
      ],
      encodedWidth: 2,
      target: { kind: 'classes', name: 'label', counts: { no: 15, yes: 15 } },
      splits: { test: 6, testRule: 'stratified random 20 %', train: 19, validation: 5, trials: 2 },
    });
  });

  it('rejects keys outside sweeps/ and datasets/, and a cli run without a key', async () => {
    const store = await storeWith([]);
    await expect(plan(store, { trigger: 'upload', key: 'runs/x/run.json' })).rejects.toThrow(/input\.key: "runs\/x\/run\.json" is neither/);
    await expect(plan(store, { trigger: 'cli' })).rejects.toThrow(/input\.key: is required for a cli run/);
    await expect(plan(store, { trigger: 'cli', key: 'sweeps/a.json', runId: '../up' })).rejects.toThrow(/input\.runId/);
  });
});
