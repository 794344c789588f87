/**
 * Reading a dataset from a store, parsed once per process: a worker trains many candidates on the same
 * data, so parsed datasets are cached by (store location, dataset spec, content version).
 */
import { canonicalJson } from '../sweep/candidate.js';
import type { DatasetSpec } from '../sweep/schema.js';
import type { Store } from '../store/store.js';
import { parseDataset } from './parse.js';
import type { ParsedDataset } from './dataset.js';
import { decodePrepared, encodePrepared, preparedKey } from './prepared.js';

export interface LoadedDataset {
  parsed: ParsedDataset;
  /** The content version: store.version(key); for npy also the labels file's (`<x>+<labels>`). */
  version: string;
}

/** How many parsed datasets a process keeps (least recently used goes first). */
const CACHE_SIZE = 4;
const cache = new Map<string, Promise<LoadedDataset>>();

/** The version of the data a spec reads: it changes whenever any file the dataset reads changes. */
export async function datasetVersion(store: Store, ds: DatasetSpec): Promise<string> {
  const v = await store.version(ds.key);
  if (ds.format !== 'npy' || ds.labelsKey === undefined) return v;
  return `${v}+${await store.version(ds.labelsKey)}`;
}

/** Read and parse a dataset from `store` (the key is a store key; resolving URIs is the caller's job). */
export async function loadDataset(store: Store, ds: DatasetSpec): Promise<LoadedDataset> {
  const version = await datasetVersion(store, ds);
  const id = `${store.location}\u0000${version}\u0000${canonicalJson(ds)}`;
  const hit = cache.get(id);
  if (hit) {
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const loading = (async (): Promise<LoadedDataset> => {
    const bytes = await store.get(ds.key);
    const labels = ds.format === 'npy' && ds.labelsKey !== undefined ? await store.get(ds.labelsKey) : undefined;
    return { parsed: parseDataset(ds, bytes, { labels }), version };
  })();
  cache.set(id, loading);
  loading.catch(() => cache.delete(id));
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return loading;
}

const preparedCache = new Map<string, Promise<ParsedDataset | undefined>>();

/**
 * A prepared dataset (prepared.ts) from the store, cached per process like parsed ones; undefined when
 * there is none or it cannot be read (expired, cut short): the caller reads the dataset itself then.
 */
export async function loadPrepared(store: Store, key: string): Promise<ParsedDataset | undefined> {
  const id = `${store.location}\u0000${key}`;
  let loading = preparedCache.get(id);
  if (loading) {
    preparedCache.delete(id);
  } else {
    loading = (async () => {
      if (!(await store.exists(key))) return undefined;
      try {
        return decodePrepared(await store.get(key), key);
      } catch (err) {
        if ((err as { code?: string }).code === 'E_PREPARED') return undefined;
        throw err;
      }
    })();
    loading.catch(() => preparedCache.delete(id));
  }
  preparedCache.set(id, loading);
  while (preparedCache.size > CACHE_SIZE) preparedCache.delete(preparedCache.keys().next().value!);
  const parsed = await loading;
  if (parsed === undefined) preparedCache.delete(id);
  return parsed;
}

/**
 * Write a dataset's prepared form; its key. Written again by every run that uses it (the same bytes), so
 * that the bucket's lifecycle rule, which expires prepared data a week after it was written, does not
 * take it from a run that just started.
 */
export async function savePrepared(store: Store, ds: DatasetSpec, loaded: LoadedDataset): Promise<string> {
  const key = preparedKey(ds, loaded.version);
  await store.put(key, encodePrepared(loaded.parsed), 'application/octet-stream');
  return key;
}

/** Forget every cached dataset (tests, or a long-lived process that wants the memory back). */
export function clearDatasetCache(): void {
  cache.clear();
  preparedCache.clear();
}
