/** What training needs to know about a parsed dataset before it builds a model. */
import type { ParsedDataset } from './dataset.js';
import { fitPreprocessing } from './preprocess.js';
import { infoOf } from './split.js';
import type { DataInfo } from './types.js';

/**
 * Shapes and names of a parsed dataset encoded over all its samples. A run encodes its folds with the
 * layout of its development samples (split.ts `dataLayout(...).info`), which differs only where a
 * category or a missing cell occurs in test rows alone. `rows` counts dataset rows after dropping
 * (for forecast: time steps, not windows).
 */
export function datasetInfo(parsed: ParsedDataset): DataInfo {
  const n = parsed.kind === 'series' ? parsed.windows : parsed.rows;
  return infoOf(
    fitPreprocessing(
      parsed,
      Int32Array.from({ length: n }, (_, i) => i),
    ),
    parsed,
  );
}
