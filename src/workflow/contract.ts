/**
 * The workflow's contract: what the deployed state machine (infra/, built with aws-cdk-lib) and the
 * code it runs (the step functions, the local runner, `layerbench status`) must agree on — the state
 * names, the marker that makes the Aggregate function run Promote, and the payloads the states pass.
 *
 * It imports nothing at run time (the payload types are re-exported as types only), so reading or
 * running a workflow never loads aws-cdk-lib: infra/ imports this module, and src/ never imports infra/.
 */

/** State names: the local runner binds its handlers to the Task states by these names; status reads Plan's output by its name. */
export const STATE = {
  plan: 'Plan',
  map: 'TrainCandidates',
  train: 'Train',
  recordFailure: 'RecordFailure',
  aggregate: 'Aggregate',
  finalize: 'Finalize',
  moreRounds: 'MoreRounds',
  promote: 'Promote',
  trained: 'Trained',
  report: 'Report',
} as const;
export type StateName = (typeof STATE)[keyof typeof STATE];

/** The Task states that each invoke one step function (Promote runs in the Aggregate function). */
export const TASK_NAMES = ['Plan', 'Train', 'RecordFailure', 'Aggregate', 'Finalize', 'Report'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** The Promote payload's marker (`{ step: "promote", runs }`): the deployed Aggregate function runs Promote when it sees it. */
export const PROMOTE_STEP = 'promote';

/** The payloads, each parsed at its step's boundary with the schema beside it (src/steps/types.ts). */
export type {
  AggregateInput,
  AggregateOutput,
  CaughtFailure,
  FinalizeInput,
  FinalizeOutput,
  PlanInput,
  PlanOutput,
  PromoteInput,
  ReportInput,
  ReportOutput,
  RunRef,
  RunSummary,
  TrainOutput,
  WorkItem,
} from '../steps/types.js';
