/**
 * One classification of failures (issue 21, src/errors.ts), seen where it matters: what the workflow
 * retries and what stops a run at once. A full disk, a read-only file system, a permission, a missing
 * bucket and refused credentials are a StoreError with the real message and a hint — never retried
 * (before, a full disk was retried for ~11 minutes and its message never printed, and bad credentials
 * read "Unknown: UnknownError"); too many open files, throttling, 5xx and an unreachable service are a
 * TransientError, retried.
 *
 * Faults on disk are injected (errno errors from node:fs/promises, for files under the store's
 * directory only); S3's are real: an s3rver refusing wrong credentials and answering for a bucket that
 * does not exist.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRetryable, StoreError, TransientError } from '../src/errors.js';
import { recordFailure } from '../src/steps/record-failure.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { S3Store } from '../src/store/s3.js';
import { putJson } from '../src/store/store.js';
import { runLocal, type ProgressEvent } from '../src/workflow/local.js';
import { cli } from './helpers/cli.js';
import { craftedManifest } from './helpers/docs.js';
import { fakeTrainerForTests } from './helpers/fake-trainer.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
import { separableCsv } from './helpers/tiny-sweep.js';

/** Fault injection: an errno error for every file operation on a path under `under` that contains `matching`. */
const fault = vi.hoisted(() => ({ code: undefined as string | undefined, under: '/nowhere', matching: '', times: Number.POSITIVE_INFINITY }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const injected =
    <A extends unknown[], R>(f: (path: never, ...rest: A) => Promise<R>) =>
    async (path: unknown, ...rest: A): Promise<R> => {
      if (fault.code && fault.times > 0 && typeof path === 'string' && path.startsWith(fault.under) && path.includes(fault.matching)) {
        fault.times--;
        throw Object.assign(new Error(`${fault.code}: injected fault, open '${path}'`), { code: fault.code });
      }
      return f(path as never, ...rest);
    };
  const patched = { ...fs, writeFile: injected(fs.writeFile), readFile: injected(fs.readFile), rename: injected(fs.rename), link: injected(fs.link) };
  return { ...patched, default: patched };
});

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
afterEach(() => {
  fault.code = undefined;
  fault.matching = '';
  fault.times = Number.POSITIVE_INFINITY;
  vi.unstubAllEnvs();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-failures-'));
  dirs.push(dir);
  return dir;
}

function injectUnder(dir: string, code: string, matching = '', times = Number.POSITIVE_INFINITY): void {
  Object.assign(fault, { code, under: dir, matching, times });
}

describe('the local store: errno errors classified', () => {
  it.each([
    ['ENOSPC', 'E_DISK_FULL', 'the disk is full (ENOSPC); free space on the disk that holds the store, or use another store'],
    ['EDQUOT', 'E_DISK_FULL', 'the disk is full (EDQUOT)'],
    ['EROFS', 'E_READ_ONLY', 'the file system is read-only (EROFS); the store must be on a writable file system'],
    ['EACCES', 'E_PERMISSION', "permission denied (EACCES); this user (or the function's role) needs to read and write the store"],
    ['EPERM', 'E_PERMISSION', 'permission denied (EPERM)'],
  ])('%s writing is a StoreError %s with a hint, never retried', async (code, errorCode, said) => {
    const dir = await tempDir();
    const store = new LocalStore(dir);
    injectUnder(dir, code);

    const err = await store.put('runs/r/candidates/a.json', '{}').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ name: 'StoreError', code: errorCode, kind: 'fatal', exitCode: 2 });
    expect((err as Error).message).toContain(`${join(dir, 'runs', 'r', 'candidates', 'a.json')}: cannot write: ${said}`);
    expect(isRetryable(err)).toBe(false);
  });

  it.each(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN'])('%s is a TransientError: retried', async (code) => {
    const dir = await tempDir();
    injectUnder(dir, code);
    const err = await new LocalStore(dir).put('a.json', '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(isRetryable(err)).toBe(true);
  });

  it('reading: a permission is a StoreError naming the file, a missing file a NotFoundError', async () => {
    const dir = await tempDir();
    const store = new LocalStore(dir);
    await store.put('a.json', '{}');
    injectUnder(dir, 'EACCES');
    await expect(store.get('a.json')).rejects.toMatchObject({
      code: 'E_PERMISSION',
      message: `${join(dir, 'a.json')}: cannot read: permission denied (EACCES); this user (or the function's role) needs to read and write the store`,
    });
    fault.code = undefined;
    await expect(store.get('b.json')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('the local workflow: a full disk stops the run at once, with its message', () => {
  async function sweepStore(): Promise<{ dir: string; store: LocalStore }> {
    const dir = await tempDir();
    const store = new LocalStore(dir);
    await store.put('datasets/ab.csv', separableCsv(80, 3));
    await putJson(store, keys.sweep('disk'), {
      name: 'disk',
      dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'label' },
      model: { family: 'dense', depth: [1, 2], width: [4, 8] },
      training: { epochs: 2 },
    });
    return { dir, store };
  }

  it('ENOSPC writing a candidate document: no retry, no candidate recorded as failed, the execution fails with the real message and the hint', async () => {
    const { dir, store } = await sweepStore();
    const events: ProgressEvent[] = [];
    const attempts = new Map<string, number>();
    const trainer = fakeTrainerForTests(store);
    injectUnder(dir, 'ENOSPC', '/candidates/');

    const err = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('disk') },
      workers: 1,
      retryIntervalMs: 10,
      testTrainer: (item) => {
        attempts.set(item.candidateId, (attempts.get(item.candidateId) ?? 0) + 1);
        return trainer(item);
      },
      onProgress: (e) => events.push(e),
    }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(
      /\/candidates\/dense-d\d-w\d-[0-9a-f]+\.json: cannot write: the disk is full \(ENOSPC\); free space on the disk that holds the store, or use another store$/,
    );
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect([...attempts.values()].every((n) => n === 1)).toBe(true); // tried once each, never again
    const [runDir] = await readdir(join(dir, 'runs'));
    expect(await readdir(join(dir, 'runs', runDir!, 'candidates'))).toEqual([]); // nothing half-written
    expect(await readdir(join(dir, 'runs', runDir!))).not.toContain('leaderboard.json');
  });

  it('EMFILE (too many open files) once: retried, announced with the real error, and the run succeeds', async () => {
    const { dir, store } = await sweepStore();
    const events: ProgressEvent[] = [];
    injectUnder(dir, 'EMFILE', '/candidates/', 1);

    const result = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('disk') },
      workers: 1,
      retryIntervalMs: 10,
      testTrainer: fakeTrainerForTests(store),
      onProgress: (e) => events.push(e),
    });

    expect(result.runs[0]).toMatchObject({ succeeded: 4, failed: 0 });
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, error: expect.stringMatching(/^TransientError: .*\/candidates\/.*: cannot write \(EMFILE\)$/) });
  });

  it('RecordFailure passes a StoreError a Train task met on (the cloud: the Catch hands it over) instead of recording the candidate failed', async () => {
    const dir = await tempDir();
    const store = new LocalStore(dir);
    const manifest = craftedManifest('r1');
    await putJson(store, keys.runManifest('r1'), manifest);
    const cause = JSON.stringify({
      errorType: 'StoreError',
      errorMessage: 'runs/r1/x.json: cannot write: the disk is full (ENOSPC); free space on the disk that holds the store, or use another store',
    });

    const err = await recordFailure(store, { runId: 'r1', candidateId: manifest.candidates[0]!.id, error: { Error: 'StoreError', Cause: cause } }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toBe('runs/r1/x.json: cannot write: the disk is full (ENOSPC); free space on the disk that holds the store, or use another store');
    expect(await store.exists(keys.candidate('r1', manifest.candidates[0]!.id))).toBe(false);
  });
});

describe('S3: refused credentials and a missing bucket (a real s3rver)', () => {
  let s3: S3rverHandle;
  let wrong: S3Client;
  beforeAll(async () => {
    s3 = await startS3rver({ mode: 'in-process' });
    await new S3Store({ bucket: s3.bucket, prefix: 'p', client: s3.client }).put('datasets/ab.csv', separableCsv(40, 1));
    wrong = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' },
    });
  });
  afterAll(async () => {
    wrong?.destroy();
    await s3?.stop();
  });

  it('wrong credentials: get, put, list and even a HEAD (no body, once "Unknown: UnknownError") say the credentials were refused, with the hint', async () => {
    const store = new S3Store({ bucket: s3.bucket, prefix: 'p', client: wrong });
    const hint = 'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE';
    for (const attempt of [() => store.get('datasets/ab.csv'), () => store.put('runs/x.json', '{}'), () => store.list('datasets/'), () => store.exists('datasets/ab.csv')]) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'E_CREDENTIALS', kind: 'fatal' });
      expect((err as Error).message).toContain(`the AWS credentials were refused (`);
      expect((err as Error).message).toContain(hint);
      expect((err as Error).message).not.toContain('UnknownError');
      expect(isRetryable(err)).toBe(false);
    }
  });

  it('a missing bucket: a read, a write, and a HEAD (404 as for a missing key) say the bucket does not exist', async () => {
    const store = new S3Store({ bucket: 'no-such-bucket', prefix: 'p', client: s3.client });
    for (const attempt of [() => store.get('datasets/ab.csv'), () => store.put('runs/x.json', '{}'), () => store.version('datasets/ab.csv'), () => store.exists('datasets/ab.csv')]) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: 'StoreError', code: 'E_NO_BUCKET' });
      expect((err as Error).message).toContain('the bucket does not exist (NoSuchBucket: ');
      expect((err as Error).message).toContain('create it, or correct the bucket name in the store URI');
    }
  });

  it('the CLI: plan on a bucket with wrong credentials is one line, exit 2, nothing written', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'x'), { recursive: true });
    await writeFile(
      join(dir, 'sweep.json'),
      JSON.stringify({ name: 'creds', dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'label' }, model: { family: 'dense', depth: [1], width: [2] } }),
    );
    for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'WRONG');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'WRONG');
    const before = await new S3Store({ bucket: s3.bucket, client: s3.client }).list('');

    const out = await cli('plan', join(dir, 'sweep.json'), '--store', `s3://${s3.bucket}/p`);

    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    const lines = out.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^layerbench: head s3:\/\/layerbench-test\/p\/datasets\/ab\.csv: the AWS credentials were refused \(access denied, HTTP 403 without an error code: the credentials are wrong or may not use this bucket\); check AWS_ACCESS_KEY_ID/,
    );
    expect(await new S3Store({ bucket: s3.bucket, client: s3.client }).list('')).toEqual(before);
  });
});
