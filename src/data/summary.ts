/**
 * What was done to the data, told: the `layerbench.data.v1` summary Plan puts in run.json (contract:
 * src/results/data-summary.ts). Computing it walks every split of the run, so any "too little data"
 * error surfaces here, at plan time, before anything is written.
 *
 * - features: the layout fitted on the development rows (what every fold encodes), in input order;
 *   `imputed` counts the missing cells of kept rows, each filled when a split is encoded.
 * - encodedWidth: inputs per sample — tabular: after one-hot and indicator columns; forecast: channels
 *   per time step; arrays: values per sample.
 * - target: class counts, or mean / population std / min / max over the kept rows (forecast: the first
 *   target column over all rows).
 * - splits: the test split's size and rule; mean training and validation samples per trial.
 */
import { DATA_SUMMARY_SCHEMA, type DataSummary, type FeatureSummary } from '../results/data-summary.js';
import type { SweepSpec } from '../sweep/schema.js';
import type { ParsedDataset } from './parse.js';
import { dataLayout, foldIndices } from './split.js';

const q = JSON.stringify;

export function dataSummary(parsed: ParsedDataset, spec: Pick<SweepSpec, 'dataset' | 'evaluation' | 'training'>): DataSummary {
  const { evaluation, training } = spec;
  const { split, layout } = dataLayout(parsed, evaluation, training.seed);
  let trials = 0;
  let train = 0;
  let validation = 0;
  for (let repeat = 0; repeat < evaluation.repeats; repeat++) {
    for (const fold of foldIndices(parsed, evaluation, training.seed, repeat)) {
      trials++;
      train += fold.train.length;
      validation += fold.val.length;
    }
  }
  const report = parsed.report;
  const imputed = parsed.missing === 'impute' ? { ...report.missingCells } : {};
  return {
    schema: DATA_SUMMARY_SCHEMA,
    source: spec.dataset.key,
    format: spec.dataset.format,
    rowsRead: report.rowsRead,
    rowsUsed: parsed.rows,
    missing: parsed.missing,
    dropped: { rows: report.dropped.rows, byColumn: { ...report.dropped.byColumn } },
    imputed,
    excluded: report.excluded.map((e) => ({ ...e })),
    features: features(parsed, layout.input, imputed),
    encodedWidth: parsed.kind === 'series' ? layout.inputShape.at(-1)! : layout.inputShape.reduce((a, b) => a * b, 1),
    target: target(parsed),
    splits: { test: split.test.length, testRule: split.rule, train: train / trials, validation: validation / trials, trials },
    warnings: [...report.warnings],
  };
}

function features(parsed: ParsedDataset, input: ReturnType<typeof dataLayout>['layout']['input'], imputed: Record<string, number>): FeatureSummary[] {
  switch (input.kind) {
    case 'tabular':
      return input.features.map((f) =>
        f.kind === 'numeric'
          ? { kind: 'numeric', name: f.name, imputed: imputed[f.name] ?? 0, indicator: f.indicator }
          : { kind: 'categorical', name: f.name, categories: [...f.categories], imputed: imputed[f.name] ?? 0 },
      );
    case 'series': {
      const targets = new Set(parsed.targetNames);
      return input.features.map((f) => ({ kind: 'series', name: f.name, target: targets.has(f.name) }));
    }
    case 'array':
      if (input.standardise) {
        return input.standardise.mean.map((_, j) => ({ kind: 'numeric', name: `${input.array}[${j}]`, imputed: 0, indicator: false }));
      }
      return [{ kind: 'image', name: input.array, shape: [...input.shape], scale: input.scale === 1 ? 'as stored' : `${input.dtype === 'u1' ? 'uint8' : input.dtype} × ${input.scale === 1 / 255 ? '1/255' : input.scale}` }];
  }
}

function target(parsed: ParsedDataset): DataSummary['target'] {
  const name = parsed.targetNames[0]!;
  if (parsed.kind !== 'series' && parsed.classes) {
    const counts: Record<string, number> = Object.fromEntries(parsed.classes.map((c) => [c, 0]));
    for (const y of parsed.y) counts[parsed.classes[y]!]!++;
    return { kind: 'classes', name, counts };
  }
  let values: Float64Array;
  let describes: string | undefined;
  if (parsed.kind === 'series') {
    const nf = parsed.featureNames.length;
    const f = parsed.targets[0]!;
    values = Float64Array.from({ length: parsed.rows }, (_, r) => parsed.values[r * nf + f]!);
    const names = parsed.targetNames.map((t) => q(t)).join(', ');
    const change = parsed.targetIs === 'change' ? ' (a change from the row before)' : '';
    describes = `the value of ${names}${change} ${parsed.horizon} row${parsed.horizon === 1 ? '' : 's'} after each window of ${parsed.lookback}`;
  } else values = parsed.y;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return {
    kind: 'numeric',
    name,
    mean,
    std: Math.sqrt(ss / values.length),
    min,
    max,
    ...(parsed.unit ? { unit: parsed.unit } : {}),
    ...(describes ? { describes } : {}),
  };
}
