import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { candidateDocSchema } from '../src/results/document.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { S3Store } from '../src/store/s3.js';
import type { RunResult } from '../src/cli/commands/run.js';
import { getJson, getText } from '../src/store/store.js';
import { separableCsv } from './helpers/tiny-sweep.js';
import { cli } from './helpers/cli.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-cli-run-'));
  dirs.push(dir);
  return dir;
}

let s3: S3rverHandle | undefined;
afterAll(async () => {
  await s3?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

// Separable (label 1 where a + b > 1): every candidate beats the majority class clearly, so a run recommends one.
const CSV = separableCsv(300, 3);

function sweep(overrides: Record<string, unknown> = {}) {
  return {
    name: 'cli-tiny',
    dataset: { key: 'datasets/tiny.csv', task: 'binary', target: 'label' },
    model: { family: 'dense', depth: [1], width: [2, 4] },
    training: { epochs: 30, batchSize: 16, learningRate: 0.05 },
    ...overrides,
  };
}

describe('layerbench run', () => {
  it('rejects an invalid sweep with exit 2 and a line naming the field; nothing is written', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(sweep({ model: { family: 'dense', depth: [1], width: [0] } })));
    const store = join(dir, 'store');
    const { code, stderr } = await cli('run', file, '--store', store);
    expect(code).toBe(2);
    expect(stderr).toBe(`layerbench: ${file}: model.width[0]: must be ≥ 1\n`);
    await expect(readdir(store)).rejects.toThrow(/ENOENT/);
  });

  it('rejects a sweep whose dataset is missing with exit 2, before uploading it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'sweep.json');
    await writeFile(file, JSON.stringify(sweep()));
    const store = join(dir, 'store');
    const { code, stderr } = await cli('run', file, '--store', store, '--workers', '1');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^layerbench: datasets\/tiny\.csv: not found/);
    await expect(readdir(join(store, 'sweeps'))).rejects.toThrow(/ENOENT/);
  });

  it('--json --quiet: one JSON document with the leaderboard and the recommendation on stdout, nothing on stderr', async () => {
    const dir = await tempDir();
    const file = join(dir, 'sweep.json');
    await writeFile(file, JSON.stringify(sweep()));
    const store = join(dir, 'store');
    await new LocalStore(store).put('datasets/tiny.csv', CSV);

    const { code, stdout, stderr } = await cli('run', file, '--store', store, '--workers', '1', '--backend', 'cpu', '--json', '--quiet');

    expect(code).toBe(0);
    expect(stderr).toBe('');
    const result = JSON.parse(stdout) as RunResult;
    expect(result).toMatchObject({ schema: 'layerbench.cli.run.v1', sweep: 'cli-tiny', status: 'succeeded', location: join(store, 'runs', result.runId) });
    expect(result.leaderboard).toEqual(await getJson<Leaderboard>(new LocalStore(store), keys.leaderboard(result.runId, 'json')));
    expect(result.leaderboard.rows).toHaveLength(2);
    expect(result.leaderboard.rows).toContainEqual(result.recommended);
  });

  it('rejects --workers 0 as a usage error', async () => {
    const { code, stderr } = await cli('run', 'whatever.json', '--workers', '0');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--workers <n>.*must be an integer ≥ 1/);
  });
});

describe('layerbench run --store s3://…', () => {
  beforeAll(async () => {
    s3 = await startS3rver();
  });

  it('runs the same workflow on an S3 store: sweep uploaded, documents and leaderboard in the bucket', async () => {
    const bucketStore = new S3Store({ bucket: s3!.bucket, prefix: 'team', client: s3!.client });
    await bucketStore.put('datasets/tiny.csv', CSV);
    const dir = await tempDir();
    const file = join(dir, 'sweep.json');
    await writeFile(file, JSON.stringify(sweep()));
    for (const [k, v] of Object.entries(s3!.env)) vi.stubEnv(k, v);

    const { code, stdout, stderr } = await cli('run', file, '--store', `s3://${s3!.bucket}/team`, '--workers', '1', '--backend', 'cpu');

    expect(stderr).toMatch(/training 2 candidates on 1 worker/);
    expect(code).toBe(0);
    expect(await getText(bucketStore, 'sweeps/cli-tiny.json')).toBe(JSON.stringify(sweep()));
    const runId = /results: s3:\/\/[^/]+\/team\/runs\/([^/]+)\//.exec(stdout)?.[1];
    expect(runId).toMatch(/^cli-tiny-\d{8}-\d{6}-[0-9a-f]{4}$/);
    const lb = await getJson<Leaderboard>(bucketStore, keys.leaderboard(runId!, 'json'));
    expect(lb.rows).toHaveLength(2);
    for (const row of lb.rows) {
      const doc = candidateDocSchema.parse(await getJson(bucketStore, keys.candidate(runId!, row.candidateId)));
      expect(doc.metric.mean).toBe(row.metric.mean);
      expect(doc.backend).toBe('cpu');
      // The table printed on stdout carries each ranked candidate's rank, depth, width and parameters (# depth width params …).
      expect(stdout).toMatch(new RegExp(`^${row.rank}\\s+1\\s+${row.width}\\s+${row.params}\\s`, 'm'));
    }
    // The recommendation names a ranked candidate, and the report it points to is in the bucket.
    const rec = /recommended: depth (\d+), width (\d+) \(\d+ units, (\d+) parameters\)/.exec(stdout);
    expect(rec).not.toBeNull();
    expect(lb.rows.some((r) => r.depth === Number(rec![1]) && r.width === Number(rec![2]) && r.params === Number(rec![3]))).toBe(true);
    expect(await bucketStore.exists(keys.report(runId!, 'html'))).toBe(true);
  });
});
