export type { ArraySet, DataInfo, SplitData } from './types.js';
export {
  arrayScale,
  IDENTIFIER_MIN_ROWS,
  MAX_CATEGORIES,
  parseDataset,
  type ArrayDataset,
  type ParsedDataset,
  type ParseReport,
  type SeriesDataset,
  type TabularDataset,
} from './parse.js';
export {
  classLabel,
  isMissing,
  labelKind,
  MISSING_MARKERS,
  parseNumber,
  sortLabels,
  type FeatureColumn,
  type LabelKind,
} from './columns.js';
export {
  dataLayout,
  foldIndices,
  holdOutTest,
  infoOf,
  materialise,
  refitData,
  splitDataset,
  splitId,
  splitSeed,
  testSeed,
  type DataLayout,
  type FoldIndices,
  type Materialised,
  type TestSplit,
} from './split.js';
export {
  encode,
  fitPreprocessing,
  MISSING_CATEGORY,
  outputToOriginal,
  parsePreprocessing,
  preprocessingSchema,
  PREPROCESSING_SCHEMA,
  readArrayRows,
  readCsvRows,
  targetRow,
  type Encoded,
  type Preprocessing,
  type Source,
  type UnknownCategory,
} from './preprocess.js';
export { datasetInfo } from './info.js';
export { baselineDoc, baselineName, baselineScore, type BaselineName, type BaselineScore } from './baseline.js';
export { dataSummary } from './summary.js';
export { clearDatasetCache, datasetVersion, loadDataset, type LoadedDataset } from './load.js';
export { decodeNpy, decodeNpz, encodeNpy, encodeNpz, NPY_DTYPES, type NpyArray, type NpyDtype, type NpzEntry } from './npy.js';
export { readCsv, type CsvTable } from './csv.js';
