/**
 * A chart-drawing thread's program (src/workflow/drawing-thread.ts starts it): draws each chart it is
 * sent with the same vega as the thread that sent it, and sends back the SVG, or the error's message.
 *
 * A new thread's vega runs cold — interpreted until V8 has compiled its hot functions, ~3× slower per
 * chart over a report's first charts (measured: 700 against 230 ms a chart) — so the thread first
 * draws a few small charts of the kinds a report has (bars with error bars, a heatmap with a gradient
 * legend, points on log scales, lines) while the workers train, and says it is ready after that.
 */
import { parentPort } from 'node:worker_threads';
import type { ChartSpec } from './shared.js';
import { drawSvg } from './render.js';

export interface DrawRequest {
  id: number;
  spec: ChartSpec;
  idPrefix: string;
}

/** A drawn chart, or its error; first of all `ready` once the thread has warmed up. */
export type DrawReply = { id: number; svg: string } | { id: number; error: string } | { ready: true };

const rows = Array.from({ length: 12 }, (_, i) => ({
  depth: 1 + (i % 3),
  width: 2 ** (2 + (i % 4)),
  value: 0.5 + ((i * 7) % 10) / 40,
  params: 50 * (i + 1) ** 2,
  epoch: i + 1,
  split: i % 2 ? 'training' : 'validation',
}));

/** Small charts of the kinds a report draws. */
export const WARM_UP_CHARTS = [
  {
    data: { values: rows },
    width: 300,
    height: 150,
    layer: [
      { mark: 'bar', encoding: { x: { field: 'width', type: 'ordinal' }, y: { aggregate: 'mean', field: 'value', type: 'quantitative' } } },
      { mark: 'errorbar', encoding: { x: { field: 'width', type: 'ordinal' }, y: { field: 'value', type: 'quantitative' } } },
    ],
  },
  {
    data: { values: rows },
    mark: 'rect',
    encoding: { x: { field: 'width', type: 'ordinal' }, y: { field: 'depth', type: 'ordinal' }, color: { aggregate: 'mean', field: 'value', type: 'quantitative' }, tooltip: [{ field: 'value' }] },
  },
  {
    data: { values: rows },
    layer: [
      {
        mark: { type: 'point', filled: true },
        encoding: {
          x: { field: 'params', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'value', type: 'quantitative', scale: { zero: false } },
          color: { field: 'depth', type: 'nominal' },
          description: { field: 'value' },
        },
      },
      { mark: 'rule', encoding: { y: { datum: 0.7 } } },
      {
        mark: { type: 'text', dx: 4, align: 'left' },
        encoding: { x: { field: 'params', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'value', type: 'quantitative' }, text: { field: 'width' } },
      },
    ],
  },
  {
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'split', type: 'nominal' }, strokeDash: { field: 'split', type: 'nominal' } },
  },
] as unknown as ChartSpec[];

const port = parentPort;
if (port) {
  void (async () => {
    for (const [i, spec] of WARM_UP_CHARTS.entries()) await drawSvg(spec, `warm-up-${i}`).catch(() => undefined);
    port.postMessage({ ready: true } satisfies DrawReply);
  })();
  port.on('message', (job: DrawRequest) => {
    drawSvg(job.spec, job.idPrefix).then(
      (svg) => port.postMessage({ id: job.id, svg } satisfies DrawReply),
      (err: unknown) => port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) } satisfies DrawReply),
    );
  });
}
