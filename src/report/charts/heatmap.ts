/** The depth × width heatmap of the mean metric, coloured from the baseline to the best. */
import { candidateLabel, type RunAnalysis } from '../../results/analysis.js';
import { fmtPercent, fmtUncertainty, fmtValue, withUnit } from '../../format.js';
import { CHART_BOUNDS, CONFIG, PLOT_WIDTH, SCHEMA, candidateTip, direction, fmtShort, metricTitle, type ChartSpec, type Layout } from './shared.js';

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
