/**
 * The dataset a sweep names, parsed once per process. What it may name depends on who runs:
 *  - `store` (the default: the deployed functions, and any step not told otherwise): a key under
 *    `datasets/` in the store only (src/store/keys.ts confinedDatasetKey) — no absolute path, no
 *    `.`/`..` segment, no URI, no other prefix — so a sweep cannot make a function read its own
 *    filesystem, another bucket, or the store's sweeps, runs and models;
 *  - `anywhere` (the CLI and the local runner, for files of the user's own): `s3://bucket/key`, a
 *    local path (absolute, `file://`, `./…`, or a relative path that exists), or a key under
 *    `datasets/` in the store (src/store/open.ts resolveDatasetLocation). The store itself is read
 *    under `datasets/` only, as in the cloud.
 * NPY labels (`dataset.labelsKey`) lie beside the inputs: under `datasets/` when those are in the
 * store, else a plain relative key in the inputs' directory.
 */
import type { ParsedDataset } from '../data/dataset.js';
import { loadDataset, loadPrepared, type LoadedDataset } from '../data/load.js';
import { DataError } from '../errors.js';
import { confinedDatasetKey, relativeKey } from '../store/keys.js';
import type { DatasetSpec } from '../sweep/schema.js';
import { resolveDatasetLocation } from '../store/open.js';
import type { Store } from '../store/store.js';

export { confinedDatasetKey };

export type DatasetScope = 'anywhere' | 'store';

export async function loadSweepDataset(store: Store, ds: DatasetSpec, opts: { scope?: DatasetScope } = {}): Promise<LoadedDataset> {
  const at = (opts.scope ?? 'store') === 'store' ? { store, key: confinedDatasetKey(ds.key), inStore: true } : await resolveDatasetLocation(store, ds.key);
  const labels = ds.labelsKey === undefined ? {} : { labelsKey: at.inStore ? confinedDatasetKey(ds.labelsKey, 'dataset.labelsKey') : relativeKey(ds.labelsKey, 'dataset.labelsKey') };
  return loadDataset(at.store, { ...ds, key: at.key, ...labels });
}

/**
 * The dataset a Train or Finalize task trains on: its prepared form (src/data/prepared.ts) when Plan
 * wrote one and it is still there, else the dataset itself, read and parsed — and then it must still
 * be the version the run was planned on.
 */
export async function plannedDataset(store: Store, ds: DatasetSpec, planned: { runId: string; version: string; prepared?: string }, opts: { scope?: DatasetScope } = {}): Promise<ParsedDataset> {
  if (planned.prepared !== undefined) {
    const prepared = await loadPrepared(store, planned.prepared);
    if (prepared) return prepared;
  }
  const { parsed, version } = await loadSweepDataset(store, ds, opts);
  if (version !== planned.version) throw new DataError(`${ds.key}: changed since run ${planned.runId} was planned (version ${planned.version}, now ${version})`);
  return parsed;
}
