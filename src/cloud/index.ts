export { cloudClients, CloudError, cloudError, type CloudClients } from './clients.js';
export { executionArn, findStack, STACK_OUTPUTS, stackStore, type DeployedStack } from './stack.js';
export { submitSweep, type SubmitOptions, type SubmitResult } from './submit.js';
export { END_STATUSES, runStatus, type ExecutionState, type RunProgress, type StatusOptions, type StatusResult } from './status.js';
export { fetchResults, resultKeys, type FetchedResults, type ResultsOptions } from './results.js';
