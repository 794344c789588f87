import { describe, expect, it } from 'vitest';
import { candidateCurvesSpec, heatmapSpec, paretoSpec, renderSvg, untitled, type ChartSpec } from '../src/report/charts/index.js';
import { analyzeRun } from '../src/results/analysis.js';
import { WARM_UP_CHARTS } from '../src/report/charts/draw-thread.js';
import { drawSvg } from '../src/report/charts/render.js';
import { startDrawingThread } from '../src/workflow/drawing-thread.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

const docs = () => [makeDoc({ depth: 1, width: 16, values: [0.8, 0.82] }), makeDoc({ depth: 2, width: 16, values: [0.85, 0.86] }), makeDoc({ depth: 2, width: 32, values: [0.84, 0.85] })];

/** A report's kinds of charts: with a gradient (the heatmap's legend), in both layouts, and a curve per candidate. */
function charts(): [ChartSpec, string][] {
  const analysis = analyzeRun(docs(), makeSpec());
  const out: [ChartSpec, string][] = [];
  for (const layout of ['wide', 'narrow'] as const) {
    out.push([untitled(heatmapSpec(analysis, layout)), `heatmap-${layout}`], [untitled(paretoSpec(analysis, layout)), `pareto-${layout}`]);
  }
  for (const [i, c] of analysis.ranked.entries()) out.push([untitled(candidateCurvesSpec(c, analysis)), `curves-${i}`]);
  return out;
}

describe('the chart-drawing thread', () => {
  it('draws its share of the charts, each the SVG this thread draws', async () => {
    const specs = charts();
    const thread = await startDrawingThread();
    await thread.ready;
    let shared: string[];
    try {
      shared = await Promise.all(specs.map(([spec, prefix]) => renderSvg(spec, prefix)));
      expect(thread.drawn()).toBeGreaterThan(0);
    } finally {
      await thread.stop();
    }
    // Drawn here alone, after other charts (vega's process-wide id counters have moved on): the same SVGs,
    // their gradients numbered from vega's first number.
    const here = await Promise.all(specs.map(([spec, prefix]) => renderSvg(spec, prefix)));
    expect(shared).toEqual(here);
    expect(here.some((svg) => /id="[\w-]+-gradient_0"/.test(svg))).toBe(true);
  });

  it('fails a chart vega cannot draw with the error drawn here', async () => {
    const bad = {
      data: { values: [{ t: '2026-03-01', y: 1 }] },
      mark: 'point',
      encoding: { x: { field: 't', type: 'temporal', axis: { tickCount: { interval: 'utcday', step: 1 } } }, y: { field: 'y', type: 'quantitative' } },
    } as unknown as ChartSpec;
    const thread = await startDrawingThread();
    await thread.ready;
    try {
      const results = await Promise.allSettled([renderSvg(bad, 'bad'), renderSvg(bad, 'bad2')]);
      expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message).slice(0, 10) : 'drawn'))).toEqual(['chart bad:', 'chart bad2']);
    } finally {
      await thread.stop();
    }
  });

  it('warms up on charts vega draws (a failing one would warm up nothing)', async () => {
    const svgs = await Promise.all(WARM_UP_CHARTS.map((spec, i) => drawSvg(spec, `warm-up-${i}`)));
    expect(svgs.every((svg) => svg.startsWith('<svg') && svg.includes('role-mark'))).toBe(true);
  });
});
