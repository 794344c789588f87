/**
 * The scatter charts' common part: candidates placed on a log x axis (parameters, latency, bytes) against
 * the metric, with their 95 % intervals, their own Pareto front, the baseline and the named candidates.
 */
import { fmtInt } from '../../format.js';
import type { RankedCandidate, RunAnalysis } from '../../results/analysis.js';
import { paretoFront } from '../../stats/index.js';
import { CHART_BOUNDS, CONFIG, PLOT_WIDTH, SCHEMA, baselineLabel, candidateTip, evenSample, metricTitle, nearData, offChart, type ChartSpec, type Layout } from './shared.js';

export interface ScatterRow {
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
export function scatterRows(a: RunAnalysis, x: (c: RankedCandidate) => number | null): { rows: ScatterRow[]; total: number } {
  const rec = a.recommended?.id;
  const placed = a.ranked.flatMap((c) => {
    const v = x(c);
    return v === null || !Number.isFinite(v) || v <= 0 ? [] : [{ c, v }];
  });
  const front = new Set(
    paretoFront(
      placed.map((p) => ({ params: p.v, mean: p.c.summary.mean, id: p.c.id })),
      a.higherIsBetter,
    ).map((f) => f.id),
  );
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

export interface ScatterOptions {
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

export function scatterSpec(a: RunAnalysis, rows: ScatterRow[], o: ScatterOptions): ChartSpec {
  const x = { field: 'x', type: 'quantitative', scale: { type: 'log' }, title: o.xTitle, axis: { labelOverlap: true, ...(o.xLabelExpr ? { labelExpr: o.xLabelExpr } : {}) } };
  const y = { field: 'mean', type: 'quantitative', scale: { zero: false }, title: metricTitle(a) };
  const front = rows.filter((r) => r.pareto).sort((p, q) => p.x - q.x);
  // The recommendation's name above its point, the others' below, so the two seldom collide.
  const label = ([side, above]: readonly ['left' | 'right', boolean]) => ({
    data: { values: rows.filter((r) => r.named && r.side === side && r.recommended === above) },
    mark: { type: 'text', align: side, dx: side === 'left' ? 9 : -9, dy: above ? -11 : 14, fontSize: 11 },
    encoding: { x, y, text: { field: 'label', type: 'nominal' }, color: { condition: { test: 'datum.recommended', value: '#1b7f5f' }, value: '#444' } },
  });
  const showBaseline =
    a.baseline !== null &&
    rows.length > 0 &&
    nearData(
      a.baseline.summary.mean,
      rows.flatMap((r) => [r.lo, r.hi]),
    );
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
      ...(
        [
          ['left', true],
          ['left', false],
          ['right', true],
          ['right', false],
        ] as const
      )
        .filter(([side, above]) => rows.some((r) => r.named && r.side === side && r.recommended === above))
        .map(label),
    ],
  } as ChartSpec;
}

/** `; 400 of 2,000 candidates: the front, the named and an even sample of the rest`, or nothing. */
export function sampledNote(shown: number, total: number): string {
  return shown < total ? `; ${fmtInt(shown)} of ${fmtInt(total)} candidates: the front, the named and an even sample of the rest` : '';
}
