/** What a deployment refuses to run (stack context guardrails) and where a deployed step may read data from. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boundedMessage, excerpt, SpecError } from '../src/errors.js';
import { confinedDatasetKey } from '../src/steps/dataset.js';
import { plan } from '../src/steps/plan.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { putJson } from '../src/store/store.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const CSV = `a,b,label\n${Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'yes' : 'no'}`).join('\n')}\n`;

async function storeWithSweep(overrides: Record<string, unknown> = {}): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-guardrails-'));
  dirs.push(dir);
  const store = new LocalStore(join(dir, 'store'));
  await store.put('datasets/a.csv', CSV);
  await putJson(store, keys.sweep('alpha'), {
    name: 'alpha',
    dataset: { key: 'datasets/a.csv', task: 'binary', target: 'label' },
    model: { family: 'dense', depth: [1, 2], width: [4, 64] },
    training: { epochs: 50 },
    ...overrides,
  });
  return store;
}

const input = { trigger: 'upload' as const, key: keys.sweep('alpha'), etag: 'e1' };

describe('guardrails (stack context)', () => {
  it('refuses more epochs than allowed, naming the field and the context key, writing nothing', async () => {
    const store = await storeWithSweep();
    const err = await plan(store, input, { limits: { maxEpochs: 20 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toBe('training.epochs: 50 is more than this deployment allows (20, stack context maxEpochs)');
    expect(await store.list('runs/')).toEqual([]);
    expect(await store.list('plans/')).toEqual([]);
  });

  it("refuses a training.maxTaskSeconds above the Train task's timeout, which would stop the task before it checkpoints", async () => {
    const store = await storeWithSweep({ training: { epochs: 5, maxTaskSeconds: 1200 } });
    await expect(plan(store, input, { trainTimeoutSeconds: 900 })).rejects.toThrow(
      /^training\.maxTaskSeconds: 1200 is more than the Train task's timeout \(900 s\), which would stop it before it checkpoints; use at most 900$/,
    );
    expect(await store.list('runs/')).toEqual([]);
    const ok = await plan(await storeWithSweep({ training: { epochs: 5, maxTaskSeconds: 900 } }), input, { trainTimeoutSeconds: 900 });
    expect(ok.runs).toHaveLength(1);
    // The default (840 s) is no request: under a shorter timeout its tasks hand over before they are stopped.
    const byDefault = await plan(await storeWithSweep({ training: { epochs: 5 } }), input, { trainTimeoutSeconds: 600 });
    expect(byDefault.runs).toHaveLength(1);
  });

  it('refuses more candidates per run than allowed', async () => {
    const store = await storeWithSweep();
    await expect(plan(store, input, { limits: { maxCandidates: 3 } })).rejects.toThrow(
      /^search: the sweep expands to 4 candidates, more than this deployment allows in one run \(3, stack context maxCandidatesPerRun\)$/,
    );
    expect(await store.list('runs/')).toEqual([]);
  });

  it('refuses a candidate with more parameters than allowed, naming the largest', async () => {
    const store = await storeWithSweep();
    // depth 2 × width 64 on 2 features: 2·64+64 + 64·64+64 + 64+1 = 4,417 parameters.
    await expect(plan(store, input, { limits: { maxParameters: 4000 } })).rejects.toThrow(
      /^model: candidate depth 2 width 64 has 4,417 parameters, more than this deployment allows per candidate \(4,000, stack context maxParametersPerCandidate\)$/,
    );
    const ok = await plan(store, input, { limits: { maxParameters: 4417, maxCandidates: 4, maxEpochs: 50 } });
    expect(ok.itemCount).toBe(4);
  });
});

describe('confinement of dataset.key to datasets/ (issue 21: the code that reads it, not only the CLI)', () => {
  const refusal = (key: string) =>
    `dataset.key: must be a key inside the bucket under datasets/, such as datasets/data.csv (no absolute path, no "." or ".." segment, no URI, no other prefix), got ${excerpt(key)}`;

  it.each([
    '/etc/passwd',
    '../../etc/passwd',
    'datasets/../../x.csv',
    'datasets/../sweeps/alpha.json',
    './datasets/a.csv',
    'file:///etc/passwd',
    's3://other-bucket/x.csv',
    'C:\\data\\x.csv',
    'datasets//a.csv',
    'sweeps/alpha.json',
    'runs/r1/run.json',
    'history/alpha/r1.json',
    'a.csv',
    'datasets/',
    'datasets/a\u0000.csv',
  ])('refuses %j with a short escaped excerpt of the key alone', (key) => {
    expect(() => confinedDatasetKey(key)).toThrow(SpecError);
    expect(() => confinedDatasetKey(key)).toThrow(refusal(key));
  });

  it('accepts keys under datasets/', () => {
    expect(confinedDatasetKey('datasets/a.csv')).toBe('datasets/a.csv');
    expect(confinedDatasetKey('datasets/2026/nightly/a b.csv')).toBe('datasets/2026/nightly/a b.csv');
  });

  it('Plan, by default (the deployed functions, any step not told otherwise), reads no file outside the store; told "anywhere" (the CLI, the local runner) a local path is allowed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-confine-'));
    dirs.push(dir);
    const outside = join(dir, 'outside.csv');
    await writeFile(outside, CSV);
    const store = await storeWithSweep({ dataset: { key: outside, task: 'binary', target: 'label' } });
    await expect(plan(store, input)).rejects.toThrow(/^dataset\.key: must be a key inside the bucket under datasets\//);
    await expect(plan(store, input, { datasetScope: 'store' })).rejects.toThrow(/^dataset\.key: must be a key inside the bucket under datasets\//);
    expect(await store.list('runs/')).toEqual([]);
    const local = await plan(store, input, { datasetScope: 'anywhere' });
    expect(local.itemCount).toBe(4);
  });

  it('a sweep naming another sweep (a key of the store outside datasets/) is refused in either scope, and the message never quotes the file', async () => {
    const store = await storeWithSweep({ dataset: { key: 'sweeps/alpha.json', task: 'binary', target: 'label' } });
    for (const datasetScope of ['store', 'anywhere'] as const) {
      const err = await plan(store, input, { datasetScope }).catch((e: unknown) => e);
      expect(err, datasetScope).toBeInstanceOf(SpecError);
      expect((err as Error).message).toMatch(/^dataset\.key: /);
      for (const content of ['dense', 'family', 'label', 'binary']) expect((err as Error).message).not.toContain(content); // nothing of the sweep file
      expect(await store.list('runs/')).toEqual([]);
      expect(await store.list('plans/')).toEqual([]);
    }
  });
});

describe('bounded error messages', () => {
  it('bounds what an error message quotes: long quoted text cut to an escaped excerpt, the whole capped', () => {
    const header = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin';
    const message = `x.csv: row 1: column ${JSON.stringify(header)} appears twice`;
    expect(boundedMessage(message)).toBe(`x.csv: row 1: column "root:x:0:0:root:/root:/bin/bash\\ndaemon:x…" appears twice`);
    expect(boundedMessage('y'.repeat(1000))).toHaveLength(401);
    expect(boundedMessage('column "a" is not a number')).toBe('column "a" is not a number');
  });
});
