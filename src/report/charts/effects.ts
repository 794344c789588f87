/** What mattered: one factor's (depth's or width's) marginal means with their intervals. */
import type { FactorEffect } from '../effects.js';
import { fmtInterval, fmtMeanSe } from '../../format.js';
import type { RunAnalysis } from '../../results/analysis.js';
import { CHART_BOUNDS, CONFIG, PLOT_WIDTH, SCHEMA, evenSample, metricTitle, type ChartSpec } from './shared.js';

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
