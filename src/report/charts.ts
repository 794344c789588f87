/**
 * The report's charts: vega-lite specs built from the run analysis (pure functions), compiled with
 * vega-lite and rendered to SVG strings in Node by vega's headless view (renderer 'none', no canvas:
 * without the `canvas` package vega estimates text widths, which is enough for axis layout).
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { CandidateDoc } from '../results/document.js';
import { meanCurve } from './diagnose.js';
import { fmtValue } from './format.js';
import { candidateLabel, type RunAnalysis } from './stats.js';

export type ChartSpec = TopLevelSpec;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelColor: '#333', titleColor: '#222', gridColor: '#eee' },
  legend: { labelColor: '#333', titleColor: '#222' },
  title: { anchor: 'start', fontSize: 14, fontWeight: 600 },
} as const;

const direction = (a: RunAnalysis) => (a.higherIsBetter ? 'higher is better' : 'lower is better');

/**
 * Charts stay readable and small whatever the sweep's size (a 10,000-candidate sweep must not make a
 * 10,000-bar chart, whose sort expression once overflowed vega's stack): past these bounds the charts
 * aggregate or sample, and say so in their subtitle. The leaderboard itself always lists every candidate.
 */
export const CHART_BOUNDS = {
  /** Distinct depths or widths on a heatmap axis before neighbouring values are grouped. */
  heatmapAxis: 24,
  /** Cells with their value written in them. */
  heatmapLabels: 144,
  /** Points on the Pareto chart: the front and the named ones always, an even sample of the rest. */
  paretoPoints: 400,
  /** Bars on the wall-time chart: the slowest candidates. */
  timeBars: 30,
} as const;

/** Depth × width heatmap of the mean metric; failed cells marked. Past CHART_BOUNDS.heatmapAxis values an axis is grouped into ranges, each cell the best of its group. */
export function heatmapSpec(a: RunAnalysis): ChartSpec {
  const depthGroup = axisGroups(new Set([...a.ranked.map((c) => c.depth), ...a.failed.map((d) => d.candidate.depth)]));
  const widthGroup = axisGroups(new Set([...a.ranked.map((c) => c.width), ...a.failed.map((d) => d.candidate.width)]));
  const grouped = depthGroup.grouped || widthGroup.grouped;
  const cells = new Map<string, { depth: string; width: string; mean: number | null; status: 'ok' | 'failed'; rank: number | null }>();
  const better = (x: number, y: number) => (a.higherIsBetter ? x > y : x < y);
  for (const c of a.ranked) {
    const depth = depthGroup.label(c.depth);
    const width = widthGroup.label(c.width);
    const cell = cells.get(`${depth}\0${width}`);
    if (!cell || cell.mean === null || better(c.summary.mean, cell.mean)) cells.set(`${depth}\0${width}`, { depth, width, mean: c.summary.mean, status: 'ok', rank: c.rank });
  }
  for (const d of a.failed) {
    const depth = depthGroup.label(d.candidate.depth);
    const width = widthGroup.label(d.candidate.width);
    if (!cells.has(`${depth}\0${width}`)) cells.set(`${depth}\0${width}`, { depth, width, mean: null, status: 'failed', rank: null });
  }
  const labelled = cells.size <= CHART_BOUNDS.heatmapLabels;
  const rows = [...cells.values()].map((c) => ({ ...c, label: c.status === 'failed' ? 'failed' : labelled ? fmtShort(c.mean!) : '' }));
  const widths = widthGroup.order;
  const depths = depthGroup.order;
  // Viridis is dark at its low end: dark text on the bright half of the scale, white on the dark half.
  const means = a.ranked.map((c) => c.summary.mean);
  const mid = means.length ? (Math.min(...means) + Math.max(...means)) / 2 : 0;
  const bright = a.higherIsBetter ? `datum.mean > ${mid}` : `datum.mean < ${mid}`;
  return {
    $schema: SCHEMA,
    title: {
      text: `Mean validation ${metricTitle(a)} by depth and width`,
      subtitle: [
        direction(a),
        ...(grouped ? ['neighbouring depths and widths grouped, each cell the best of its group'] : []),
        ...(a.baseline ? [baselineLabel(a)] : []),
      ].join('; '),
    },
    data: { values: rows },
    width: Math.max(180, Math.min(640, 90 * widths.length)),
    height: Math.max(100, Math.min(420, 46 * depths.length)),
    config: CONFIG,
    encoding: {
      x: { field: 'width', type: 'ordinal', sort: widths, title: 'width (units or filters of the first layer)', axis: { labelAngle: grouped ? -45 : 0 } },
      y: { field: 'depth', type: 'ordinal', sort: depths, title: 'depth (layers)' },
    },
    layer: [
      ...(a.ranked.length === 0
        ? []
        : [
            {
              transform: [{ filter: "datum.status === 'ok'" }],
              mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
              encoding: {
                color: {
                  field: 'mean',
                  type: 'quantitative',
                  title: a.metric,
                  scale: { scheme: 'viridis', reverse: !a.higherIsBetter, zero: false },
                },
              },
            },
          ]),
      {
        transform: [{ filter: "datum.status === 'failed'" }],
        mark: { type: 'rect', fill: '#f3d6d6', stroke: 'white', strokeWidth: 1 },
      },
      {
        transform: [{ filter: "datum.label !== ''" }],
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: {
            condition: [
              { test: "datum.status === 'failed'", value: '#9b1c1c' },
              { test: bright, value: '#111' },
            ],
            value: 'white',
          },
        },
      },
    ],
  } as ChartSpec;
}

/**
 * Metric against parameter count (log x), with 95 % intervals, the Pareto front and the recommendation.
 * Past CHART_BOUNDS.paretoPoints candidates: the front and the named ones, and an even sample (by rank) of the rest.
 */
export function paretoSpec(a: RunAnalysis): ChartSpec {
  const rec = a.recommended?.candidate.id;
  const all = a.ranked
    .filter((c) => c.params !== null)
    .map((c) => ({
      label: c.label,
      params: c.params,
      mean: c.summary.mean,
      lo: c.summary.ci?.lo ?? c.summary.mean,
      hi: c.summary.ci?.hi ?? c.summary.mean,
      front: c.pareto ? 'Pareto front' : 'dominated',
      recommended: c.id === rec,
      pareto: c.pareto,
      // Named on the chart: the recommendation, the best, and the two ends of the front.
      named: c.id === rec || c.rank === 1,
    }));
  const front = all.filter((r) => r.pareto).sort((x, y) => x.params! - y.params!);
  if (front.length) {
    front[0]!.named = true;
    front[front.length - 1]!.named = true;
  }
  const kept = all.filter((r) => r.pareto || r.named);
  const rest = all.filter((r) => !r.pareto && !r.named);
  const room = Math.max(0, CHART_BOUNDS.paretoPoints - kept.length);
  const rows = rest.length <= room ? all : [...kept, ...evenSample(rest, room)];
  const sampled = rows.length < all.length ? `; ${rows.length} of ${all.length} candidates: the front, the named and an even sample of the rest` : '';
  return {
    $schema: SCHEMA,
    title: {
      text: `Validation ${metricTitle(a)} against parameter count`,
      subtitle: `mean with 95 % interval; ${direction(a)}${a.baseline ? `; brown line: ${baselineLabel(a)}` : ''}${sampled}`,
    },
    width: 560,
    height: 300,
    config: CONFIG,
    layer: [
      ...(a.baseline && rows.length
        ? [
            {
              data: { values: [{ value: a.baseline.summary.mean, label: baselineLabel(a) }] },
              mark: { type: 'rule', color: '#b45309', strokeWidth: 1.5 },
              encoding: { y: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'label', title: 'baseline' }] },
            },
          ]
        : []),
      {
        data: { values: rows },
        mark: { type: 'rule', color: '#999' },
        encoding: {
          x: { field: 'params', type: 'quantitative', scale: { type: 'log' }, title: 'parameters (log scale)' },
          y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: metricTitle(a) },
          y2: { field: 'hi' },
        },
      },
      {
        data: { values: front },
        mark: { type: 'line', color: '#d95f02', strokeWidth: 2, interpolate: 'step-after' },
        encoding: {
          x: { field: 'params', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'mean', type: 'quantitative' },
          order: { field: 'params', type: 'quantitative' },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'params', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'mean', type: 'quantitative' },
          color: {
            field: 'front',
            type: 'nominal',
            title: null,
            scale: { domain: ['Pareto front', 'dominated'], range: ['#d95f02', '#7570b3'] },
          },
          tooltip: [{ field: 'label' }, { field: 'params' }, { field: 'mean' }],
        },
      },
      {
        data: { values: rows.filter((r) => r.recommended) },
        mark: { type: 'point', shape: 'circle', size: 320, strokeWidth: 2, color: '#1b9e77', filled: false },
        encoding: {
          x: { field: 'params', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'mean', type: 'quantitative' },
        },
      },
      {
        data: { values: rows.filter((r) => r.named) },
        mark: { type: 'text', align: 'left', dx: 9, dy: -9, fontSize: 10 },
        encoding: {
          x: { field: 'params', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'mean', type: 'quantitative' },
          text: { field: 'label', type: 'nominal' },
          color: { condition: { test: 'datum.recommended', value: '#1b9e77' }, value: '#555' },
        },
      },
    ],
  } as ChartSpec;
}

/** The metric's axis title: `rmse (ppm)`. */
function metricTitle(a: RunAnalysis): string {
  return a.unit ? `${a.metric} (${a.unit})` : a.metric;
}

/** `baseline (majority class) 0.5740`, for chart labels. */
function baselineLabel(a: RunAnalysis): string {
  return a.baseline ? `baseline (${a.baseline.name}) ${fmtValue(a.baseline.summary.mean)}` : '';
}

/**
 * Training and validation curves (mean over trials per epoch) of the leading candidates: the ranking
 * metric in the top row, with the baseline as a horizontal rule, and the loss training minimises in
 * the bottom row, so a reader can check every diagnosis against both. Dashed: the mean best epoch.
 */
export function curvesSpec(a: RunAnalysis, task?: string, top = 4): ChartSpec {
  const leaders = a.ranked.slice(0, top);
  const metricRow = metricTitle(a);
  const lossRow = task === 'regression' || task === 'forecast' ? 'loss (on the standardised target)' : 'loss (what training minimises)';
  const rows: Record<string, unknown>[] = [];
  for (const c of leaders) {
    const name = `#${c.rank} ${c.label}`;
    for (const e of meanCurve(c.doc.trials)) {
      rows.push({ kind: 'curve', candidate: name, measure: metricRow, epoch: e.epoch, split: 'training', value: e.metric });
      rows.push({ kind: 'curve', candidate: name, measure: metricRow, epoch: e.epoch, split: 'validation', value: e.valMetric });
      rows.push({ kind: 'curve', candidate: name, measure: lossRow, epoch: e.epoch, split: 'training', value: e.loss });
      rows.push({ kind: 'curve', candidate: name, measure: lossRow, epoch: e.epoch, split: 'validation', value: e.valLoss });
    }
    const bestEpochs = c.doc.trials.map((t) => t.bestEpoch);
    if (bestEpochs.length) {
      const bestEpoch = bestEpochs.reduce((s, x) => s + x, 0) / bestEpochs.length;
      for (const measure of [metricRow, lossRow]) rows.push({ kind: 'best', candidate: name, measure, bestEpoch });
    }
    if (a.baseline) rows.push({ kind: 'baseline', candidate: name, measure: metricRow, value: a.baseline.summary.mean, label: baselineLabel(a) });
  }
  const order = leaders.map((c) => `#${c.rank} ${c.label}`);
  const panel = (measure: string, withBaseline: boolean) => ({
    transform: [{ filter: { field: 'measure', equal: measure } }],
    facet: { column: { field: 'candidate', type: 'nominal', sort: order, title: null, header: measure === metricRow ? {} : { labels: false } } },
    spec: {
      width: 170,
      height: 130,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
            y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: measure },
            color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['training', 'validation'], range: ['#1f77b4', '#ff7f0e'] } },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'best'" }],
          mark: { type: 'rule', strokeDash: [4, 3], color: '#666' },
          encoding: { x: { field: 'bestEpoch', type: 'quantitative' } },
        },
        ...(withBaseline
          ? [
              {
                transform: [{ filter: "datum.kind === 'baseline'" }],
                mark: { type: 'rule', color: '#b45309', strokeWidth: 1.5 },
                encoding: { y: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'label', title: 'baseline' }] },
              },
            ]
          : []),
      ],
    },
  });
  const subtitle = `mean over trials per epoch; dashed: mean best epoch${a.baseline ? `; solid brown: ${baselineLabel(a)}` : ''}`;
  return {
    $schema: SCHEMA,
    title: { text: `Training and validation curves of the leading candidates: ${a.metric} and loss`, subtitle },
    config: CONFIG,
    data: { values: rows },
    vconcat: [panel(metricRow, a.baseline !== null), panel(lossRow, false)],
  } as ChartSpec;
}

/** Wall time per candidate (failed ones included: they cost time too); past CHART_BOUNDS.timeBars candidates, the slowest ones. */
export function timeSpec(docs: readonly CandidateDoc[]): ChartSpec {
  const all = docs
    .map((d) => ({ label: candidateLabel(d), seconds: d.timing.wallSeconds, fit: d.timing.fitSeconds, status: d.status }))
    .sort((x, y) => y.seconds - x.seconds);
  const rows = all.slice(0, CHART_BOUNDS.timeBars);
  const order = rows.map((r) => r.label);
  const total = all.reduce((s, r) => s + r.seconds, 0);
  const subtitle =
    rows.length < all.length
      ? `the ${rows.length} slowest of ${all.length} candidates (${fmtShort(total)} s in all); data preparation, all trials, evaluation and writing`
      : 'data preparation, all trials, evaluation and writing';
  return {
    $schema: SCHEMA,
    title: { text: 'Wall time per candidate', subtitle },
    width: 480,
    height: { step: 16 },
    config: CONFIG,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: order, title: null },
      x: { field: 'seconds', type: 'quantitative', title: 'seconds' },
      color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['succeeded', 'failed'], range: ['#4c78a8', '#e45756'] } },
      tooltip: [{ field: 'label' }, { field: 'seconds' }, { field: 'fit', title: 'inside fit' }],
    },
  } as ChartSpec;
}

export interface HistoryPoint {
  date: string;
  runId: string;
  mean: number;
  lo: number;
  hi: number;
  best: string;
  changed: boolean;
}

/** The best metric over time, ± one standard error, with marks where the winning architecture changed. */
export function historySpec(points: readonly HistoryPoint[], metric: string, higherIsBetter: boolean): ChartSpec {
  const changes = points.filter((p) => p.changed);
  // Nightly runs: label days, about eight ticks whatever the span.
  const times = points.map((p) => Date.parse(p.date)).filter((t) => Number.isFinite(t));
  const days = times.length ? (Math.max(...times) - Math.min(...times)) / 86_400_000 : 0;
  const x = {
    field: 'date',
    type: 'temporal',
    title: 'run date (UTC)',
    scale: { type: 'utc', padding: 16 },
    axis: days >= 2 ? { format: '%b %d', tickCount: { interval: 'day', step: Math.max(1, Math.ceil(days / 8)) } } : { labelOverlap: true },
  };
  return {
    $schema: SCHEMA,
    title: { text: `Best validation ${metric} over time`, subtitle: `± one standard error; ${higherIsBetter ? 'higher' : 'lower'} is better; dashed: the winning architecture changed` },
    width: 600,
    height: 260,
    config: CONFIG,
    layer: [
      ...(changes.length === 0
        ? []
        : [
            {
              data: { values: changes },
              mark: { type: 'rule', strokeDash: [5, 4], color: '#d62728' },
              encoding: { x },
            },
            {
              data: { values: changes },
              mark: { type: 'text', angle: 0, align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 10, color: '#d62728' },
              encoding: { x, text: { field: 'best', type: 'nominal' } },
            },
          ]),
      {
        data: { values: points },
        mark: { type: 'rule', color: '#999' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: metric },
          y2: { field: 'hi' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'line', point: { filled: true, size: 50 }, color: '#4c78a8' },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative' },
          tooltip: [{ field: 'runId' }, { field: 'best' }, { field: 'mean' }],
        },
      },
    ],
  } as ChartSpec;
}

/**
 * Compile a vega-lite spec and render it to an SVG string in Node. Element ids inside the SVG
 * (clip paths, gradients) are prefixed with `idPrefix` so several charts can be inlined in one page
 * without their `url(#clip1)` references colliding.
 */
export async function renderSvg(spec: ChartSpec, idPrefix: string): Promise<string> {
  const compiled = vl.compile(spec).spec;
  // Vega logs dataflow errors instead of throwing them; collect them and fail loudly instead.
  const errors: unknown[] = [];
  const base = vega.logger(vega.Warn);
  const logger = Object.assign(Object.create(base) as typeof base, {
    error: (...args: readonly unknown[]) => {
      errors.push(args[0]);
      return logger;
    },
  });
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    let svg: string;
    try {
      svg = await view.toSVG();
    } catch (e) {
      throw new Error(`chart ${idPrefix}: ${errors.length ? String(errors[0]) : (e as Error).message}`, { cause: errors[0] ?? e });
    }
    if (errors.length) throw new Error(`chart ${idPrefix}: ${String(errors[0])}`, { cause: errors[0] });
    return prefixSvgIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/** Make every id in an SVG unique under a prefix, with the references to it. */
export function prefixSvgIds(svg: string, prefix: string): string {
  const p = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${p}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${p}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${p}-${id}"`);
}

/**
 * One heatmap axis: its distinct values, each its own column up to CHART_BOUNDS.heatmapAxis values,
 * beyond that grouped into that many contiguous ranges of about equal size (labelled "lo–hi").
 */
function axisGroups(values: ReadonlySet<number>): { grouped: boolean; order: string[]; label: (v: number) => string } {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length <= CHART_BOUNDS.heatmapAxis) return { grouped: false, order: sorted.map(String), label: String };
  const groups = CHART_BOUNDS.heatmapAxis;
  const labels = new Map<number, string>();
  const order: string[] = [];
  for (let g = 0; g < groups; g++) {
    const members = sorted.slice(Math.floor((g * sorted.length) / groups), Math.floor(((g + 1) * sorted.length) / groups));
    const label = members.length === 1 ? String(members[0]) : `${members[0]}–${members.at(-1)}`;
    order.push(label);
    for (const v of members) labels.set(v, label);
  }
  return { grouped: true, order, label: (v) => labels.get(v)! };
}

/** `n` items spread evenly over `items` (first and last included when n ≥ 2). */
function evenSample<T>(items: readonly T[], n: number): T[] {
  if (n <= 0) return [];
  if (n >= items.length) return [...items];
  if (n === 1) return [items[0]!];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]!);
}

/** Format a metric for a heatmap cell: three significant digits. */
function fmtShort(x: number): string {
  const ax = Math.abs(x);
  if (ax >= 1000) return Math.round(x).toLocaleString('en-US');
  if (ax === 0) return '0';
  return Number(x.toPrecision(3)).toString();
}
