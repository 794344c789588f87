export { halving, hyperband } from './strategy.js';
export { DEFAULT_ETA, MAX_ROUNDS, floorLog, halvingProblems, halvingShape, keepCount, firstRoundEpochs, scheduledRounds, scheduledEpochs, type HalvingShape, type BracketShape } from './shape.js';
export { promoted, rankRung, type RungEntry } from './promotion.js';
export { assignBrackets, decideRound, openRound, roundsDone, startRounds } from './rounds.js';
