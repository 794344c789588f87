import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { analyzeLearningCurve, fractionKey, type CurvePlan } from '../src/results/learning-curve.js';
import { learningCurveSpec } from '../src/report/charts/learning-curve.js';
import { learningCurveHtml, learningCurveMarkdown, learningCurveText } from '../src/report/learning-curve-section.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const manifest = craftedManifest('run-1');
const [small, , , big] = manifest.candidates;
const FRACTIONS = [0.125, 0.25, 0.5, 1];
const noise = [0.004, -0.003, 0.002, -0.004, 0.001];

function doc(level: number, fraction: number, candidate = big!) {
  const d = craftedDoc(
    'run-1',
    candidate,
    noise.map((e) => level + e),
    candidate === big ? 400 : 50,
  );
  return { ...d, trials: d.trials.map((t) => ({ ...t, trainRows: Math.round(1000 * fraction), valRows: 2000 })) };
}

/** A rising curve for the recommended candidate and a flat one for the smaller. */
const lc = analyzeLearningCurve({
  runId: 'run-1',
  metric: 'accuracy',
  higherIsBetter: true,
  unit: null,
  plan: {
    schema: 'layerbench.curve-plan.v1',
    runId: 'run-1',
    fractions: FRACTIONS,
    candidates: [
      { candidateId: big!.id, role: 'recommended' },
      { candidateId: small!.id, role: 'smaller' },
    ],
    createdAt: '',
  } satisfies CurvePlan,
  full: new Map([
    [big!.id, doc(0.85, 1)],
    [small!.id, doc(0.8, 1, small)],
  ]),
  points: new Map([
    ...[0.6, 0.7, 0.78].map((v, i) => [`${big!.id}@${fractionKey(FRACTIONS[i]!)}`, doc(v, FRACTIONS[i]!)] as const),
    ...[0.7, 0.78, 0.8].map((v, i) => [`${small!.id}@${fractionKey(FRACTIONS[i]!)}`, doc(v + (i === 2 ? 0.0004 : 0), FRACTIONS[i]!, small)] as const),
  ]),
  now: new Date(0),
});

async function svg(layout: 'wide' | 'narrow'): Promise<string> {
  // As the report draws it: the title lifted out as the figure's caption.
  const { title: _title, ...spec } = learningCurveSpec(lc, layout)!;
  const view = new vega.View(vega.parse(compile(spec as Parameters<typeof compile>[0]).spec), { renderer: 'none' });
  return view.toSVG();
}

describe('the learning curve in the report', () => {
  it('draws one line per candidate with interval bands, and fits a 375 px screen in the narrow layout', async () => {
    const narrow = await svg('narrow');
    const width = Number(/<svg[^>]*width="([0-9.]+)"/.exec(narrow)![1]);
    expect(width).toBeLessThanOrEqual(375 - 2 * 16);
    expect(narrow).toContain('dense d2 w8 (recommended)');
    expect(narrow).toContain('dense d1 w4 (smaller)');
    expect(await svg('wide')).toContain('the fitted trend at 2,000 rows');
  });

  it("states the verdict in the HTML, the Markdown and the terminal, with each point's rows and interval", () => {
    const html = learningCurveHtml({ doc: lc, figure: null });
    expect(html).toContain('id="learning-curve"');
    expect(html).toContain(lc.verdict.headline.replace(/\(/g, '(').slice(0, 30));
    expect(lc.verdict.headline).toMatch(/^More data is likely to help \(\+0\.0\d+ accuracy at 2× rows\)/);
    expect(learningCurveMarkdown(lc).join('\n')).toMatch(/\| dense d2 w8 \(recommended\) \| 125 rows \(12\.5 %\) \| 0\.600\d? \(0\.\d+ – 0\.\d+\) \|/);
    const text = learningCurveText(lc);
    expect(text.split('\n').every((l) => l.length <= 100)).toBe(true);
    expect(text).toContain('dense d1 w4 (smaller): flat');
    expect(learningCurveHtml(null)).toBe('');
  });
});
