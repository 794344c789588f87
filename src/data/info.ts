/** What training needs to know about a parsed dataset before it builds a model. */
import type { ParsedDataset } from './parse.js';
import type { DataInfo } from './types.js';

/**
 * Shapes and names of a parsed dataset. They are the same for every fold: the one-hot width comes from
 * the categories of the whole data (see split.ts), so `inputShape` never varies between folds.
 * `rows` counts dataset rows after dropping (for forecast: time steps, not windows).
 */
export function datasetInfo(parsed: ParsedDataset): DataInfo {
  const base = { task: parsed.task, rows: parsed.rows, droppedRows: parsed.droppedRows };
  const classes = parsed.classes ? { classes: [...parsed.classes] } : {};
  const targetDim = (parsed.task === 'multiclass' ? parsed.classes?.length : undefined) ?? 1;
  switch (parsed.kind) {
    case 'tabular': {
      const featureNames = parsed.columns.flatMap((c) => (c.type === 'numeric' ? [c.name] : c.categories.map((k) => `${c.name}=${k}`)));
      return { ...base, inputShape: [featureNames.length], targetDim, ...classes, featureNames };
    }
    case 'series':
      return {
        ...base,
        inputShape: [parsed.lookback, parsed.featureNames.length],
        targetDim: parsed.targets.length,
        featureNames: [...parsed.featureNames],
      };
    case 'array':
      return {
        ...base,
        inputShape: [...parsed.sampleShape],
        targetDim,
        ...classes,
        ...(parsed.featureNames ? { featureNames: [...parsed.featureNames] } : {}),
      };
  }
}
