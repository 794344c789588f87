/**
 * A model's preprocessing beside it: `preprocessing.json` (layerbench.preprocessing.v1) under the same
 * prefix as model.json, so whoever loads a saved model also finds how to prepare rows for it.
 */
import { parsePreprocessing, type Preprocessing } from '../data/preprocessing-schema.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { joinPrefix } from './model.js';

export const PREPROCESSING_FILE = 'preprocessing.json';

/** Write `preprocessing.json` under `prefix`; returns its key. */
export async function savePreprocessing(store: Store, prefix: string, prep: Preprocessing): Promise<string> {
  const key = joinPrefix(prefix, PREPROCESSING_FILE);
  await putJson(store, key, prep);
  return key;
}

/** Read and validate the `preprocessing.json` under `prefix` (a DataError names what is wrong). */
export async function loadPreprocessing(store: Store, prefix: string): Promise<Preprocessing> {
  const key = joinPrefix(prefix, PREPROCESSING_FILE);
  return parsePreprocessing(await getJson(store, key), key);
}
