/** layerbench's statistics: distributions, summaries, intervals, paired comparisons and the decision rule. */
export * from './distributions.js';
export * from './summary.js';
export * from './trials.js';
export * from './blocks.js';
export * from './compare.js';
export * from './intervals.js';
export * from './decision.js';
export * from './shared-rows.js';
export * from './test-rows.js';
export * from './power-law.js';
