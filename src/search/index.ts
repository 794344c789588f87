export type { SearchStrategy, SearchState, Round, RoundResult, RoundContext, Schedule, ScheduledRound } from './strategy.js';
export { strategyFor } from './strategies.js';
export { expandCandidates, searchPoints } from './candidates.js';
export { grid, gridPoints } from './grid.js';
export { random } from './random.js';
export * from './halving/index.js';
