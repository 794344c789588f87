import { describe, expect, it } from 'vitest';
import {
  candidateCurvesSpec,
  heatmapColourDomain,
  heatmapSpec,
  historySpec,
  latencySpec,
  nearData,
  paretoSpec,
  prefixSvgIds,
  renderSvg,
  sizeSpec,
  svgTitles,
  untitled,
  type ChartSpec,
} from '../src/report/charts/index.js';
import { drawAhead, drawingsAhead } from '../src/report/charts/render.js';
import { analyzeRun } from '../src/results/analysis.js';
import { makeBaseline, makeDoc, makeSpec } from './fixtures/report/factory.js';

/** The texts of the `<title>` elements of an SVG, unescaped. */
function titles(svg: string): string[] {
  return [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) =>
    m[1]!
      .replace(/&#xA;/g, '\n')
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"'),
  );
}

/** The texts of an SVG's axis labels (vega's `role-axis-label` groups). */
function axisLabels(svg: string): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/g)) {
    for (const t of m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) out.push(t[1]!);
  }
  return out;
}

const three = () =>
  analyzeRun([makeDoc({ depth: 1, width: 16, values: [0.8, 0.82] }), makeDoc({ depth: 2, width: 16, values: [0.85, 0.86] }), makeDoc({ depth: 2, width: 32, values: [0.84, 0.85] })], makeSpec());

describe('charts rendered to SVG in Node', () => {
  it('keeps ids unique to the chart, with their references', async () => {
    const heat = await renderSvg(heatmapSpec(three()), 'heatmap');
    // The heatmap's legend gradient is an id referenced by url(#…): both carry the chart's prefix.
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

  it("turns vega's descriptions into hover titles", () => {
    expect(svgTitles('<g><path aria-label="a &amp; b&#xA;c" role="graphics-symbol" d="M0,0"/><text aria-label="t" x="1">t</text></g>')).toBe(
      '<g><path role="graphics-symbol" d="M0,0"><title>a &amp; b&#xA;c</title></path><text x="1"><title>t</title>t</text></g>',
    );
  });

  it('fails loudly on a chart vega cannot draw instead of returning a broken SVG', async () => {
    const bad = {
      // 'utcday' is not a vega time interval: the axis transform throws inside vega's dataflow.
      data: {
        values: [
          { t: '2026-03-01', y: 1 },
          { t: '2026-03-05', y: 2 },
        ],
      },
      mark: 'point',
      encoding: {
        x: { field: 't', type: 'temporal', scale: { type: 'utc' }, axis: { tickCount: { interval: 'utcday', step: 1 } } },
        y: { field: 'y', type: 'quantitative' },
      },
    } as unknown as ChartSpec;
    await expect(renderSvg(bad, 'bad')).rejects.toThrow(/^chart bad: /);
  });

  it('a chart drawn ahead (while Finalize refits) is the chart drawn later, used once; another spec is drawn anew', async () => {
    // vega numbers its gradients per process (gradient_1, gradient_2…): the drawings differ in that only.
    const counted = (svg: string) => svg.replace(/gradient_\d+/g, 'gradient_N');
    const spec = untitled(heatmapSpec(three()));
    const fresh = await renderSvg(spec, 'heatmap');
    let early = '';
    await drawAhead(async () => {
      early = await renderSvg(spec, 'heatmap');
    });
    expect(counted(early)).toBe(counted(fresh));
    expect(drawingsAhead()).toBe(1);
    expect(counted(await renderSvg(untitled(heatmapSpec(three(), 'narrow')), 'heatmap'))).not.toBe(counted(fresh));
    expect(drawingsAhead()).toBe(1);
    expect(await renderSvg(spec, 'heatmap')).toBe(early);
    expect(drawingsAhead()).toBe(0);
  });
});

describe('what a reader sees on hover', () => {
  it('every candidate on the parameter chart tells its rank, parameters, metric with interval, epochs and latency; every trial its value', async () => {
    const svg = await renderSvg(untitled(paretoSpec(three())), 'pareto');
    const tips = titles(svg);

    const candidates = tips.filter((t) => / — #\d/.test(t));
    expect(candidates).toHaveLength(3);
    expect(candidates.find((t) => t.startsWith('dense d2 w16'))).toBe(
      [
        'dense d2 w16 — #1, best, recommended, Pareto front',
        '465 parameters (1.86 kB of float32 weights)',
        // Two trials of 200 validation rows that agree within their rows' binomial error: the interval is
        // Wilson's at those rows with z (the binomial part is known, not estimated from two trials with
        // t(0.975, 1) = 12.7), inside 0–1.
        'accuracy 0.855 ± 0.018, 95 % CI 0.817 – 0.886 (n = 2)',
        'epochs: kept 12 of 12 trained, on average',
        'latency 0.01 ms per sample (cpu)',
      ].join('\n'),
    );
    // Two trials per candidate, each a ring with its own value.
    expect(tips.filter((t) => /, repeat 1 fold \d: accuracy /.test(t))).toHaveLength(6);
    expect(tips).toContain('dense d1 w16, repeat 1 fold 2: accuracy 0.820');
  });

  it('latency and size charts place the candidates by inference time and by bytes of weights', async () => {
    const a = three();
    const latency = latencySpec(a)!;
    const size = sizeSpec(a)!;
    const sizes = (size as unknown as { layer: { data: { values: { x: number; label: string }[] } }[] }).layer.flatMap((l) => l.data?.values ?? []).filter((r) => r.label === 'dense d2 w16');
    // 10·16 + 16, 16·16 + 16 and 16 + 1 parameters: 465, 4 bytes each.
    expect(sizes[0]!.x).toBe(465 * 4);
    expect(titles(await renderSvg(untitled(latency), 'latency')).filter((t) => / — #\d/.test(t))).toHaveLength(3);
    // No latency recorded anywhere: no latency chart.
    const none = analyzeRun([{ ...makeDoc({ depth: 1, width: 8, values: [0.8, 0.81] }), timing: { wallSeconds: 1, fitSeconds: 1, samplesPerSecond: null, inferenceMsPerSample: null } }], makeSpec());
    expect(latencySpec(none)).toBeNull();
  });
});

describe('the heatmap scale', () => {
  it('runs from the baseline to the best and states the noise band', () => {
    const docs = [makeDoc({ depth: 1, width: 16, values: [0.7, 0.72] }), makeDoc({ depth: 2, width: 16, values: [0.72, 0.726] })];
    const a = analyzeRun(docs, makeSpec(), { baseline: makeBaseline({ values: [0.5, 0.52], folds: 5 }) });
    const spec = heatmapSpec(a) as unknown as { title: { subtitle: string }; layer: { encoding?: { color?: { scale?: { domain?: number[] } } } }[] };

    expect(spec.layer[0]!.encoding!.color!.scale!.domain).toEqual([0.51, 0.723]);
    // The best's standard error: its trials agree more than 400 validation rows allow, so the binomial
    // √(0.723 · 0.277 / 400) = 0.022 — 10.5 % of the 0.213 the colours span.
    expect(spec.title.subtitle).toContain("colour from the baseline (majority class, 0.510) to the best (0.723); noise band: the best's standard error, 0.022 (10.5 % of the colour range)");
  });

  it('without a baseline runs from the worst candidate, and puts better at the bright end for either direction', () => {
    const rmse = makeSpec({ dataset: { key: 'datasets/x.csv', task: 'regression', target: 'y' } });
    const a = analyzeRun([makeDoc({ depth: 1, width: 8, metric: 'rmse', values: [1, 2] }), makeDoc({ depth: 2, width: 8, metric: 'rmse', values: [3, 4] })], rmse);
    // Viridis runs dark → bright from the domain's first value to its last: the worst, then the best.
    expect(heatmapColourDomain(a)).toEqual({ from: 3.5, to: 1.5, anchor: 'worst' });
  });
});

describe('curves and history read as numbers people use', () => {
  it('epoch ticks are whole numbers', async () => {
    // Three epochs: vega's default ticks would be 1.0, 1.5, 2.0, 2.5, 3.0.
    const a = analyzeRun([makeDoc({ depth: 1, width: 8, values: [0.8, 0.81], epochs: 3 })], makeSpec());
    const svg = await renderSvg(untitled(candidateCurvesSpec(a.ranked[0]!, a, 'binary')), 'curves');
    const epochTicks = axisLabels(svg).filter((t) => Number(t) >= 1);
    expect(epochTicks).toEqual(['1', '2', '3', '1', '2', '3']);
  });

  it('one run reads as a date, not as fractions of a second', async () => {
    const one = [{ date: '2026-03-01T02:05:00.813Z', runId: 'r1', mean: 0.84, lo: 0.83, hi: 0.85, best: 'dense d2 w32', changed: false }];
    const svg = await renderSvg(untitled(historySpec(one, 'accuracy', true)), 'history');
    const dates = axisLabels(svg).filter((t) => /[A-Z][a-z]{2}/.test(t));
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((t) => /^[A-Z][a-z]{2} \d{2}$/.test(t))).toBe(true);
    expect(axisLabels(svg).some((t) => /^\.\d+$/.test(t))).toBe(false);
    expect(titles(svg)).toEqual(['r1 · 2026-03-01 02:05 UTC\nbest: dense d2 w32\naccuracy 0.840']);
  });

  it('draws a reference line only where it does not squash the data', () => {
    expect(nearData(0.8, [0.82, 0.86])).toBe(true);
    expect(nearData(0.57, [0.82, 0.86])).toBe(false);
    expect(nearData(0.5, [])).toBe(false);
  });
});
