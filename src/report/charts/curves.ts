/** Training and validation curves: one small chart per candidate, the metric above the loss. */
import { meanCurve } from '../trial-curves.js';
import { fmtMeanSe } from '../../format.js';
import type { RankedCandidate, RunAnalysis } from '../../results/analysis.js';
import { CHART_BOUNDS, CONFIG, PLOT_WIDTH, SCHEMA, baselineLabel, meanKeptEpoch, metricTitle, nearData, oneDecimal, type ChartSpec } from './shared.js';

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
        : [
            {
              data: { values: [{ kept, tip: `mean kept epoch ${oneDecimal(kept)}` }] },
              mark: { type: 'rule', strokeDash: [4, 3], color: '#666', aria: true },
              encoding: { x: { field: 'kept', type: 'quantitative' }, description: { field: 'tip' } },
            },
          ]),
      ...(measure === 'metric' &&
      a.baseline &&
      nearData(
        a.baseline.summary.mean,
        curve.flatMap((e) => [e.metric, e.valMetric]),
      )
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
