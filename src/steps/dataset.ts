/** The dataset a sweep names, wherever it lives (a store key, a local file, an S3 URI), parsed once per process. */
import { loadDataset, type LoadedDataset } from '../data/load.js';
import type { DatasetSpec } from '../spec/schema.js';
import { resolveDatasetLocation } from '../store/open.js';
import type { Store } from '../store/store.js';

export async function loadSweepDataset(store: Store, ds: DatasetSpec): Promise<LoadedDataset> {
  const at = await resolveDatasetLocation(store, ds.key);
  return loadDataset(at.store, { ...ds, key: at.key });
}
