import { describe, expect, it } from 'vitest';
import { heatmapSpec, paretoSpec, prefixSvgIds, renderSvg, type ChartSpec } from '../src/report/charts.js';
import { analyzeRun } from '../src/report/stats.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

describe('charts rendered to SVG in Node', () => {
  it('renders a chart with its marks and ids unique to the chart', async () => {
    const a = analyzeRun(
      [makeDoc({ depth: 1, width: 16, values: [0.8, 0.82] }), makeDoc({ depth: 2, width: 16, values: [0.85, 0.86] }), makeDoc({ depth: 2, width: 32, values: [0.84, 0.85] })],
      makeSpec(),
    );
    const svg = await renderSvg(paretoSpec(a), 'pareto');
    expect(svg.startsWith('<svg')).toBe(true);
    // Three candidates as points, plus the ring around the recommendation.
    const symbols = svg.slice(svg.indexOf('<g class="mark-symbol role-mark'));
    expect(symbols.slice(0, symbols.indexOf('</g>')).match(/<path/g)).toHaveLength(3);
    // The heatmap's legend gradient is an id referenced by url(#…): both carry the chart's prefix.
    const heat = await renderSvg(heatmapSpec(a), 'heatmap');
    const ids = [...heat.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
    const refs = [...heat.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('heatmap-'))).toBe(true);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.every((r) => ids.includes(r))).toBe(true);
  });

  it('prefixes ids and their references', () => {
    expect(prefixSvgIds('<clipPath id="clip1"></clipPath><g clip-path="url(#clip1)"><use href="#clip1"/></g>', 'a b')).toBe(
      '<clipPath id="a_b-clip1"></clipPath><g clip-path="url(#a_b-clip1)"><use href="#a_b-clip1"/></g>',
    );
  });

  it('fails loudly on a chart vega cannot draw instead of returning a broken SVG', async () => {
    const bad = {
      // 'utcday' is not a vega time interval: the axis transform throws inside vega's dataflow.
      data: { values: [{ t: '2026-03-01', y: 1 }, { t: '2026-03-05', y: 2 }] },
      mark: 'point',
      encoding: {
        x: { field: 't', type: 'temporal', scale: { type: 'utc' }, axis: { tickCount: { interval: 'utcday', step: 1 } } },
        y: { field: 'y', type: 'quantitative' },
      },
    } as unknown as ChartSpec;
    await expect(renderSvg(bad, 'bad')).rejects.toThrow(/^chart bad: /);
  });

  it('colours the heatmap so that better is brighter, for either metric direction', () => {
    const rmse = makeSpec({ dataset: { key: 'datasets/x.csv', task: 'regression', target: 'y' } });
    const a = analyzeRun([makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [1, 2] })], rmse);
    const spec = heatmapSpec(a) as unknown as { layer: { encoding?: { color?: { scale?: { reverse?: boolean } } } }[] };
    expect(spec.layer[0]!.encoding!.color!.scale!.reverse).toBe(true);
  });
});
