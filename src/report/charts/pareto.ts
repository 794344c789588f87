/** The metric against parameter count: every candidate with its interval and trials, the Pareto front. */
import { fmtValue, withUnit } from '../../format.js';
import type { RunAnalysis } from '../../results/analysis.js';
import { scatterRows, scatterSpec, sampledNote } from './scatter.js';
import { CHART_BOUNDS, direction, metricTitle, type ChartSpec, type Layout } from './shared.js';

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
