import { describe, expect, it } from 'vitest';
import { appendHistory, compareWithHistory, historyEntry, historyHtml, historySchema, type HistoryEntry } from '../src/report/history.js';
import { analyzeRun } from '../src/results/analysis.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

const entry = (runId: string, date: string, o: { depth?: number; width?: number; mean?: number; std?: number | null; n?: number; rec?: [number, number] }): HistoryEntry => ({
  runId,
  date,
  best: { candidateId: `dense-d${o.depth ?? 2}-w${o.width ?? 32}`, family: 'dense', depth: o.depth ?? 2, width: o.width ?? 32, params: 1441 },
  metric: { name: 'accuracy', higherIsBetter: true, mean: o.mean ?? 0.84, std: o.std === undefined ? 0.01 : o.std, n: o.n ?? 5 },
  recommended: o.rec ? { candidateId: `dense-d${o.rec[0]}-w${o.rec[1]}`, family: 'dense', depth: o.rec[0], width: o.rec[1], params: 193 } : null,
  candidates: 9,
  failed: 0,
});

describe('appendHistory', () => {
  it('keeps entries in date order and replaces a rerun of the same runId', () => {
    let h = appendHistory(undefined, entry('r2', '2026-03-02T02:00:00Z', {}), 'nightly');
    h = appendHistory(h, entry('r1', '2026-03-01T02:00:00Z', {}));
    h = appendHistory(h, entry('r2', '2026-03-02T02:00:00Z', { mean: 0.9 }));
    expect(h.schema).toBe('layerbench.history.v1');
    expect(h.sweep).toBe('nightly');
    expect(h.entries.map((e) => [e.runId, e.metric.mean])).toEqual([
      ['r1', 0.84],
      ['r2', 0.9],
    ]);
    expect(historySchema.parse(JSON.parse(JSON.stringify(h)))).toEqual(h);
  });
});

describe('compareWithHistory', () => {
  const prev = appendHistory(undefined, entry('r1', '2026-03-01T02:00:00Z', { mean: 0.84, std: 0.01, n: 5, rec: [1, 16] }), 'nightly');

  it('says there is nothing to compare with on the first run', () => {
    const c = compareWithHistory(undefined, entry('r1', '2026-03-01T02:00:00Z', {}));
    expect(c).toMatchObject({ compared: false, bestChanged: false, recommendedChanged: false, metricDropped: false });
  });

  it('a drop beyond twice the combined standard error is a drop', () => {
    // se = 0.01/√5 = 0.004472 each; threshold = 2·√(2·0.004472²) = 0.012649. 0.84 → 0.82 is worse by 0.02.
    const c = compareWithHistory(prev, entry('r2', '2026-03-02T02:00:00Z', { mean: 0.82, rec: [1, 16] }));
    expect(c.threshold).toBeCloseTo(2 * Math.sqrt(2 * (0.01 / Math.sqrt(5)) ** 2), 12);
    expect(c.metricDropped).toBe(true);
    expect(c.bestChanged).toBe(false);
    expect(c.recommendedChanged).toBe(false);
    expect(c.message).toContain('The metric dropped beyond noise: best accuracy 0.840 → 0.820, worse by 0.020 > 0.013');
  });

  it('a smaller dip is noise, and an improvement is never a drop', () => {
    expect(compareWithHistory(prev, entry('r2', '2026-03-02T02:00:00Z', { mean: 0.83 })).metricDropped).toBe(false);
    expect(compareWithHistory(prev, entry('r2', '2026-03-02T02:00:00Z', { mean: 0.9 })).metricDropped).toBe(false);
  });

  it('reports a changed winner and a changed recommendation', () => {
    const c = compareWithHistory(prev, entry('r2', '2026-03-02T02:00:00Z', { depth: 3, width: 64, rec: [2, 16] }));
    expect(c.bestChanged).toBe(true);
    expect(c.recommendedChanged).toBe(true);
    expect(c.message).toContain('The best architecture changed: dense d2 w32 → dense d3 w64.');
    expect(c.message).toContain('The recommendation changed: dense d1 w16 → dense d2 w16.');
  });

  it('for lower-is-better metrics a rise is the drop', () => {
    const rm = (runId: string, date: string, mean: number): HistoryEntry => ({
      ...entry(runId, date, { mean, std: 0.1, n: 4 }),
      metric: { name: 'rmse', higherIsBetter: false, mean, std: 0.1, n: 4 },
    });
    const h = appendHistory(undefined, rm('r1', '2026-03-01', 1.0));
    // se = 0.05 each; threshold = 2·√0.005 = 0.1414.
    expect(compareWithHistory(h, rm('r2', '2026-03-02', 1.2)).metricDropped).toBe(true);
    expect(compareWithHistory(h, rm('r2', '2026-03-02', 0.8)).metricDropped).toBe(false);
  });

  it('with one trial, falls back on the spread of earlier runs, and declines to judge without history', () => {
    const one = (runId: string, date: string, mean: number) => entry(runId, date, { mean, std: null, n: 1 });
    const h1 = appendHistory(undefined, one('r1', '2026-03-01', 0.84));
    const c1 = compareWithHistory(h1, one('r2', '2026-03-02', 0.5));
    expect(c1.threshold).toBeNull();
    expect(c1.metricDropped).toBe(false);
    expect(c1.message).toContain('too little history to tell a drop from noise');
    let h = h1;
    h = appendHistory(h, one('r2', '2026-03-02', 0.85));
    h = appendHistory(h, one('r3', '2026-03-03', 0.86));
    // Earlier best means 0.84, 0.85, 0.86: sample std 0.01, threshold 0.02.
    const c = compareWithHistory(h, one('r4', '2026-03-04', 0.83));
    expect(c.threshold).toBeCloseTo(0.02, 12);
    expect(c.metricDropped).toBe(true);
  });
});

/** The inner SVG of the first vega mark group of a type (`<g class="mark-symbol role-mark ...">`). */
function markGroup(svg: string, type: string): string {
  const start = svg.indexOf(`<g class="mark-${type} role-mark`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = svg.indexOf('</g>', start);
  return svg.slice(start, end);
}

describe('historyEntry and historyHtml', () => {
  it('builds an entry from a run analysis', () => {
    const a = analyzeRun([makeDoc({ depth: 1, width: 16, values: [0.8, 0.81] }), makeDoc({ depth: 2, width: 64, values: [0.85, 0.86] })], makeSpec());
    const e = historyEntry('r1', '2026-03-01T02:05:00Z', a)!;
    expect(e.best).toMatchObject({ depth: 2, width: 64, params: 4929 });
    expect(e.metric).toMatchObject({ name: 'accuracy', n: 2 });
    expect(e.metric.mean).toBeCloseTo(0.855, 12);
    expect(e.recommended).toMatchObject({ depth: 2, width: 64 });
    expect(historyEntry('r0', '2026-03-01', analyzeRun([], makeSpec()))).toBeNull();
  });

  it('renders the best metric over time with the architecture changes marked', async () => {
    let h = appendHistory(undefined, entry('r1', '2026-03-01T02:00:00Z', { mean: 0.84 }), 'nightly');
    h = appendHistory(h, entry('r2', '2026-03-02T02:00:00Z', { mean: 0.845 }));
    h = appendHistory(h, entry('r3', '2026-03-03T02:00:00Z', { mean: 0.85, depth: 3, width: 64 }));
    const html = await historyHtml(h);
    expect(html).toContain('<svg');
    expect(html).toContain('the winning architecture changed 1 time.');
    expect(html.match(/<tr class="changed">/g)).toHaveLength(1);
    // One point per run on the line, and one dashed rule where the winner changed.
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(markGroup(svg, 'symbol').match(/<path/g)).toHaveLength(3);
    expect(markGroup(svg, 'line').match(/<path/g)).toHaveLength(1);
    expect(svg).toContain('dense d3 w64');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    // Every run links to its report, and every point tells its run on hover.
    expect(html).toContain('<a href="../runs/r2/report.html"><code>r2</code></a>');
    expect(svg.match(/<title>run r\d · /g)).toHaveLength(3);
  });

  it('reads with one run: what it found, and a date axis', async () => {
    const html = await historyHtml(appendHistory(undefined, entry('r1', '2026-03-01T02:05:00.813Z', { mean: 0.84 }), 'nightly'));
    expect(html).toContain('One run so far (2026-03-01): the best was dense d2 w32, accuracy 0.840 ± 0.0045. The chart gains a line with the next run.');
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg).toContain('>Mar 01</text>');
    expect(svg).not.toMatch(/>\.\d+<\/text>/);
  });
});
