/** For the edge: the metric against inference latency and against model size, and the edge choice. */
import type { RankedCandidate, RunAnalysis } from '../../results/analysis.js';
import { scatterRows, scatterSpec, sampledNote } from './scatter.js';
import { BYTES_PER_PARAMETER, metricTitle, type ChartSpec } from './shared.js';

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
  const by = (f: (c: RankedCandidate) => number | null) => pool.filter((c) => f(c) !== null).sort((p, q) => f(p)! - f(q)! || p.rank - q.rank)[0] ?? null;
  return { fastest: by((c) => c.doc.timing.inferenceMsPerSample), smallest: by((c) => c.params), pool: pool.length };
}
