/**
 * What every chart shares: the vega-lite config and plot widths, the bounds that keep charts small
 * whatever the sweep's size, the metric's axis title, the baseline's label and a candidate's hover text.
 */
import type { TopLevelSpec } from 'vega-lite';
import { fmtBytes, fmtInt, fmtInterval, fmtMeanSe, fmtMs, fmtValue } from '../../format.js';
import type { RankedCandidate, RunAnalysis } from '../../results/analysis.js';

export type ChartSpec = TopLevelSpec;
export type Layout = 'wide' | 'narrow';

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
/** Chart text is never smaller than 11 px as drawn (the pages scale an SVG down by 10 % at most). */
export const CONFIG = {
  font: FONT,
  // Only marks that carry a tip are described (and get a hover title); axes and the rest are not.
  aria: false,
  view: { stroke: '#ddd' },
  axis: { labelColor: '#333', titleColor: '#222', gridColor: '#eee', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600 },
  legend: { labelColor: '#333', titleColor: '#222', labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  text: { fontSize: 11 },
  title: { anchor: 'start', fontSize: 14, fontWeight: 600, subtitleFontSize: 12 },
} as const;

/** Plot widths (the SVG adds its axes): a phone's screen holds a narrow chart at full size. */
export const PLOT_WIDTH = { wide: 600, narrow: 236 } as const;

/**
 * Charts stay readable and small whatever the sweep's size (a 10,000-candidate sweep must not make a
 * 10,000-bar chart, whose sort expression once overflowed vega's stack, nor a report.html over 2 MB):
 * past these bounds the charts aggregate or sample, and say so in their subtitle. Every candidate is in
 * the leaderboard's CSV and JSON.
 */
export const CHART_BOUNDS = {
  /** Distinct depths or widths on a heatmap axis before neighbouring values are grouped. */
  heatmapAxis: 16,
  /** Cells with their value written in them. */
  heatmapLabels: 144,
  /** Points on the Pareto, latency and size charts: the front and the named ones always, an even sample of the rest. */
  paretoPoints: 200,
  /** Per-trial points on the parameter chart; beyond, trials only of the front and the named candidates. */
  trialPoints: 600,
  /** Bars on the wall-time chart: the slowest candidates. */
  timeBars: 30,
  /** Candidates with their own curves: the leading ones and the recommendation. */
  curvePanels: 12,
  /** Levels on a what-mattered chart before they are sampled evenly. */
  effectLevels: 40,
} as const;

export const direction = (a: Pick<RunAnalysis, 'higherIsBetter'>) => (a.higherIsBetter ? 'higher is better' : 'lower is better');

/** The metric's axis title: `rmse (ppm)`. */
export function metricTitle(a: Pick<RunAnalysis, 'metric' | 'unit'>): string {
  return a.unit ? `${a.metric} (${a.unit})` : a.metric;
}

/** `baseline (majority class) 0.5740`, for chart labels. */
export function baselineLabel(a: RunAnalysis): string {
  return a.baseline ? `baseline (${a.baseline.name}) ${fmtValue(a.baseline.summary.mean)}` : '';
}

/**
 * Whether a reference line (the baseline) belongs on a chart of these values: within half the
 * values' range of them. Further away it would squash the differences that matter into a sliver.
 */
export function nearData(value: number, values: readonly number[]): boolean {
  if (values.length === 0) return false;
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const margin = Math.max((hi - lo) * 0.5, Math.abs(hi) * 1e-9);
  return value >= lo - margin && value <= hi + margin;
}

export function offChart(a: RunAnalysis): string {
  const b = a.baseline!.summary.mean;
  const best = a.best?.summary.mean ?? b;
  return b < best ? 'below' : 'above';
}

/** Model size in bytes: the weights as TensorFlow.js saves them (weights.bin), float32, 4 bytes each. */
export const BYTES_PER_PARAMETER = 4;

export function meanKeptEpoch(c: RankedCandidate): number | null {
  const kept = c.doc.trials.map((t) => t.bestEpoch);
  return kept.length ? kept.reduce((s, x) => s + x, 0) / kept.length : null;
}

function meanEpochsRun(c: RankedCandidate): number | null {
  const ran = c.doc.trials.map((t) => t.epochs.length);
  return ran.length ? ran.reduce((s, x) => s + x, 0) / ran.length : null;
}

export const oneDecimal = (x: number) => String(Number(x.toFixed(1)));

/**
 * What hovering over a candidate tells: its rank and marks, parameters and size, the metric with its
 * interval, the epochs and the inference latency. Lines separated by newlines (an SVG title keeps them).
 */
export function candidateTip(c: RankedCandidate, a: RunAnalysis): string {
  const s = c.summary;
  const marks = [c.rank === 1 ? 'best' : '', a.recommended?.id === c.id ? 'recommended' : '', c.pareto ? 'Pareto front' : ''].filter(Boolean);
  const lines = [`${c.label} — #${c.rank}${marks.length ? `, ${marks.join(', ')}` : ''}`];
  lines.push(c.params === null ? 'parameters unknown' : `${fmtInt(c.params)} parameters (${fmtBytes(c.params * BYTES_PER_PARAMETER)} of float32 weights)`);
  lines.push(`${a.metric} ${fmtMeanSe(s.mean, s.se, a.unit)}${s.ci ? `, 95 % CI ${fmtInterval(s.ci, s.se, a.unit)}` : ', no interval'} (n = ${s.n})`);
  const kept = meanKeptEpoch(c);
  const ran = meanEpochsRun(c);
  if (kept !== null && ran !== null) lines.push(`epochs: kept ${oneDecimal(kept)} of ${oneDecimal(ran)} trained, on average`);
  const ms = c.doc.timing.inferenceMsPerSample;
  lines.push(ms === null ? 'latency not measured' : `latency ${fmtMs(ms)} ms per sample (${c.doc.backend})`);
  return lines.join('\n');
}

/** `n` items spread evenly over `items` (first and last included when n ≥ 2). */
export function evenSample<T>(items: readonly T[], n: number): T[] {
  if (n <= 0) return [];
  if (n >= items.length) return [...items];
  if (n === 1) return [items[0]!];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]!);
}

/** Format a metric for a heatmap cell: three significant digits. */
export function fmtShort(x: number): string {
  const ax = Math.abs(x);
  if (ax >= 1000) return Math.round(x).toLocaleString('en-US');
  if (ax === 0) return '0';
  return Number(x.toPrecision(3)).toString();
}
