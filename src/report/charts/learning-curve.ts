/**
 * The learning curve's chart: validation score against training rows (log₂ axis: each fraction a
 * doubling), one line per candidate with its 95 % intervals as a band, and the fitted trend's
 * extrapolation to twice the rows as a dashed segment. Reads the learning-curve document only
 * (src/results/learning-curve.ts). The narrow layout (236 px plot, legend below) fits a 375 px screen.
 *
 * Self-contained (its own small config, the same font sizes as the other charts) so that it depends on
 * no other chart module.
 */
import type { TopLevelSpec } from 'vega-lite';
import { fmtInt, fmtPercent, fmtValue, withUnit } from '../../format.js';
import type { LearningCurveDoc } from '../../results/learning-curve.js';

const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  aria: false,
  view: { stroke: '#ddd' },
  axis: { labelColor: '#333', titleColor: '#222', gridColor: '#eee', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600 },
  legend: { labelColor: '#333', titleColor: '#222', labelFontSize: 11, titleFontSize: 12 },
  title: { anchor: 'start', fontSize: 14, fontWeight: 600, subtitleFontSize: 12 },
} as const;

const WIDTH = { wide: 600, narrow: 236 } as const;

/** The chart of a run's learning curve; null when no candidate has two points with a score. */
export function learningCurveSpec(doc: LearningCurveDoc, layout: 'wide' | 'narrow' = 'wide'): TopLevelSpec | null {
  const metric = doc.unit ? `${doc.metric} (${doc.unit})` : doc.metric;
  const series = (c: LearningCurveDoc['candidates'][number]) => `${c.label} (${c.role})`;
  const points = doc.candidates.flatMap((c) =>
    c.points
      .filter((p) => p.mean !== null)
      .map((p) => ({
        candidate: series(c),
        rows: p.trainRows,
        mean: p.mean!,
        lo: p.ci95?.lo ?? p.mean!,
        hi: p.ci95?.hi ?? p.mean!,
        tip: `${c.label}, ${fmtInt(Math.round(p.trainRows))} training rows (${fmtPercent(p.fraction)}): ${doc.metric} ${withUnit(fmtValue(p.mean), doc.unit)}${
          p.ci95 ? `, 95 % CI ${fmtValue(p.ci95.lo)} – ${fmtValue(p.ci95.hi)}` : ''
        }`,
      })),
  );
  if (points.length < 2) return null;
  const trend = doc.candidates.flatMap((c) => {
    const full = c.points.at(-1);
    if (!c.extrapolation || !full || full.mean === null) return [];
    const tip = `${c.label}: the fitted trend at ${fmtInt(Math.round(c.extrapolation.rows))} rows (2×): ${withUnit(fmtValue(c.extrapolation.score), doc.unit)} — an extrapolation`;
    return [
      { candidate: series(c), rows: full.trainRows, score: full.mean, tip },
      { candidate: series(c), rows: c.extrapolation.rows, score: c.extrapolation.score, tip },
    ];
  });
  const narrow = layout === 'narrow';
  const x = { field: 'rows', type: 'quantitative' as const, title: 'training rows (log scale)', scale: { type: 'log' as const, base: 2 }, axis: { tickCount: narrow ? 3 : 6, format: '~s' } };
  const color = {
    field: 'candidate',
    type: 'nominal' as const,
    title: null,
    legend: narrow ? { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 230 } : { orient: 'right' as const, labelLimit: 220 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: {
      text: `Learning curve: validation ${metric} against training rows`,
      subtitle: `mean with 95 % interval (band) per candidate; dashed: the fitted trend to 2× rows; ${doc.higherIsBetter ? 'higher' : 'lower'} is better`,
    },
    width: WIDTH[layout],
    height: narrow ? 200 : 260,
    layer: [
      {
        data: { values: points },
        mark: { type: 'area', opacity: 0.15 },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: `validation ${metric}`, scale: { zero: false } }, y2: { field: 'hi' }, color },
      },
      { data: { values: points }, mark: { type: 'line', point: false }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 40, aria: true }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, description: { field: 'tip' } } },
      ...(trend.length
        ? [
            {
              data: { values: trend },
              mark: { type: 'line' as const, strokeDash: [4, 3], aria: true },
              encoding: { x, y: { field: 'score', type: 'quantitative' as const }, color, description: { field: 'tip' } },
            },
          ]
        : []),
    ],
  };
}
