/**
 * From a URI to a store: nothing → the embedded local directory, `s3://bucket/prefix` → S3, any other
 * string → a local directory. A dataset may also live outside the store (a local file, an S3 URI).
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, excerpt, SpecError, StoreError } from '../errors.js';
import { confinedDatasetKey, DATASETS_PREFIX } from './keys.js';
import { LocalStore } from './local.js';
import { S3_REGION_HINT, S3Store } from './s3.js';
import type { Store } from './store.js';

/** The embedded default store, relative to the current working directory. */
export const DEFAULT_STORE_DIR = '.layerbench/store';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket[/prefix]` → its parts; the prefix has no leading or trailing '/'. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  const bucket = m?.[1] ?? '';
  const prefix = (m?.[2] ?? '').replace(/\/+$/, '');
  const parts = prefix === '' ? [] : prefix.split('/');
  if (!m || !BUCKET.test(bucket) || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new SpecError(`${JSON.stringify(uri)}: not an S3 URI, expected s3://bucket/prefix`);
  }
  return { bucket, prefix };
}

/**
 * Opens the store a URI names; without one, LAYERBENCH_STORE (from `env`) or `.layerbench/store` under
 * the cwd. An S3 store's client reads the AWS settings from process.env, as the SDK does.
 */
export function openStore(uri?: string, env: NodeJS.ProcessEnv = process.env): Store {
  // An empty --store is a mistake, not "the default": it would quietly use .layerbench/store.
  if (uri !== undefined && uri.trim() === '') throw new SpecError(`--store ${JSON.stringify(uri)}: empty; expected a directory or s3://bucket/prefix`);
  const target = uri || env.LAYERBENCH_STORE || DEFAULT_STORE_DIR;
  if (target.startsWith('s3://')) return new S3Store(parseS3Uri(target));
  // "s3:/bucket", "s3:bucket", "S3://bucket": meant for S3, never a local folder of that name.
  if (/^s3:/i.test(target)) throw new SpecError(`${excerpt(target, 80)}: not an S3 URI, expected s3://bucket/prefix`);
  if (/^file:/i.test(target)) {
    try {
      return new LocalStore(fileURLToPath(target));
    } catch (err) {
      throw new SpecError(`${excerpt(target, 80)}: not a file URL (${errorMessage(err)}), expected a directory or s3://bucket/prefix`);
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\//i.test(target)) {
    throw new SpecError(`${excerpt(target, 80)}: unsupported store, expected a directory or s3://bucket/prefix`);
  }
  return new LocalStore(resolve(target));
}

/**
 * Fails with one line before any work starts when the store cannot be used: a directory that cannot
 * be made or written (see LocalStore.checkWritable), an S3 store with no region to send requests to.
 * Writes nothing.
 */
export async function checkStore(store: Store): Promise<void> {
  if (store instanceof LocalStore) return store.checkWritable();
  if (store instanceof S3Store) {
    try {
      await store.client.config.region();
    } catch (err) {
      throw new StoreError(`store ${store.location}: no AWS region (${errorMessage(err)}); ${S3_REGION_HINT}`, err);
    }
  }
}

/** Open the store a URI names (see openStore) and check it can be used (see checkStore). */
export async function openCheckedStore(uri?: string, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const store = openStore(uri, env);
  await checkStore(store);
  return store;
}

/**
 * Where a dataset reference points, for the CLI and the local runner (the user's own files):
 * `s3://bucket/key` → that object; `file://…`, an absolute path or one with `.` or `..` segments → that
 * local file; a key under `datasets/` → that key in `store` (or, when the store has no such key but a
 * local file of that relative path exists, that file); any other relative path → that local file if it
 * exists. The store itself is read under `datasets/` only (as the deployed functions read it): any other
 * key of the store — a sweep, a run's documents — is never a dataset. `inStore`: the key is the store's.
 */
export async function resolveDatasetLocation(store: Store, key: string): Promise<{ store: Store; key: string; inStore: boolean }> {
  if (key.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Uri(key);
    if (!prefix) throw new SpecError(`${JSON.stringify(key)}: S3 URI names no object`);
    const client = store instanceof S3Store ? store.client : undefined;
    const at = prefix.lastIndexOf('/');
    return {
      store: new S3Store({ bucket, prefix: at < 0 ? '' : prefix.slice(0, at), client }),
      key: prefix.slice(at + 1),
      inStore: false,
    };
  }
  const localFile = (path: string) => ({ store: new LocalStore(dirname(path)), key: basename(path), inStore: false });
  if (key.startsWith('file://')) return localFile(fileURLToPath(key));
  const climbs = key.split(/[/\\]/).some((p) => p === '.' || p === '..');
  if (isAbsolute(key) || climbs) return localFile(resolve(key));
  const storeKey = key.startsWith(DATASETS_PREFIX);
  if (storeKey && (await store.exists(confinedDatasetKey(key)))) return { store, key, inStore: true };
  if (await isFile(resolve(key))) return localFile(resolve(key));
  if (storeKey) return { store, key, inStore: true }; // reading it says it is not in the store
  throw new SpecError(
    `dataset.key: ${excerpt(key, 80)} is neither a key under ${DATASETS_PREFIX} in the store (${store.location}) nor a file here; name a file (./data.csv, an absolute path) or s3://bucket/key`,
  );
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
