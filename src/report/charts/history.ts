/** The history page's chart: the best metric of each run over time. */
import { fmtValue } from '../../format.js';
import { CONFIG, PLOT_WIDTH, SCHEMA, type ChartSpec, type Layout } from './shared.js';

export interface HistoryPoint {
  date: string;
  runId: string;
  mean: number;
  lo: number;
  hi: number;
  best: string;
  changed: boolean;
  /** The hover text; built from the other fields when absent. */
  tip?: string;
}

const DAY = 86_400_000;

/**
 * The best metric over time, ± one standard error, with marks where the winning architecture changed.
 * The time axis always spans at least two days, so one run (or runs within a day) reads as a date, not
 * as fractions of a second.
 */
export function historySpec(points: readonly HistoryPoint[], metric: string, higherIsBetter: boolean, layout: Layout = 'wide'): ChartSpec {
  const changes = points.filter((p) => p.changed);
  const times = points.map((p) => Date.parse(p.date)).filter((t) => Number.isFinite(t));
  const [first, last] = times.length ? [Math.min(...times), Math.max(...times)] : [0, 0];
  const days = (last - first) / DAY;
  const pad = days >= 2 ? Math.max(DAY / 4, (last - first) * 0.04) : DAY;
  const iso = (t: number) => new Date(t).toISOString();
  const ticks = layout === 'wide' ? 8 : 4;
  const x = {
    field: 'date',
    type: 'temporal',
    title: 'run date (UTC)',
    scale: { type: 'utc', domain: [iso(first - pad), iso(last + pad)], nice: false },
    axis: {
      format: days >= 300 ? '%b %Y' : '%b %d',
      tickCount: { interval: 'day', step: Math.max(1, Math.ceil((days + 2) / ticks)) },
      labelOverlap: true,
      labelAngle: 0,
    },
  };
  const rows = points.map((p) => ({ ...p, tip: p.tip ?? `${p.runId} · ${p.date.slice(0, 16).replace('T', ' ')} UTC\nbest: ${p.best}\n${metric} ${fmtValue(p.mean)}` }));
  return {
    $schema: SCHEMA,
    title: { text: `Best validation ${metric} over time`, subtitle: `± one standard error; ${higherIsBetter ? 'higher' : 'lower'} is better; dashed: the winning architecture changed` },
    width: PLOT_WIDTH[layout],
    height: layout === 'wide' ? 260 : 200,
    config: CONFIG,
    layer: [
      ...(changes.length === 0
        ? []
        : [
            {
              data: { values: changes },
              mark: { type: 'rule', strokeDash: [5, 4], color: '#d62728' },
              encoding: { x },
            },
            ...(layout === 'wide'
              ? [
                  {
                    data: { values: changes },
                    mark: { type: 'text', angle: 0, align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 11, color: '#d62728' },
                    encoding: { x, text: { field: 'best', type: 'nominal' } },
                  },
                ]
              : []),
          ]),
      {
        data: { values: rows },
        mark: { type: 'rule', color: '#999' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: metric },
          y2: { field: 'hi' },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'line', color: '#4c78a8' },
        encoding: { x, y: { field: 'mean', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 50, color: '#4c78a8', aria: true },
        encoding: { x, y: { field: 'mean', type: 'quantitative' }, description: { field: 'tip' } },
      },
    ],
  } as ChartSpec;
}
