/** The report's charts stay bounded whatever the sweep's size (CHART_BOUNDS), and say when they aggregate or sample. */
import { describe, expect, it } from 'vitest';
import { CHART_BOUNDS, curveCandidates, effectSpec, effectsDomain, heatmapSpec, latencySpec, paretoSpec, sizeSpec, timeSpec } from '../src/report/charts/index.js';
import { runEffects } from '../src/report/effects.js';
import { analyzeRun } from '../src/results/analysis.js';
import type { CandidateDoc } from '../src/results/document.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

/** depth 1–40 × width 1–50: 2,000 candidates, the best at depth 8, width 20; every 97th failed. */
function bigRun() {
  const docs: CandidateDoc[] = [];
  for (let depth = 1; depth <= 40; depth++) {
    for (let width = 1; width <= 50; width++) {
      const i = docs.length;
      const v = 0.9 - Math.abs(depth - 8) / 400 - Math.abs(width - 20) / 1000 + (i % 7) / 10_000;
      docs.push(i % 97 === 0 ? makeDoc({ depth, width, values: [], status: 'failed' }) : makeDoc({ depth, width, values: [v, v + 0.002], epochs: 2 }));
    }
  }
  return { docs, analysis: analyzeRun(docs, makeSpec()) };
}

const values = (spec: unknown): Record<string, unknown>[] => (spec as { data: { values: Record<string, unknown>[] } }).data.values;
const subtitle = (spec: unknown): string => (spec as { title: { subtitle: string } }).title.subtitle;

describe('charts of a 2,000-candidate sweep', () => {
  const { docs, analysis } = bigRun();

  it('heatmap: groups 40 depths and 50 widths into at most CHART_BOUNDS.heatmapAxis² cells, each the best of its group', () => {
    const spec = heatmapSpec(analysis);
    const cells = values(spec);
    expect(cells.length).toBeLessThanOrEqual(CHART_BOUNDS.heatmapAxis ** 2);
    expect(new Set(cells.map((c) => c.depth)).size).toBe(CHART_BOUNDS.heatmapAxis);
    expect(subtitle(spec)).toContain('each cell the best of its group');
    // The best candidate's cell holds the best mean of the run.
    const best = analysis.ranked[0]!;
    expect(Math.max(...cells.map((c) => (c.mean as number | null) ?? -Infinity))).toBe(best.summary.mean);
    // Too many cells to write values in: only failed cells keep a label.
    expect(cells.filter((c) => c.label !== '' && c.status === 'ok')).toEqual([]);
  });

  it('pareto: keeps the whole front and the recommendation, samples the rest down to the bound', () => {
    const spec = paretoSpec(analysis) as unknown as { layer: { data: { values: { pareto: boolean; recommended: boolean }[] } }[] };
    const points = spec.layer[0]!.data.values;
    expect(points.length).toBeLessThanOrEqual(CHART_BOUNDS.paretoPoints);
    expect(points.filter((p) => p.pareto)).toHaveLength(analysis.ranked.filter((c) => c.pareto).length);
    expect(points.filter((p) => p.recommended)).toHaveLength(1);
    expect(subtitle(spec)).toContain(`; ${points.length} of ${analysis.ranked.length.toLocaleString('en-US')} candidates`);
  });

  it('wall time: the slowest candidates only', () => {
    const spec = timeSpec(docs);
    expect(values(spec)).toHaveLength(CHART_BOUNDS.timeBars);
    expect(subtitle(spec)).toContain(`the ${CHART_BOUNDS.timeBars} slowest of ${docs.length.toLocaleString('en-US')} candidates`);
  });

  it('pareto: draws the single trials of every drawn candidate up to a bound, beyond it those of the front and the named', () => {
    const trialRows = (spec: unknown) => (spec as { layer: { data?: { values: { tip?: string }[] } }[] }).layer.flatMap((l) => l.data?.values ?? []).filter((r) => / fold \d+: /.test(r.tip ?? ''));
    // 400 drawn candidates × 2 trials: every trial.
    expect(trialRows(paretoSpec(analysis))).toHaveLength(2 * CHART_BOUNDS.paretoPoints);
    // 300 candidates × 10 trials is past the bound.
    const many = analyzeRun(
      Array.from({ length: 300 }, (_, i) => makeDoc({ depth: 1 + (i % 15), width: 1 + Math.floor(i / 15), values: Array.from({ length: 10 }, (_, j) => 0.8 + ((i * 7 + j) % 13) / 1000), epochs: 2 })),
      makeSpec(),
    );
    const spec = paretoSpec(many);
    const front = many.ranked.filter((c) => c.pareto).length;
    expect(trialRows(spec).length).toBeLessThanOrEqual(CHART_BOUNDS.trialPoints);
    expect(trialRows(spec).length).toBeGreaterThanOrEqual(10 * front);
    expect(subtitle(spec)).toContain('rings: single trials of the front and the named candidates');
  });

  it('latency and size: the same bound as the parameter chart', () => {
    for (const spec of [latencySpec(analysis)!, sizeSpec(analysis)!]) {
      const points = (spec as unknown as { layer: { mark: { type: string; filled?: boolean }; data: { values: unknown[] } }[] }).layer.find((l) => l.mark.type === 'point' && l.mark.filled)!.data
        .values;
      expect(points.length).toBeLessThanOrEqual(CHART_BOUNDS.paretoPoints);
    }
  });

  it('curves: the leading candidates and the recommendation, one chart each, up to the bound', () => {
    const shown = curveCandidates(analysis);
    expect(shown).toHaveLength(CHART_BOUNDS.curvePanels);
    expect(shown.map((c) => c.id)).toContain(analysis.recommended!.id);
    expect(shown[0]).toBe(analysis.ranked[0]);
  });

  it('what mattered: at most the bound of levels per factor', () => {
    const e = runEffects(analysis);
    const spec = effectSpec(e.width!, analysis, effectsDomain([e.depth, e.width])!);
    expect(values(spec).length).toBeLessThanOrEqual(CHART_BOUNDS.effectLevels);
  });

  it('a small sweep is drawn whole, with values in the cells', () => {
    const small = analyzeRun([makeDoc({ depth: 1, width: 8, values: [0.8, 0.82] }), makeDoc({ depth: 2, width: 8, values: [0.85, 0.86] })], makeSpec());
    expect(values(heatmapSpec(small)).map((c) => c.label)).toEqual(['0.855', '0.81']);
    expect(subtitle(heatmapSpec(small))).toMatch(/^higher is better; colour from the worst candidate \(0\.810\) to the best \(0\.855\); /);
    expect(subtitle(heatmapSpec(small))).not.toContain('grouped');
  });
});
