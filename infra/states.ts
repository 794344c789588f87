/**
 * The workflow's state names, without the CDK: the local runner binds its handlers to the Task
 * states by these names and loads this module, not aws-cdk-lib (infra/workflow.ts re-exports it).
 */
export const STATE = {
  plan: 'Plan',
  map: 'TrainCandidates',
  train: 'Train',
  recordFailure: 'RecordFailure',
  aggregate: 'Aggregate',
  finalize: 'Finalize',
  moreRounds: 'MoreRounds',
  promote: 'Promote',
  trainAgain: 'TrainAgain',
  trained: 'Trained',
  report: 'Report',
} as const;
