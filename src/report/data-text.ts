/**
 * The run's data summary (runs/<id>/run.json `data`, contract src/results/data-summary.ts) worded
 * once for the report's Data section and the terminal's data block: rows read, used, dropped and
 * imputed, the columns left out and why (said once: not again as a warning), the encoded features,
 * the target's distribution, how rows were split (in time or at random, and why), the split sizes
 * and the warnings.
 */
import type { DataSummary, FeatureSummary } from '../results/data-summary.js';
import { count, fmtInt, fmtPercent, fmtValue, withUnit } from '../format.js';

export interface DataFact {
  label: string;
  text: string;
}

/** At most this many categories are listed per feature; the rest are counted. */
export const MAX_CATEGORIES = 12;

function perColumn(byColumn: Record<string, number>): string {
  return Object.entries(byColumn)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([col, n]) => `${col} ${fmtInt(n)}`)
    .join(', ');
}

function categories(cats: readonly string[]): string {
  const shown = cats.slice(0, MAX_CATEGORIES).map((c) => JSON.stringify(c));
  return cats.length > MAX_CATEGORIES ? `${shown.join(', ')}, … (${cats.length - MAX_CATEGORIES} more)` : shown.join(', ');
}

/** How one feature enters the network. */
export function featureDetail(f: FeatureSummary): string {
  switch (f.kind) {
    case 'numeric': {
      const imputed = f.imputed > 0 ? `; ${count(f.imputed, 'missing cell')} got the training median` : '';
      return `numeric, standardised with the training mean and std${imputed}${f.indicator ? ', plus a was-missing indicator column' : ''}`;
    }
    case 'categorical': {
      const capped = f.levels !== undefined ? ` (${fmtInt(f.levels)} distinct values: the most frequent in the training rows, the rest and any unseen value "(other)")` : '';
      return `categorical, one-hot over ${count(f.categories.length, 'category', 'categories')}${capped}: ${categories(f.categories)}${f.imputed > 0 ? `; ${count(f.imputed, 'missing cell')} became "(missing)"` : ''}`;
    }
    case 'date': {
      const cycles = [...new Set(f.parts.map((p) => p.split('_')[0]))].map((c) => CYCLES[c ?? ''] ?? c);
      const imputed = f.imputed > 0 ? `; ${count(f.imputed, 'missing date')} got the training median of each part` : '';
      return `dates, as the cycles of ${cycles.join(', ')} (sin and cos, ${count(f.parts.length, 'input')}), standardised with the training mean and std${imputed}`;
    }
    case 'image':
      return `image ${f.shape.join('×')}, pixels ${f.scale}`;
    case 'series':
      return `time series, standardised with the training period's statistics${f.target ? '; also the forecast target' : ''}`;
  }
}

const CYCLES: Record<string, string> = { year: 'the year', week: 'the week', day: 'the day' };

const MISSING_RULE: Record<DataSummary['missing'], string> = {
  impute: 'numeric cells get the training median and a was-missing indicator, categorical cells a "(missing)" category, learned on training rows only',
  drop: 'a row with a missing cell is dropped',
  error: 'a missing cell is an error',
};

/** The summary as labelled facts, in reading order. */
export function dataFacts(d: DataSummary): DataFact[] {
  const facts: DataFact[] = [];
  const usedShare = d.rowsRead > 0 ? ` (${fmtPercent(d.rowsUsed / d.rowsRead)})` : '';
  facts.push({ label: 'Rows', text: `${fmtInt(d.rowsRead)} read from ${d.source} (${d.format}); ${fmtInt(d.rowsUsed)} used${usedShare}.` });
  const imputedCells = Object.values(d.imputed).reduce((s, n) => s + n, 0);
  const done: string[] = [];
  if (d.dropped.rows > 0) {
    const share = d.rowsRead > 0 ? ` (${fmtPercent(d.dropped.rows / d.rowsRead)} of those read)` : '';
    const cols = perColumn(d.dropped.byColumn);
    done.push(`${count(d.dropped.rows, 'row')} dropped${share}${cols ? `; their missing cells per column: ${cols}` : ''}.`);
  }
  if (imputedCells > 0) done.push(`${count(imputedCells, 'cell')} imputed: ${perColumn(d.imputed)}.`);
  // The setting is told where it acted; with nothing missing it would only be noise.
  facts.push({
    label: 'Missing values',
    text: done.length === 0 ? 'none: no row dropped, no cell imputed.' : `${done.join(' ')} (dataset.missing "${d.missing}": ${MISSING_RULE[d.missing]}.)`,
  });
  if (d.columns) facts.push({ label: 'Columns', text: rolesText(d.columns) });
  facts.push({
    label: 'Columns left out',
    text: d.excluded.length === 0 ? 'none.' : `${d.excluded.map((e) => `"${e.column}" (${e.reason})`).join('; ')}.`,
  });
  facts.push({ label: 'Inputs', text: `${count(d.features.length, 'feature')}, ${count(d.encodedWidth, 'column')} once encoded (below).` });
  if (d.order) facts.push({ label: 'Order', text: orderText(d.order) });
  facts.push({ label: 'Target', text: targetText(d.target) });
  facts.push({
    label: 'Splits',
    text:
      (d.splits.test > 0 ? `${count(d.splits.test, 'row')} held out as the test split (${d.splits.testRule}), never used for choosing. ` : 'no test split (evaluation.test is 0). ') +
      (d.splits.validationRule ? `Validation: ${d.splits.validationRule}. ` : '') +
      `Each of the ${count(d.splits.trials, 'trial')} trained on ${fmtInt(d.splits.train)} rows and validated on ${fmtInt(d.splits.validation)} on average.`,
  });
  return facts;
}

const ROLE_WORDS: Record<NonNullable<DataSummary['columns']>[number]['role'], [string, string]> = {
  target: ['target', 'targets'],
  order: ['order column', 'order columns'],
  numeric: ['number', 'numbers'],
  categorical: ['category', 'categories'],
  date: ['column of dates', 'columns of dates'],
  identifier: ['identifier', 'identifiers'],
  text: ['free text', 'free texts'],
  empty: ['empty', 'empty'],
  excluded: ['listed in dataset.exclude', 'listed in dataset.exclude'],
  unused: ['not in dataset.features', 'not in dataset.features'],
};

/** Every column's role, counted, naming the capped categoricals and the order column (the reasons are in run.json). */
function rolesText(columns: NonNullable<DataSummary['columns']>): string {
  const groups = new Map<string, string[]>();
  for (const c of columns) groups.set(c.role, [...(groups.get(c.role) ?? []), c.name]);
  const parts = [...groups].map(([role, names]) => {
    const [one, many] = ROLE_WORDS[role as keyof typeof ROLE_WORDS];
    return names.length === 1 ? `1 ${one} ("${names[0]}")` : `${names.length} ${many}`;
  });
  const capped = columns.filter((c) => c.role === 'categorical' && c.reason.includes('"(other)"')).map((c) => `"${c.name}"`);
  const order = columns.find((c) => c.order);
  const notes = [...(capped.length ? [`capped to their most frequent values and "(other)": ${capped.join(', ')}`] : []), ...(order ? [`"${order.name}" orders the rows`] : [])];
  return `${count(columns.length, 'column')}: ${parts.join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''}.`;
}

/** How rows were split, why, and the signs of time order. */
function orderText(o: NonNullable<DataSummary['order']>): string {
  const by = o.column === null ? "the rows' order in the file" : `"${o.column}"`;
  const how =
    o.kind === 'time'
      ? `in time, by ${by} (${o.reason}): validation and test rows are always later than the rows a model trains on, and every statistic is learned on the earlier rows.`
      : `random splits (${o.reason}).`;
  const signs = o.kind === 'random' && o.signs.length > 0 ? ` Signs of time order: ${o.signs.join('; ')}.` : '';
  return `${how}${signs}`;
}

/** The summary's warnings, less the ones that only repeat a column left out (v1 summaries said those twice). */
function warningsOf(d: DataSummary): string[] {
  const left = d.excluded.map((e) => JSON.stringify(e.column));
  return d.warnings.filter((w) => !(/\b(left out|excluded)\b/.test(w) && left.some((c) => w.includes(c))));
}

function targetText(t: DataSummary['target']): string {
  if (t.kind === 'classes') {
    const total = Object.values(t.counts).reduce((s, n) => s + n, 0);
    const classes = Object.entries(t.counts)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, n]) => `${JSON.stringify(k)} ${fmtInt(n)}${total > 0 ? ` (${fmtPercent(n / total)})` : ''}`);
    return `"${t.name}", ${count(classes.length, 'class', 'classes')}: ${classes.join(', ')}.`;
  }
  const u = t.unit ?? null;
  const describes = t.describes ? ` — ${t.describes}` : '';
  return `"${t.name}"${describes}: mean ${withUnit(fmtValue(t.mean), u)}, standard deviation ${withUnit(fmtValue(t.std), u)}, from ${fmtValue(t.min)} to ${withUnit(fmtValue(t.max), u)}.`;
}

/** A few lines for the terminal after a run. */
export function dataBlock(d: DataSummary): string {
  const lines: string[] = [];
  const dropped = d.dropped.rows > 0 ? ` · ${count(d.dropped.rows, 'row')} dropped (${perColumn(d.dropped.byColumn) || 'missing cells'})` : '';
  const imputedCells = Object.values(d.imputed).reduce((s, n) => s + n, 0);
  const imputed = imputedCells > 0 ? ` · ${count(imputedCells, 'cell')} imputed (${perColumn(d.imputed)})` : '';
  lines.push(`data: ${fmtInt(d.rowsRead)} rows read from ${d.source}, ${fmtInt(d.rowsUsed)} used${dropped}${imputed}`);
  if (d.excluded.length) lines.push(`  left out: ${d.excluded.map((e) => `${e.column} (${e.reason})`).join('; ')}`);
  const names = d.features.map((f) =>
    f.kind === 'categorical'
      ? `${f.name} (${count(f.categories.length, 'category', 'categories')}${f.levels !== undefined ? ` of ${fmtInt(f.levels)} values` : ''})`
      : f.kind === 'numeric' && f.indicator
        ? `${f.name} (+ was-missing indicator)`
        : f.kind === 'date'
          ? `${f.name} (dates: ${count(f.parts.length, 'cyclic input')})`
          : f.name,
  );
  lines.push(`  inputs: ${count(d.features.length, 'feature')} → ${count(d.encodedWidth, 'encoded column')}: ${names.join(', ')}`);
  lines.push(`  target: ${targetText(d.target)}`);
  if (d.order) {
    const o = d.order;
    const by = o.column === null ? 'file order' : `"${o.column}"`;
    // The signs are told by the warning when the split was left to "auto"; otherwise here.
    const signs = o.kind === 'random' && o.signs.length > 0 && !d.warnings.some((w) => w.startsWith('The rows look time-ordered')) ? `; signs of time order: ${o.signs.join('; ')}` : '';
    lines.push(o.kind === 'time' ? `  order: in time by ${by} (${o.reason}): validation and test rows later than training rows` : `  order: random splits (${o.reason})${signs}`);
  }
  lines.push(
    `  splits: ${d.splits.test > 0 ? `test ${count(d.splits.test, 'row')} (${d.splits.testRule}; never used for choosing)` : 'no test split'}; ` +
      `per trial ${fmtInt(d.splits.train)} training / ${fmtInt(d.splits.validation)} validation rows; ${count(d.splits.trials, 'trial')}`,
  );
  for (const w of warningsOf(d)) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
