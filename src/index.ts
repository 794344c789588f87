/** layerbench's public library surface. Only re-exports: each concept lives in its own module. */
export * from './errors.js';
export { parseSweep, parseSweepText, formatIssue, formatPath } from './sweep/load.js';
export {
  sweepSpecSchema,
  sweepJsonSchema,
  rankingMetric,
  higherIsBetter,
  HALVING_STRATEGIES,
  type SweepSpec,
  type SweepSpecInput,
  type DatasetSpec,
  type ModelSpec,
  type TrainingSpec,
  type EvaluationSpec,
  type SearchSpec,
  type MetricName,
  type Task,
} from './sweep/schema.js';
export { candidateSchema, layerUnits, type Candidate } from './sweep/candidate.js';
export { expandCandidates, searchPoints } from './search/candidates.js';
export { candidateDocSchema, CANDIDATE_DOC_SCHEMA, type CandidateDoc, type Trial, type EpochRecord, type LayerSummary } from './results/document.js';
export { baselineDocSchema, BASELINE_SCHEMA, type BaselineDoc } from './results/baseline.js';
export { dataSummarySchema, DATA_SUMMARY_SCHEMA, type DataSummary, type FeatureSummary } from './results/data-summary.js';
export { type Store, getText, getJson, putJson } from './store/store.js';
export { keys } from './store/keys.js';
export { LocalStore } from './store/local.js';
export { S3Store } from './store/s3.js';
export { openStore, parseS3Uri } from './store/open.js';
export {
  loadDataset,
  parseDataset,
  splitDataset,
  datasetInfo,
  dataLayout,
  holdOutTest,
  foldIndices,
  refitData,
  readCsv,
  decodeNpy,
  decodeNpz,
  fitPreprocessing,
  encode,
  readCsvRows,
  readArrayRows,
  outputToOriginal,
  parsePreprocessing,
  preprocessingSchema,
  PREPROCESSING_SCHEMA,
  MISSING_CATEGORY,
  MISSING_MARKERS,
  baselineDoc,
  baselineScore,
  dataSummary,
  type ArraySet,
  type DataInfo,
  type SplitData,
  type ParsedDataset,
  type Preprocessing,
  type Encoded,
  type Source,
} from './data/index.js';
export {
  saveModelToStore,
  loadModelFromStore,
  savePreprocessing,
  loadPreprocessing,
  PREPROCESSING_FILE,
  loadPredictor,
  predictionCsv,
  Predictor,
  modelCard,
  type SavedModelKeys,
  type LoadPredictorOptions,
  type Prediction,
  type PredictOptions,
  type PredictorModel,
} from './artifacts/index.js';
export { finalModelDocSchema, FINAL_MODEL_SCHEMA, type FinalModelDoc } from './results/final-model.js';
export { buildModel, layerSummaries } from './model/build.js';
export { expectedParamCount } from './model/params.js';
export { selectBackend, currentBackend } from './train/backend.js';
export { trainCandidate, trainCandidateResumable, failedDoc, type TrainArgs, type ResumableArgs, type TrainProgress } from './train/train.js';
export { refitCandidate, type RefitArgs, type RefitResult } from './train/refit.js';
export { candidateCheckpointSchema, CHECKPOINT_SCHEMA, encodeCheckpoint, decodeCheckpoint, type CandidateCheckpoint } from './train/checkpoint.js';
export { strategyFor, type SearchStrategy, type Schedule } from './search/index.js';
export { halvingShape, rankRung, assignBrackets, halvingProblems, DEFAULT_ETA, type HalvingShape } from './search/halving/index.js';
export { halvingStateSchema, HALVING_SCHEMA, readHalvingState, type HalvingState } from './results/halving.js';
export { PRICES, priceTable, priceTableSchema, parsePriceOverrides, type PriceTable, type PriceOverrides } from './cost/prices.js';
export { candidateCost, runCost, type CostEstimate, type RunCost } from './cost/estimate.js';
export { registerWasmKernels } from './kernels/index.js';
export * from './steps/index.js';
export { runLocal, definitionFromTemplate, STATE, type RunLocalOptions, type RunLocalResult } from './workflow/index.js';
export { buildLeaderboard } from './results/leaderboard-build.js';
export { LEADERBOARD_COLUMNS, leaderboardCsv } from './results/leaderboard-csv.js';
export {
  LEADERBOARD_SCHEMA,
  LEADERBOARD_SCHEMA_V2,
  LEADERBOARD_SCHEMA_V1,
  leaderboardSchema,
  type FailedRow,
  type Leaderboard,
  type LeaderboardRow,
  type LeaderboardTest,
  type MissingResult,
} from './results/leaderboard.js';
export { parseLeaderboard } from './results/leaderboard-read.js';
export { analyzeRun, type RunAnalysis, type RankedCandidate, type TestScore } from './results/analysis.js';
export { answerWords, DECISION_RULE, type AnswerWords } from './results/verdict.js';
export { learningCurveDocSchema, LEARNING_CURVE_SCHEMA, curvePlanSchema, CURVE_PLAN_SCHEMA, readLearningCurve, type LearningCurveDoc, type CurvePlan } from './results/learning-curve.js';
export * as stats from './stats/index.js';
export { writeRunReport, kerasCode } from './report/index.js';
export { leaderboardMarkdown } from './report/leaderboard-text.js';
