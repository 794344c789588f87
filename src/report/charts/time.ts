/** Wall time per candidate, failed ones included. */
import { fmtInt } from '../../format.js';
import { candidateLabel } from '../../results/analysis.js';
import type { CandidateDoc } from '../../results/document.js';
import { CHART_BOUNDS, CONFIG, SCHEMA, fmtShort, type ChartSpec } from './shared.js';

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
