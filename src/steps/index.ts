export type {
  AggregateInput,
  AggregateOutput,
  CaughtFailure,
  FinalizeInput,
  FinalizeOutput,
  PlanInput,
  PlanOutput,
  PlanResult,
  PromoteInput,
  ReportInput,
  ReportOutput,
  RunRef,
  RunSummary,
  TrainOutput,
  WorkItem,
} from './types.js';
export { plan, planOutput, runIdFor, type PlanLimits, type PlanOptions } from './plan.js';
export { train, type TrainOptions } from './train.js';
export { aggregate, type AggregateOptions } from './aggregate.js';
export { caughtReason, recordFailure, type RecordFailureOptions, type RecordFailureOutput } from './record-failure.js';
export { finalize, medianBestEpoch, type FinalizeOptions } from './finalize.js';
export { report } from './report.js';
export { readRunDocuments, type RunDocuments } from './documents.js';
export { findCandidate, readManifest, RUN_ID, RUN_SCHEMA, runManifestSchema, TRIGGERS, type RunManifest, type Trigger } from '../results/manifest.js';
export { confinedDatasetKey, loadSweepDataset, type DatasetScope } from './dataset.js';
export { promote, type PromoteOptions } from './promote.js';
export { parsePayload } from './types.js';
