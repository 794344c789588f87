export { PROMOTE_STEP, STATE, TASK_NAMES, type StateName, type TaskName } from './contract.js';
export { definitionFromTemplate, localDefinition, trainState, type AslDefinition, type AslState, type RenderOptions } from './asl.js';
export { runLocal, type ProgressEvent, type RunLocalOptions, type RunLocalResult } from './local.js';
export { defaultWorkers, TrainPool, WorkerTaskError, type TrainPoolOptions } from './pool.js';
