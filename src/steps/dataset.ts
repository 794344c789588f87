/**
 * The dataset a sweep names, parsed once per process. Where it may live depends on who runs:
 *  - `anywhere` (the CLI, the local runner): a store key, a local file path, `file://` or `s3://` — the
 *    CLI's users point at their own files;
 *  - `store` (the deployed functions): a key inside the store's bucket only — no absolute path, no
 *    `.`/`..` segment, no URI scheme — so an uploaded sweep cannot make a function read its own
 *    filesystem or another bucket.
 */
import { loadDataset, type LoadedDataset } from '../data/load.js';
import { excerpt, SpecError } from '../errors.js';
import type { DatasetSpec } from '../sweep/schema.js';
import { resolveDatasetLocation } from '../store/open.js';
import type { Store } from '../store/store.js';

export type DatasetScope = 'anywhere' | 'store';

export async function loadSweepDataset(store: Store, ds: DatasetSpec, opts: { scope?: DatasetScope } = {}): Promise<LoadedDataset> {
  // NPY labels are read beside the inputs (in the store, or in the inputs' directory): a key there, never a path out of it.
  const labels = ds.labelsKey === undefined ? {} : { labelsKey: confinedDatasetKey(ds.labelsKey, 'dataset.labelsKey') };
  if (opts.scope === 'store') return loadDataset(store, { ...ds, key: confinedDatasetKey(ds.key), ...labels });
  const at = await resolveDatasetLocation(store, ds.key);
  return loadDataset(at.store, { ...ds, key: at.key, ...labels });
}

/** The key itself when it names an object inside the store; a SpecError naming `field` and quoting a short escaped excerpt otherwise. */
export function confinedDatasetKey(key: string, field = 'dataset.key'): string {
  const segments = key.split('/');
  const bad =
    /^[a-z][a-z0-9+.-]*:/i.test(key) || // a scheme (s3:, file:, http:) or a drive letter
    key.startsWith('/') ||
    key.includes('\\') ||
    /[\u0000-\u001f]/.test(key) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new SpecError(`${field}: must be a key inside the bucket such as datasets/data.csv (no absolute path, no "." or ".." segment, no URI), got ${excerpt(key)}`);
  return key;
}
