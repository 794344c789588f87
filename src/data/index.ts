export type { ArraySet, DataInfo, SplitData } from './types.js';
export {
  MAX_CATEGORIES,
  parseDataset,
  sortLabels,
  type ArrayDataset,
  type FeatureColumn,
  type ParsedDataset,
  type SeriesDataset,
  type TabularDataset,
} from './parse.js';
export { foldIndices, materialise, moments, splitDataset, splitSeed, targetRow, type FoldIndices, type Moments } from './split.js';
export { datasetInfo } from './info.js';
export { clearDatasetCache, datasetVersion, loadDataset, type LoadedDataset } from './load.js';
export { decodeNpy, decodeNpz, encodeNpy, encodeNpz, NPY_DTYPES, type NpyArray, type NpyDtype, type NpzEntry } from './npy.js';
export { isMissing, parseNumber, readCsv, type CsvTable } from './csv.js';
