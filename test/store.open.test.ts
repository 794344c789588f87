import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, SpecError } from '../src/errors.js';
import { LocalStore } from '../src/store/local.js';
import { DEFAULT_STORE_DIR, openStore, parseS3Uri, resolveDatasetLocation } from '../src/store/open.js';
import { S3Store } from '../src/store/s3.js';
import { getText } from '../src/store/store.js';

describe('parseS3Uri', () => {
  it.each([
    ['s3://my-bucket', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/a/b/', { bucket: 'my-bucket', prefix: 'a/b' }],
    ['s3://my.bucket.1/runs', { bucket: 'my.bucket.1', prefix: 'runs' }],
  ])('parses %s', (uri, parts) => {
    expect(parseS3Uri(uri)).toEqual(parts);
  });

  it.each(['s3://', 's3:///prefix', 's3://UPPER/x', 's3://ab', 's3://b_ucket', 's3://bucket/a//b', 's3://bucket/../x', 'http://bucket/x'])(
    'refuses %s with a one-line SpecError naming the URI',
    (uri) => {
      let err: unknown;
      try {
        parseS3Uri(uri);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as Error).message).toBe(`${JSON.stringify(uri)}: not an S3 URI, expected s3://bucket/prefix`);
    },
  );
});

describe('openStore', () => {
  it('opens the embedded directory under the cwd by default', () => {
    const store = openStore(undefined, {});
    expect(store).toBeInstanceOf(LocalStore);
    expect(store.location).toBe(resolve(DEFAULT_STORE_DIR));
  });

  it('prefers LAYERBENCH_STORE over the default', () => {
    expect(openStore(undefined, { LAYERBENCH_STORE: '/srv/lb' }).location).toBe('/srv/lb');
    expect(openStore(undefined, { LAYERBENCH_STORE: 's3://env-bucket/p' }).location).toBe('s3://env-bucket/p');
  });

  it('opens an S3 store for s3:// and a directory for anything else', () => {
    const s3 = openStore('s3://some-bucket/runs/');
    expect(s3).toBeInstanceOf(S3Store);
    expect(s3.location).toBe('s3://some-bucket/runs');
    (s3 as S3Store).client.destroy();
    expect(openStore('relative/dir').location).toBe(resolve('relative/dir'));
    expect(openStore('file:///tmp/lb-store').location).toBe('/tmp/lb-store');
  });

  it('refuses other URI schemes and malformed S3 URIs', () => {
    expect(() => openStore('gs://bucket/x')).toThrow(SpecError);
    expect(() => openStore('s3://Bad_Bucket')).toThrow(SpecError);
  });
});

describe('resolveDatasetLocation', () => {
  let root: string;
  let outside: string;
  let store: LocalStore;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'layerbench-open-'));
    store = new LocalStore(join(root, 'store'));
    outside = join(root, 'elsewhere');
    await mkdir(outside);
    await writeFile(join(outside, 'weather.csv'), 'date,temp\n');
    await store.put('datasets/a.csv', 'x,y\n');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps a store key in the store', async () => {
    const loc = await resolveDatasetLocation(store, 'datasets/a.csv');
    expect(loc.store).toBe(store);
    expect(loc.key).toBe('datasets/a.csv');
  });

  it('keeps a missing store key in the store, so reading it names the store', async () => {
    const loc = await resolveDatasetLocation(store, 'datasets/missing.csv');
    expect(loc.store).toBe(store);
    await expect(loc.store.get(loc.key)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('roots a local store at the directory of an absolute or file:// path', async () => {
    for (const ref of [join(outside, 'weather.csv'), `file://${join(outside, 'weather.csv')}`]) {
      const loc = await resolveDatasetLocation(store, ref);
      expect(loc.store.location).toBe(outside);
      expect(loc.key).toBe('weather.csv');
      expect(await getText(loc.store, loc.key)).toBe('date,temp\n');
    }
  });

  it('treats a relative path with . or .. segments, or one that exists only on disk, as a local file', async () => {
    const rel = join('.', 'node_modules', 'vega-datasets', 'package.json');
    const viaDot = await resolveDatasetLocation(store, `./${rel}`);
    expect(viaDot.store.location).toBe(resolve('node_modules/vega-datasets'));
    expect(viaDot.key).toBe('package.json');
    const bare = await resolveDatasetLocation(store, 'node_modules/vega-datasets/package.json');
    expect(bare.store.location).toBe(resolve('node_modules/vega-datasets'));
    const climbing = await resolveDatasetLocation(store, `${outside}/../elsewhere/weather.csv`);
    expect(climbing.store.location).toBe(outside);
  });

  it('points an s3:// reference at that bucket and key', async () => {
    const loc = await resolveDatasetLocation(store, 's3://data-bucket/shared/x.csv');
    expect(loc.store.location).toBe('s3://data-bucket/shared');
    expect(loc.key).toBe('x.csv');
    (loc.store as S3Store).client.destroy();
    await expect(resolveDatasetLocation(store, 's3://data-bucket/')).rejects.toBeInstanceOf(SpecError);
  });
});
