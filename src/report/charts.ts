/**
 * The report's charts: vega-lite specs built from the run analysis (pure functions), compiled with
 * vega-lite and rendered to SVG strings in Node by vega's headless view (renderer 'none', no canvas:
 * without the `canvas` package vega estimates text widths, which is enough for axis layout).
 *
 * **Offline and interactive.** Every point a reader may ask about carries a `tip` — candidate,
 * parameters, metric with its interval, epochs, latency — as its vega `description`; `renderSvg` turns
 * each into an SVG `<title>`, which browsers show on hover, with no script and nothing fetched.
 *
 * **Any screen.** Charts come in two layouts: `wide` (about 600 px of plot) and `narrow` (about 250 px,
 * for phones); the page shows one or the other. Titles and subtitles are not drawn in the SVG but
 * lifted into the page as text (figures.ts), where they wrap.
 *
 * **Any sweep size.** Past CHART_BOUNDS the charts aggregate or sample, and say so in their subtitle;
 * the leaderboard itself always lists every candidate.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { CandidateDoc } from '../results/document.js';
import { meanCurve } from './diagnose.js';
import type { FactorEffect } from './effects.js';
import { fmtBytes, fmtInt, fmtMs, fmtInterval, fmtMeanSe, fmtPercent, fmtUncertainty, fmtValue, withUnit } from '../format.js';
import { paretoFront } from '../stats/index.js';
import { candidateLabel, type RankedCandidate, type RunAnalysis } from '../results/analysis.js';

export type ChartSpec = TopLevelSpec;
export type Layout = 'wide' | 'narrow';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
/** Chart text is never smaller than 11 px as drawn (the pages scale an SVG down by 10 % at most). */
const CONFIG = {
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
 * 10,000-bar chart, whose sort expression once overflowed vega's stack): past these bounds the charts
 * aggregate or sample, and say so in their subtitle. The leaderboard itself always lists every candidate.
 */
export const CHART_BOUNDS = {
  /** Distinct depths or widths on a heatmap axis before neighbouring values are grouped. */
  heatmapAxis: 24,
  /** Cells with their value written in them. */
  heatmapLabels: 144,
  /** Points on the Pareto, latency and size charts: the front and the named ones always, an even sample of the rest. */
  paretoPoints: 400,
  /** Per-trial points on the parameter chart; beyond, trials only of the front and the named candidates. */
  trialPoints: 2000,
  /** Bars on the wall-time chart: the slowest candidates. */
  timeBars: 30,
  /** Candidates with their own curves: the leading ones and the recommendation. */
  curvePanels: 24,
  /** Levels on a what-mattered chart before they are sampled evenly. */
  effectLevels: 60,
} as const;

const direction = (a: Pick<RunAnalysis, 'higherIsBetter'>) => (a.higherIsBetter ? 'higher is better' : 'lower is better');

/** The metric's axis title: `rmse (ppm)`. */
export function metricTitle(a: Pick<RunAnalysis, 'metric' | 'unit'>): string {
  return a.unit ? `${a.metric} (${a.unit})` : a.metric;
}

/** `baseline (majority class) 0.5740`, for chart labels. */
function baselineLabel(a: RunAnalysis): string {
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

function offChart(a: RunAnalysis): string {
  const b = a.baseline!.summary.mean;
  const best = a.best?.summary.mean ?? b;
  return b < best ? 'below' : 'above';
}

/** Model size in bytes: the weights as TensorFlow.js saves them (weights.bin), float32, 4 bytes each. */
export const BYTES_PER_PARAMETER = 4;

function meanKeptEpoch(c: RankedCandidate): number | null {
  const kept = c.doc.trials.map((t) => t.bestEpoch);
  return kept.length ? kept.reduce((s, x) => s + x, 0) / kept.length : null;
}

function meanEpochsRun(c: RankedCandidate): number | null {
  const ran = c.doc.trials.map((t) => t.epochs.length);
  return ran.length ? ran.reduce((s, x) => s + x, 0) / ran.length : null;
}

const oneDecimal = (x: number) => String(Number(x.toFixed(1)));

/**
 * What hovering over a candidate tells: its rank and marks, parameters and size, the metric with its
 * interval, the epochs and the inference latency. Lines separated by newlines (an SVG title keeps them).
 */
export function candidateTip(c: RankedCandidate, a: RunAnalysis): string {
  const s = c.summary;
  const marks = [c.rank === 1 ? 'best' : '', a.recommended?.id === c.id ? 'recommended' : '', c.pareto ? 'Pareto front' : ''].filter(Boolean);
  const lines = [`${c.label} — #${c.rank}${marks.length ? `, ${marks.join(', ')}` : ''}`];
  lines.push(c.params === null ? 'parameters unknown' : `${fmtInt(c.params)} parameters (${fmtBytes(c.params * BYTES_PER_PARAMETER)} of float32 weights)`);
  lines.push(
    `${a.metric} ${fmtMeanSe(s.mean, s.se, a.unit)}${s.ci ? `, 95 % CI ${fmtInterval(s.ci, s.se, a.unit)}` : ', no interval'} (n = ${s.n})`,
  );
  const kept = meanKeptEpoch(c);
  const ran = meanEpochsRun(c);
  if (kept !== null && ran !== null) lines.push(`epochs: kept ${oneDecimal(kept)} of ${oneDecimal(ran)} trained, on average`);
  const ms = c.doc.timing.inferenceMsPerSample;
  lines.push(ms === null ? 'latency not measured' : `latency ${fmtMs(ms)} ms per sample (${c.doc.backend})`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Depth × width heatmap.
// ---------------------------------------------------------------------------------------------

/**
 * The heatmap's colour scale: from the baseline (or the worst candidate, without one) to the best, so
 * noise between good candidates gets little contrast. Null without ranked candidates.
 */
export function heatmapColourDomain(a: RunAnalysis): { from: number; to: number; anchor: 'baseline' | 'worst' } | null {
  const best = a.ranked[0];
  if (!best) return null;
  const worst = a.ranked.at(-1)!.summary.mean;
  const b = a.baseline?.summary.mean;
  const baselineBelow = b !== undefined && (a.higherIsBetter ? b < best.summary.mean : b > best.summary.mean);
  return baselineBelow ? { from: b, to: best.summary.mean, anchor: 'baseline' } : { from: worst, to: best.summary.mean, anchor: 'worst' };
}

/** The heatmap's subtitle after its direction: what the colours span and how wide the noise is. */
function colourNote(a: RunAnalysis): string {
  const d = heatmapColourDomain(a);
  if (!d) return '';
  const from = d.anchor === 'baseline' ? `the baseline (${a.baseline!.name}, ${fmtValue(d.from)})` : `the worst candidate (${fmtValue(d.from)})`;
  const range = Math.abs(d.to - d.from);
  const se = a.best!.summary.se;
  const noise =
    se === null
      ? 'one trial per candidate, so no noise band can be given'
      : `noise band: the best's standard error, ${withUnit(fmtUncertainty(se), a.unit)}${range > 0 ? ` (${fmtPercent(se / range)} of the colour range)` : ''} — smaller differences in colour are noise`;
  const clamp = d.anchor === 'baseline' && a.ranked.some((c) => (a.higherIsBetter ? c.summary.mean < d.from : c.summary.mean > d.from)) ? '; cells worse than the baseline take its colour' : '';
  return `colour from ${from} to the best (${fmtValue(d.to)})${clamp}; ${noise}`;
}

/** Depth × width heatmap of the mean metric; failed cells marked. Past CHART_BOUNDS.heatmapAxis values an axis is grouped into ranges, each cell the best of its group. */
export function heatmapSpec(a: RunAnalysis, layout: Layout = 'wide'): ChartSpec {
  const depthGroup = axisGroups(new Set([...a.ranked.map((c) => c.depth), ...a.failed.map((d) => d.candidate.depth)]));
  const widthGroup = axisGroups(new Set([...a.ranked.map((c) => c.width), ...a.failed.map((d) => d.candidate.width)]));
  const grouped = depthGroup.grouped || widthGroup.grouped;
  const recId = a.recommended?.id;
  type Cell = { depth: string; width: string; mean: number | null; status: 'ok' | 'failed'; rank: number | null; recommended: boolean; tip: string; members: number };
  const cells = new Map<string, Cell>();
  const better = (x: number, y: number) => (a.higherIsBetter ? x > y : x < y);
  for (const c of a.ranked) {
    const depth = depthGroup.label(c.depth);
    const width = widthGroup.label(c.width);
    const k = `${depth}\0${width}`;
    const cell = cells.get(k);
    const members = (cell?.members ?? 0) + 1;
    if (!cell || cell.mean === null || better(c.summary.mean, cell.mean)) {
      cells.set(k, { depth, width, mean: c.summary.mean, status: 'ok', rank: c.rank, recommended: c.id === recId, tip: candidateTip(c, a), members });
    } else cell.members = members;
    if (c.id === recId) cells.get(k)!.recommended = true;
  }
  for (const d of a.failed) {
    const depth = depthGroup.label(d.candidate.depth);
    const width = widthGroup.label(d.candidate.width);
    const k = `${depth}\0${width}`;
    if (!cells.has(k)) {
      const reason = d.error?.message ?? (d.status === 'succeeded' ? 'no finite metric value recorded' : 'no error recorded');
      cells.set(k, { depth, width, mean: null, status: 'failed', rank: null, recommended: false, tip: `${candidateLabel(d)} — failed\n${reason}`, members: 1 });
    }
  }
  const widths = widthGroup.order;
  const depths = depthGroup.order;
  const maxPlot = PLOT_WIDTH[layout];
  const stepX = Math.min(layout === 'wide' ? 90 : 64, Math.floor(maxPlot / Math.max(1, widths.length)));
  const stepY = Math.min(46, Math.floor((layout === 'wide' ? 420 : 320) / Math.max(1, depths.length)));
  const labelled = cells.size <= CHART_BOUNDS.heatmapLabels && stepX >= 36 && stepY >= 16;
  const rows = [...cells.values()].map((c) => ({
    ...c,
    label: c.status === 'failed' ? (labelled ? 'failed' : '') : labelled ? fmtShort(c.mean!) : '',
    tip: c.members > 1 ? `${c.tip}\n(the best of ${c.members} candidates in this cell)` : c.tip,
  }));
  const dom = heatmapColourDomain(a);
  // Viridis is dark at its low end: dark text on the bright half of the scale, white on the dark half.
  const mid = dom ? (dom.from + dom.to) / 2 : 0;
  const bright = a.higherIsBetter ? `datum.mean > ${mid}` : `datum.mean < ${mid}`;
  const subtitle = [direction(a), colourNote(a), grouped ? 'neighbouring depths and widths grouped, each cell the best of its group' : '', recId ? 'outlined: the recommendation' : '']
    .filter(Boolean)
    .join('; ');
  return {
    $schema: SCHEMA,
    title: { text: `Mean validation ${metricTitle(a)} by depth and width`, subtitle },
    data: { values: rows },
    width: Math.max(stepX, stepX * widths.length),
    height: Math.max(stepY, stepY * depths.length),
    config: CONFIG,
    encoding: {
      x: {
        field: 'width',
        type: 'ordinal',
        sort: widths,
        title: layout === 'wide' ? 'width (units or filters of the first layer)' : 'width',
        axis: { labelAngle: grouped || stepX < 30 ? -45 : 0, labelOverlap: true },
      },
      y: { field: 'depth', type: 'ordinal', sort: depths, title: layout === 'wide' ? 'depth (layers)' : 'depth', axis: { labelOverlap: true } },
    },
    layer: [
      ...(dom === null
        ? []
        : [
            {
              transform: [{ filter: "datum.status === 'ok'" }],
              mark: { type: 'rect', stroke: 'white', strokeWidth: 1, aria: true },
              encoding: {
                color: {
                  field: 'mean',
                  type: 'quantitative',
                  title: metricTitle(a),
                  scale: { scheme: 'viridis', domain: [dom.from, dom.to], clamp: true, zero: false, nice: false },
                  legend: layout === 'wide' ? { orient: 'right' } : { orient: 'bottom', direction: 'horizontal', gradientLength: 180 },
                },
                description: { field: 'tip' },
              },
            },
          ]),
      {
        transform: [{ filter: "datum.status === 'failed'" }],
        mark: { type: 'rect', fill: '#f3d6d6', stroke: 'white', strokeWidth: 1, aria: true },
        encoding: { description: { field: 'tip' } },
      },
      ...(recId
        ? [
            {
              transform: [{ filter: 'datum.recommended' }],
              mark: { type: 'rect', fill: null, stroke: '#111', strokeWidth: 2.5 },
            },
          ]
        : []),
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

// ---------------------------------------------------------------------------------------------
// Metric against parameters, latency and size.
// ---------------------------------------------------------------------------------------------

interface ScatterRow {
  id: string;
  label: string;
  x: number;
  mean: number;
  lo: number;
  hi: number;
  front: 'Pareto front' | 'dominated';
  pareto: boolean;
  recommended: boolean;
  named: boolean;
  side: 'left' | 'right';
  tip: string;
}

/**
 * The candidates placed on an x axis (parameters, latency, bytes), with their own Pareto front over
 * (x, fewer is better) × (metric): the front and the named ones (recommendation, best, the ends of the
 * front) always, an even sample (by rank) of the rest past CHART_BOUNDS.paretoPoints.
 */
function scatterRows(a: RunAnalysis, x: (c: RankedCandidate) => number | null): { rows: ScatterRow[]; total: number } {
  const rec = a.recommended?.id;
  const placed = a.ranked.flatMap((c) => {
    const v = x(c);
    return v === null || !Number.isFinite(v) || v <= 0 ? [] : [{ c, v }];
  });
  const front = new Set(paretoFront(placed.map((p) => ({ params: p.v, mean: p.c.summary.mean, id: p.c.id })), a.higherIsBetter).map((f) => f.id));
  const logs = placed.map((p) => Math.log(p.v));
  const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
  const all: ScatterRow[] = placed.map(({ c, v }) => ({
    id: c.id,
    label: c.label,
    x: v,
    mean: c.summary.mean,
    lo: c.summary.ci?.lo ?? c.summary.mean,
    hi: c.summary.ci?.hi ?? c.summary.mean,
    front: front.has(c.id) ? 'Pareto front' : 'dominated',
    pareto: front.has(c.id),
    recommended: c.id === rec,
    named: c.id === rec || c.rank === 1,
    // Labels to the right of points on the left 60 % of the axis, to the left beyond: they stay inside the plot.
    side: hi > lo && (Math.log(v) - lo) / (hi - lo) > 0.6 ? 'right' : 'left',
    tip: candidateTip(c, a),
  }));
  const onFront = all.filter((r) => r.pareto).sort((p, q) => p.x - q.x);
  if (onFront.length) {
    onFront[0]!.named = true;
    onFront.at(-1)!.named = true;
  }
  const kept = all.filter((r) => r.pareto || r.named);
  const rest = all.filter((r) => !r.pareto && !r.named);
  const room = Math.max(0, CHART_BOUNDS.paretoPoints - kept.length);
  return { rows: rest.length <= room ? all : [...kept, ...evenSample(rest, room)], total: all.length };
}

interface ScatterOptions {
  xTitle: string;
  /** A vega expression formatting `datum.value` on the x axis; default vega's. */
  xLabelExpr?: string;
  subtitle: string;
  /** After the baseline's phrase. */
  subtitleEnd?: string;
  title: string;
  /** Extra layers drawn under the points (e.g. per-trial points). */
  under?: object[];
  layout: Layout;
  height?: number;
}

function scatterSpec(a: RunAnalysis, rows: ScatterRow[], o: ScatterOptions): ChartSpec {
  const x = { field: 'x', type: 'quantitative', scale: { type: 'log' }, title: o.xTitle, axis: { labelOverlap: true, ...(o.xLabelExpr ? { labelExpr: o.xLabelExpr } : {}) } };
  const y = { field: 'mean', type: 'quantitative', scale: { zero: false }, title: metricTitle(a) };
  const front = rows.filter((r) => r.pareto).sort((p, q) => p.x - q.x);
  // The recommendation's name above its point, the others' below, so the two seldom collide.
  const label = ([side, above]: readonly ['left' | 'right', boolean]) => ({
    data: { values: rows.filter((r) => r.named && r.side === side && r.recommended === above) },
    mark: { type: 'text', align: side, dx: side === 'left' ? 9 : -9, dy: above ? -11 : 14, fontSize: 11 },
    encoding: { x, y, text: { field: 'label', type: 'nominal' }, color: { condition: { test: 'datum.recommended', value: '#1b7f5f' }, value: '#444' } },
  });
  const showBaseline = a.baseline !== null && rows.length > 0 && nearData(a.baseline.summary.mean, rows.flatMap((r) => [r.lo, r.hi]));
  return {
    $schema: SCHEMA,
    title: {
      text: o.title,
      subtitle: `${o.subtitle}${!a.baseline ? '' : showBaseline ? `; brown line: ${baselineLabel(a)}` : `; ${baselineLabel(a)} lies ${offChart(a)} the chart`}${o.subtitleEnd ?? ''}`,
    },
    width: PLOT_WIDTH[o.layout],
    height: o.height ?? (o.layout === 'wide' ? 300 : 220),
    config: CONFIG,
    layer: [
      ...(showBaseline
        ? [
            {
              data: { values: [{ value: a.baseline!.summary.mean, tip: baselineLabel(a) }] },
              mark: { type: 'rule', color: '#b45309', strokeWidth: 1.5, aria: true },
              encoding: { y: { field: 'value', type: 'quantitative' }, description: { field: 'tip' } },
            },
          ]
        : []),
      {
        data: { values: rows },
        mark: { type: 'rule', color: '#999' },
        encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
      },
      ...(o.under ?? []),
      {
        data: { values: front },
        mark: { type: 'line', color: '#d95f02', strokeWidth: 2, interpolate: 'step-after' },
        encoding: { x, y, order: { field: 'x', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 60, aria: true },
        encoding: {
          x,
          y,
          color: {
            field: 'front',
            type: 'nominal',
            title: null,
            scale: { domain: ['Pareto front', 'dominated'], range: ['#d95f02', '#7570b3'] },
            legend: { orient: 'bottom', direction: 'horizontal' },
          },
          description: { field: 'tip' },
        },
      },
      ...(rows.some((r) => r.recommended)
        ? [
            {
              data: { values: rows.filter((r) => r.recommended) },
              mark: { type: 'point', shape: 'circle', size: 320, strokeWidth: 2, color: '#1b7f5f', filled: false },
              encoding: { x, y },
            },
          ]
        : []),
      // Vega warns of an infinite extent for a layer without data: only layers with rows.
      ...([['left', true], ['left', false], ['right', true], ['right', false]] as const)
        .filter(([side, above]) => rows.some((r) => r.named && r.side === side && r.recommended === above))
        .map(label),
    ],
  } as ChartSpec;
}

/** `; 400 of 2,000 candidates: the front, the named and an even sample of the rest`, or nothing. */
function sampledNote(shown: number, total: number): string {
  return shown < total ? `; ${fmtInt(shown)} of ${fmtInt(total)} candidates: the front, the named and an even sample of the rest` : '';
}

/**
 * Metric against parameter count (log x): each candidate's mean with its 95 % interval, each of its
 * trials as a small ring, the Pareto front and the recommendation. Past CHART_BOUNDS.paretoPoints
 * candidates: the front and the named ones, and an even sample (by rank) of the rest.
 */
export function paretoSpec(a: RunAnalysis, layout: Layout = 'wide'): ChartSpec {
  const { rows, total } = scatterRows(a, (c) => c.params);
  const byId = new Map(a.ranked.map((c) => [c.id, c]));
  const trialCount = rows.reduce((s, r) => s + (byId.get(r.id)?.points.length ?? 0), 0);
  const trialRows = (trialCount <= CHART_BOUNDS.trialPoints ? rows : rows.filter((r) => r.pareto || r.named)).flatMap((r) =>
    (byId.get(r.id)?.points ?? []).map((p) => ({
      x: r.x,
      value: p.value,
      tip: `${r.label}, repeat ${p.repeat + 1} fold ${p.fold + 1}: ${a.metric} ${withUnit(fmtValue(p.value), a.unit)}`,
    })),
  );
  const trialsNote = trialRows.length === 0 ? '' : trialCount <= CHART_BOUNDS.trialPoints ? '; rings: single trials' : '; rings: single trials of the front and the named candidates';
  return scatterSpec(a, rows, {
    title: `Validation ${metricTitle(a)} against parameter count`,
    subtitle: `mean with 95 % interval${trialsNote}; ${direction(a)}`,
    subtitleEnd: `${a.recommended ? '; green circle: the recommendation' : ''}${sampledNote(rows.length, total)}`,
    xTitle: 'parameters (log scale)',
    layout,
    under: trialRows.length
      ? [
          {
            data: { values: trialRows },
            mark: { type: 'point', filled: false, size: 22, opacity: 0.55, color: '#555', strokeWidth: 1, aria: true },
            encoding: { x: { field: 'x', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'value', type: 'quantitative' }, description: { field: 'tip' } },
          },
        ]
      : [],
  });
}

const BYTES_LABEL = "format(datum.value, '~s') + 'B'";

/** Metric against inference latency per sample (log x), with the front over (latency, metric). Null when no candidate has a latency. */
export function latencySpec(a: RunAnalysis): ChartSpec | null {
  const { rows, total } = scatterRows(a, (c) => c.doc.timing.inferenceMsPerSample);
  if (rows.length === 0) return null;
  const backends = [...new Set(a.ranked.map((c) => c.doc.backend))].join(', ');
  return scatterSpec(a, rows, {
    title: `Validation ${metricTitle(a)} against inference latency`,
    subtitle: `mean with 95 % interval; front: no candidate is both faster and better; latency: one batch predict over the validation split per trial, ms per sample, on the backend that trained it (${backends}) while other candidates trained — compare, do not quote`,
    subtitleEnd: sampledNote(rows.length, total),
    xTitle: 'ms per sample (log scale)',
    layout: 'narrow',
  });
}

/** Metric against model size in bytes (float32 weights, log x), with the front over (size, metric). Null without parameter counts. */
export function sizeSpec(a: RunAnalysis): ChartSpec | null {
  const { rows, total } = scatterRows(a, (c) => (c.params === null ? null : c.params * BYTES_PER_PARAMETER));
  if (rows.length === 0) return null;
  return scatterSpec(a, rows, {
    title: `Validation ${metricTitle(a)} against model size`,
    subtitle: `mean with 95 % interval; front: no candidate is both smaller and better; size: the weights as saved (float32, ${BYTES_PER_PARAMETER} bytes per parameter)`,
    subtitleEnd: sampledNote(rows.length, total),
    xTitle: 'weights (bytes, log scale)',
    xLabelExpr: BYTES_LABEL,
    layout: 'narrow',
  });
}

/**
 * The edge choice: among the candidates "≈ best" (the decision rule's test: not significantly worse than
 * the best) that beat the baseline, the fastest and the smallest. Null without ranked candidates.
 */
export function edgeChoice(a: RunAnalysis): { fastest: RankedCandidate | null; smallest: RankedCandidate | null; pool: number } | null {
  if (!a.best) return null;
  const pool = a.ranked.filter((c) => c.approxBest === true && (!c.vsBaseline || c.vsBaseline.verdict === 'beats'));
  const by = (f: (c: RankedCandidate) => number | null) =>
    pool.filter((c) => f(c) !== null).sort((p, q) => f(p)! - f(q)! || p.rank - q.rank)[0] ?? null;
  return { fastest: by((c) => c.doc.timing.inferenceMsPerSample), smallest: by((c) => c.params), pool: pool.length };
}

// ---------------------------------------------------------------------------------------------
// What mattered: the marginal means of depth and of width.
// ---------------------------------------------------------------------------------------------

/** The y range both what-mattered charts share, so their effects compare by eye. */
export function effectsDomain(effects: readonly (FactorEffect | null)[]): [number, number] | null {
  const ends = effects.flatMap((e) => (e ? e.levels.flatMap((l) => [l.summary.ci?.lo ?? l.summary.mean, l.summary.ci?.hi ?? l.summary.mean]) : []));
  if (ends.length === 0) return null;
  const [lo, hi] = [Math.min(...ends), Math.max(...ends)];
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(hi) * 0.01 || 0.01;
  return [lo - pad, hi + pad];
}

/** One factor's marginal means with their 95 % intervals; the best and worst levels marked. */
export function effectSpec(e: FactorEffect, a: Pick<RunAnalysis, 'metric' | 'unit' | 'higherIsBetter'>, domain: [number, number]): ChartSpec {
  const levels = e.levels.length <= CHART_BOUNDS.effectLevels ? e.levels : evenSample(e.levels, CHART_BOUNDS.effectLevels);
  const other = e.factor === 'depth' ? 'width' : 'depth';
  const rows = levels.map((l) => ({
    level: l.level,
    mean: l.summary.mean,
    lo: l.summary.ci?.lo ?? l.summary.mean,
    hi: l.summary.ci?.hi ?? l.summary.mean,
    role: l === e.best ? 'best' : l === e.worst ? 'worst' : 'other',
    tip:
      `${e.factor} ${l.level}: ${a.metric} ${fmtMeanSe(l.summary.mean, l.summary.se, a.unit)}` +
      `${l.summary.ci ? `, 95 % CI ${fmtInterval(l.summary.ci, l.summary.se, a.unit)}` : ', no interval'}\n` +
      `the mean of ${l.candidates} candidate${l.candidates === 1 ? '' : 's'} (${other}s ${e.over.length > 6 ? `${e.over[0]}–${e.over.at(-1)}` : e.over.join(', ')})` +
      `${e.paired ? `, trial by trial over ${l.summary.n} trials` : ''}`,
  }));
  const x = { field: 'level', type: 'ordinal', sort: levels.map((l) => l.level), title: e.factor, axis: { labelAngle: 0, labelOverlap: true } };
  const y = { field: 'mean', type: 'quantitative', scale: { domain, zero: false, nice: false }, title: metricTitle(a) };
  const sampled = levels.length < e.levels.length ? `; ${levels.length} of ${e.levels.length} levels shown` : '';
  return {
    $schema: SCHEMA,
    title: { text: `By ${e.factor}`, subtitle: `mean over ${other}s with 95 % interval${sampled}` },
    width: PLOT_WIDTH.narrow,
    height: 200,
    config: CONFIG,
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeWidth: 1.5 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
      { mark: { type: 'line', color: '#4c78a8', strokeWidth: 1, strokeDash: [3, 3] }, encoding: { x, y } },
      {
        mark: { type: 'point', filled: true, size: 70, aria: true },
        encoding: {
          x,
          y,
          color: { field: 'role', type: 'nominal', scale: { domain: ['best', 'worst', 'other'], range: ['#1b7f5f', '#b91c1c', '#4c78a8'] }, legend: null },
          description: { field: 'tip' },
        },
      },
    ],
  } as ChartSpec;
}

// ---------------------------------------------------------------------------------------------
// Training curves: one small chart per candidate.
// ---------------------------------------------------------------------------------------------

/** The candidates whose curves are drawn: every one up to CHART_BOUNDS.curvePanels, else the leading ones and the recommendation. */
export function curveCandidates(a: RunAnalysis): RankedCandidate[] {
  const withCurves = a.ranked.filter((c) => c.doc.trials.some((t) => t.epochs.length > 0));
  if (withCurves.length <= CHART_BOUNDS.curvePanels) return withCurves;
  const lead = withCurves.slice(0, CHART_BOUNDS.curvePanels - 1);
  const rec = a.recommended;
  const extra = rec && !lead.includes(rec) && withCurves.includes(rec) ? rec : withCurves[CHART_BOUNDS.curvePanels - 1]!;
  return [...lead, extra].sort((p, q) => p.rank - q.rank);
}

/** What the loss row is called: the standardised target for regressions. */
export function lossTitle(task?: string): string {
  return task === 'regression' || task === 'forecast' ? 'loss (standardised)' : 'loss';
}

/**
 * One candidate's training and validation curves (mean over trials per epoch): the ranking metric
 * above, with the baseline as a rule, and the loss training minimises below; dashed: the mean kept
 * epoch. Epoch ticks are whole numbers.
 */
export function candidateCurvesSpec(c: RankedCandidate, a: RunAnalysis, task?: string): ChartSpec {
  const rows: Record<string, unknown>[] = [];
  const curve = meanCurve(c.doc.trials);
  const tip = (split: string, measure: string) => `${split} ${measure} of ${c.label}, mean over ${c.doc.trials.length} trial${c.doc.trials.length === 1 ? '' : 's'} per epoch`;
  for (const e of curve) {
    rows.push({ kind: 'curve', measure: 'metric', epoch: e.epoch, split: 'training', value: e.metric, tip: tip('training', a.metric) });
    rows.push({ kind: 'curve', measure: 'metric', epoch: e.epoch, split: 'validation', value: e.valMetric, tip: tip('validation', a.metric) });
    rows.push({ kind: 'curve', measure: 'loss', epoch: e.epoch, split: 'training', value: e.loss, tip: tip('training', 'loss') });
    rows.push({ kind: 'curve', measure: 'loss', epoch: e.epoch, split: 'validation', value: e.valLoss, tip: tip('validation', 'loss') });
  }
  const kept = meanKeptEpoch(c);
  const last = curve.at(-1)?.epoch ?? 1;
  const x = {
    field: 'epoch',
    type: 'quantitative',
    scale: { domain: [1, Math.max(2, last)], nice: false },
    axis: { tickMinStep: 1, format: 'd', labelOverlap: true },
  };
  const lines = (measure: 'metric' | 'loss', title: string, height: number, withX: boolean) => ({
    height,
    width: PLOT_WIDTH.narrow,
    layer: [
      {
        data: { values: rows },
        transform: [{ filter: `datum.kind === 'curve' && datum.measure === '${measure}'` }],
        mark: { type: 'line', strokeWidth: 2, aria: true },
        encoding: {
          x: { ...x, title: withX ? 'epoch' : null },
          y: { field: 'value', type: 'quantitative', scale: { zero: false }, title },
          color: { field: 'split', type: 'nominal', scale: { domain: ['training', 'validation'], range: ['#1f77b4', '#ff7f0e'] }, legend: null },
          description: { field: 'tip' },
        },
      },
      ...(kept === null
        ? []
        : [{ data: { values: [{ kept, tip: `mean kept epoch ${oneDecimal(kept)}` }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#666', aria: true }, encoding: { x: { field: 'kept', type: 'quantitative' }, description: { field: 'tip' } } }]),
      ...(measure === 'metric' && a.baseline && nearData(a.baseline.summary.mean, curve.flatMap((e) => [e.metric, e.valMetric]))
        ? [
            {
              data: { values: [{ value: a.baseline.summary.mean, tip: baselineLabel(a) }] },
              mark: { type: 'rule', color: '#b45309', strokeWidth: 1.5, strokeDash: [2, 2], aria: true },
              encoding: { y: { field: 'value', type: 'quantitative' }, description: { field: 'tip' } },
            },
          ]
        : []),
    ],
  });
  return {
    $schema: SCHEMA,
    title: { text: `#${c.rank} ${c.label}`, subtitle: `${a.metric} ${fmtMeanSe(c.summary.mean, c.summary.se, a.unit)}` },
    config: CONFIG,
    vconcat: [lines('metric', metricTitle(a), 110, false), lines('loss', lossTitle(task), 80, true)],
    spacing: 8,
  } as ChartSpec;
}

// ---------------------------------------------------------------------------------------------
// Wall time.
// ---------------------------------------------------------------------------------------------

/** Wall time per candidate (failed ones included: they cost time too); past CHART_BOUNDS.timeBars candidates, the slowest ones. */
export function timeSpec(docs: readonly CandidateDoc[]): ChartSpec {
  const all = docs
    .map((d) => ({
      label: candidateLabel(d),
      seconds: d.timing.wallSeconds,
      status: d.status,
      tip: `${candidateLabel(d)} — ${d.status}\n${fmtSeconds1(d.timing.wallSeconds)} s in all, ${fmtSeconds1(d.timing.fitSeconds)} s inside fit`,
    }))
    .sort((x, y) => y.seconds - x.seconds);
  const rows = all.slice(0, CHART_BOUNDS.timeBars);
  const order = rows.map((r) => r.label);
  const total = all.reduce((s, r) => s + r.seconds, 0);
  const subtitle =
    rows.length < all.length
      ? `the ${rows.length} slowest of ${fmtInt(all.length)} candidates (${fmtShort(total)} s in all); data preparation, all trials, evaluation and writing`
      : 'data preparation, all trials, evaluation and writing';
  return {
    $schema: SCHEMA,
    title: { text: 'Wall time per candidate', subtitle },
    width: 180,
    height: { step: 18 },
    config: CONFIG,
    data: { values: rows },
    mark: { type: 'bar', aria: true },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: order, title: null, axis: { labelLimit: 160 } },
      x: { field: 'seconds', type: 'quantitative', title: 'seconds', axis: { labelOverlap: true } },
      color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['succeeded', 'failed'], range: ['#4c78a8', '#e45756'] }, legend: { orient: 'bottom', direction: 'horizontal' } },
      description: { field: 'tip' },
    },
  } as ChartSpec;
}

const fmtSeconds1 = (s: number) => s.toFixed(1);

// ---------------------------------------------------------------------------------------------
// History.
// ---------------------------------------------------------------------------------------------

export interface HistoryPoint {
  date: string;
  runId: string;
  mean: number;
  lo: number;
  hi: number;
  best: string;
  changed: boolean;
  /** The hover text; built from the other fields when absent. */
  tip?: string;
}

const DAY = 86_400_000;

/**
 * The best metric over time, ± one standard error, with marks where the winning architecture changed.
 * The time axis always spans at least two days, so one run (or runs within a day) reads as a date, not
 * as fractions of a second.
 */
export function historySpec(points: readonly HistoryPoint[], metric: string, higherIsBetter: boolean, layout: Layout = 'wide'): ChartSpec {
  const changes = points.filter((p) => p.changed);
  const times = points.map((p) => Date.parse(p.date)).filter((t) => Number.isFinite(t));
  const [first, last] = times.length ? [Math.min(...times), Math.max(...times)] : [0, 0];
  const days = (last - first) / DAY;
  const pad = days >= 2 ? Math.max(DAY / 4, (last - first) * 0.04) : DAY;
  const iso = (t: number) => new Date(t).toISOString();
  const ticks = layout === 'wide' ? 8 : 4;
  const x = {
    field: 'date',
    type: 'temporal',
    title: 'run date (UTC)',
    scale: { type: 'utc', domain: [iso(first - pad), iso(last + pad)], nice: false },
    axis: {
      format: days >= 300 ? '%b %Y' : '%b %d',
      tickCount: { interval: 'day', step: Math.max(1, Math.ceil((days + 2) / ticks)) },
      labelOverlap: true,
      labelAngle: 0,
    },
  };
  const rows = points.map((p) => ({ ...p, tip: p.tip ?? `${p.runId} · ${p.date.slice(0, 16).replace('T', ' ')} UTC\nbest: ${p.best}\n${metric} ${fmtValue(p.mean)}` }));
  return {
    $schema: SCHEMA,
    title: { text: `Best validation ${metric} over time`, subtitle: `± one standard error; ${higherIsBetter ? 'higher' : 'lower'} is better; dashed: the winning architecture changed` },
    width: PLOT_WIDTH[layout],
    height: layout === 'wide' ? 260 : 200,
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
            ...(layout === 'wide'
              ? [
                  {
                    data: { values: changes },
                    mark: { type: 'text', angle: 0, align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 11, color: '#d62728' },
                    encoding: { x, text: { field: 'best', type: 'nominal' } },
                  },
                ]
              : []),
          ]),
      {
        data: { values: rows },
        mark: { type: 'rule', color: '#999' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: metric },
          y2: { field: 'hi' },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'line', color: '#4c78a8' },
        encoding: { x, y: { field: 'mean', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 50, color: '#4c78a8', aria: true },
        encoding: { x, y: { field: 'mean', type: 'quantitative' }, description: { field: 'tip' } },
      },
    ],
  } as ChartSpec;
}

// ---------------------------------------------------------------------------------------------
// Rendering.
// ---------------------------------------------------------------------------------------------

/**
 * Compile a vega-lite spec and render it to an SVG string in Node. Element ids inside the SVG
 * (clip paths, gradients) are prefixed with `idPrefix` so several charts can be inlined in one page
 * without their `url(#clip1)` references colliding; every described mark gets its description as an
 * SVG `<title>`, the hover text.
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
    return svgTitles(prefixSvgIds(svg, idPrefix));
  } finally {
    view.finalize();
  }
}

/** A chart's spec without its title, for drawing: the page writes the title and subtitle as text. */
export function untitled(spec: ChartSpec): ChartSpec {
  const { title: _title, ...rest } = spec as ChartSpec & { title?: unknown };
  return rest as ChartSpec;
}

/** The title and subtitle of a spec built here. */
export function specTitle(spec: ChartSpec): { text: string; subtitle: string } {
  const t = (spec as { title?: { text?: string; subtitle?: string } }).title;
  return { text: t?.text ?? '', subtitle: t?.subtitle ?? '' };
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
 * Vega writes a mark's description as its `aria-label`; browsers show an SVG `<title>` child on hover.
 * Moves each described element's label into a title (the value stays XML-escaped: it is valid text).
 */
export function svgTitles(svg: string): string {
  return svg.replace(/<(path|rect|line|text|g)\b([^>]*?) aria-label="([^"]*)"([^>]*?)(\/?)>/g, (_m, tag: string, before: string, label: string, after: string, selfClosing: string) =>
    selfClosing ? `<${tag}${before}${after}><title>${label}</title></${tag}>` : `<${tag}${before}${after}><title>${label}</title>`,
  );
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
