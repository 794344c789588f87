/**
 * What was done to the data, told: the `layerbench.data.v2` summary Plan puts in run.json (contract:
 * src/results/data-summary.ts). Computing it walks every split of the run, so any "too little data"
 * error surfaces here, at plan time, before anything is written.
 *
 * - columns: every column of a CSV file and its role, with the reason (roles.ts).
 * - features: the layout fitted on the development rows (what every fold encodes), in input order —
 *   a date's cyclic parts as one `date` feature; `imputed` counts the missing cells of kept rows, each
 *   filled when a split is encoded; a capped categorical says how many distinct values it has.
 * - encodedWidth: inputs per sample — tabular: after one-hot and indicator columns; forecast: channels
 *   per time step; arrays: values per sample.
 * - target: class counts, or mean / population std / min / max over the kept rows (forecast: the first
 *   target column over all rows).
 * - order: time or random splits and why, and the signs that the rows are in time order. Rows that
 *   look time-ordered but are split at random because evaluation.order is "auto" get a warning
 *   ("random" says the user knows).
 * - splits: the test split's size and rule, the validation rule; mean training and validation samples per trial.
 */
import { DATA_SUMMARY_SCHEMA, type DataSummary, type FeatureSummary } from '../results/data-summary.js';
import { populationMeanStd } from '../stats/summary.js';
import type { SweepSpec } from '../sweep/schema.js';
import type { ParsedDataset } from './dataset.js';
import { dataLayout, foldIndices, splitOrder, validationRule } from './split.js';

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
  const order = splitOrder(parsed, evaluation);
  const signs = parsed.kind === 'tabular' ? [...parsed.signs] : [];
  const warnings = [...report.warnings];
  if (order.kind === 'random' && signs.length > 0 && (evaluation.order ?? 'auto') === 'auto') {
    warnings.push(
      `The rows look time-ordered (${signs.join('; ')}) but were split at random, so a model can be scored on rows earlier than some it trained on; ` +
        'if they are in time order, set evaluation.order "time" (or name the order column in dataset.time), else "random" to say they are not.',
    );
  }
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
    ...(columns(parsed) ? { columns: columns(parsed) } : {}),
    order: { kind: order.kind, column: order.column ?? null, reason: order.reason, signs },
    features: features(parsed, layout.input, imputed),
    encodedWidth: parsed.kind === 'series' ? layout.inputShape.at(-1)! : layout.inputShape.reduce((a, b) => a * b, 1),
    target: target(parsed),
    splits: {
      test: split.test.length,
      testRule: split.rule,
      validationRule: validationRule(parsed, evaluation),
      train: train / trials,
      validation: validation / trials,
      trials,
    },
    warnings,
  };
}

/** Every column of a CSV file and what it became (arrays have none). */
function columns(parsed: ParsedDataset): DataSummary['columns'] {
  switch (parsed.kind) {
    case 'tabular':
      return parsed.roles.map((r) => ({ name: r.name, role: r.role, reason: r.reason, ...(r.order ? { order: true } : {}) }));
    case 'series': {
      const targets = new Set(parsed.targetNames);
      return [
        { name: parsed.timeName, role: 'order', reason: 'dataset.time: it orders the rows', order: true },
        ...parsed.featureNames.map((name) =>
          targets.has(name) ? { name, role: 'target' as const, reason: 'dataset.target (also an input)' } : { name, role: 'numeric' as const, reason: 'every cell a number' },
        ),
        ...parsed.report.excluded.map((e) => ({ name: e.column, role: e.reason.startsWith('every cell') ? ('empty' as const) : ('excluded' as const), reason: e.reason })),
      ];
    }
    case 'array':
      return undefined;
  }
}

function features(parsed: ParsedDataset, input: ReturnType<typeof dataLayout>['layout']['input'], imputed: Record<string, number>): FeatureSummary[] {
  switch (input.kind) {
    case 'tabular': {
      const out: FeatureSummary[] = [];
      for (const f of input.features) {
        const last = out.at(-1);
        if (f.kind === 'numeric' && f.from) {
          // A date's parts, one after another: one feature.
          if (last?.kind === 'date' && last.name === f.from.column) last.parts.push(f.from.part);
          else out.push({ kind: 'date', name: f.from.column, parts: [f.from.part], imputed: imputed[f.from.column] ?? 0 });
        } else if (f.kind === 'numeric') out.push({ kind: 'numeric', name: f.name, imputed: imputed[f.name] ?? 0, indicator: f.indicator });
        else {
          const col = parsed.kind === 'tabular' ? parsed.columns.find((c) => c.name === f.name) : undefined;
          const levels = f.other && col?.type === 'categorical' ? { levels: col.categories.length } : {};
          out.push({ kind: 'categorical', name: f.name, categories: [...f.categories], imputed: imputed[f.name] ?? 0, ...levels });
        }
      }
      return out;
    }
    case 'series': {
      const targets = new Set(parsed.targetNames);
      return input.features.map((f) => ({ kind: 'series', name: f.name, target: targets.has(f.name) }));
    }
    case 'array':
      if (input.standardise) {
        return input.standardise.mean.map((_, j) => ({ kind: 'numeric', name: `${input.array}[${j}]`, imputed: 0, indicator: false }));
      }
      return [
        {
          kind: 'image',
          name: input.array,
          shape: [...input.shape],
          scale: input.scale === 1 ? 'as stored' : `${input.dtype === 'u1' ? 'uint8' : input.dtype} × ${input.scale === 1 / 255 ? '1/255' : input.scale}`,
        },
      ];
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
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const { mean, std } = populationMeanStd(values.length, (i) => values[i]!);
  return {
    kind: 'numeric',
    name,
    mean,
    std,
    min,
    max,
    ...(parsed.unit ? { unit: parsed.unit } : {}),
    ...(describes ? { describes } : {}),
  };
}
