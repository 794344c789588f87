/**
 * Reading a dataset from a store, parsed once per process: a worker trains many candidates on the same
 * data, so parsed datasets are cached by (store location, dataset spec, content version).
 */
import { canonicalJson } from '../sweep/candidate.js';
import type { DatasetSpec } from '../sweep/schema.js';
import type { Store } from '../store/store.js';
import { parseDataset } from './parse.js';
import type { ParsedDataset } from './dataset.js';

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

/** Forget every cached dataset (tests, or a long-lived process that wants the memory back). */
export function clearDatasetCache(): void {
  cache.clear();
}
