export type { ArraySet, DataInfo, SplitData } from './types.js';
export { parseDataset } from './parse.js';
export type { ArrayDataset, ParsedDataset, ParseReport, RowOrder, SeriesDataset, TabularDataset } from './dataset.js';
export { arrayScale } from './arrays.js';
export { columnRoles, DEFAULT_MAX_CATEGORIES, IDENTIFIER_MIN_ROWS, ROLES, type ColumnRole, type Role } from './roles.js';
export { DATE_FORMATS, DATE_PARTS, dateFormatOf, readDate, type DateFormat, type DatePart } from './dates.js';
export { isMissing, MISSING_MARKERS, parseNumber } from './cells.js';
export { classLabel, labelKind, sortLabels, type FeatureColumn, type LabelKind } from './columns.js';
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
export { fitPreprocessing, targetRow } from './preprocess.js';
export { encode, outputToOriginal, type Encoded, type Source, type UnknownCategory } from './encode.js';
export {
  MISSING_CATEGORY,
  OTHER_CATEGORY,
  parsePreprocessing,
  preprocessingSchema,
  PREPROCESSING_SCHEMA,
  PREPROCESSING_SCHEMA_V1,
  type Preprocessing,
} from './preprocessing-schema.js';
export { readArrayRows, readCsvRows } from './read-rows.js';
export { datasetInfo } from './info.js';
export { baselineDoc, baselineName, baselineScore, type BaselineName, type BaselineScore } from './baseline.js';
export { dataSummary } from './summary.js';
export { clearDatasetCache, datasetVersion, loadDataset, type LoadedDataset } from './load.js';
export { decodeNpy, decodeNpz, encodeNpy, encodeNpz, NPY_DTYPES, type NpyArray, type NpyDtype, type NpzEntry } from './npy.js';
export { readCsv, type CsvTable } from './csv.js';
