export { renderDefinition, trainState, placeholderArn, type AslDefinition, type AslState, type RenderedDefinition, type RenderOptions, type TaskName } from './definition.js';
export { runLocal, type ProgressEvent, type RunLocalOptions, type RunLocalResult } from './local.js';
export { defaultWorkers, TrainPool, WorkerTaskError, type TrainPoolOptions } from './pool.js';
