/** Small builders for model tests: a model spec with defaults, and the data shape a network sees. */
import type { DataInfo } from '../../src/data/types.js';
import { modelSchema, type ModelSpec } from '../../src/sweep/schema.js';

export const model = (m: Partial<ModelSpec> & Pick<ModelSpec, 'family'>): ModelSpec => modelSchema.parse({ depth: [1], width: [1], ...m });

export const info = (task: DataInfo['task'], inputShape: number[], targetDim: number): DataInfo => ({
  task,
  inputShape,
  targetDim,
  rows: 100,
  droppedRows: 0,
});
