/**
 * A second thread for the report's charts in the local runner. After the last candidate this process
 * draws the report's ~23 charts (~1.6 CPU-seconds of vega, measured in the run's own process) while the
 * workers sit idle: with a thread beside it, the charts take two cores instead of one (render.ts
 * shareDrawing hands each chart to whichever is free). The thread loads vega and warms it up
 * (src/report/charts/draw-thread.ts) while the workers train, and takes charts once it is ready;
 * until then, and if it dies, this process draws them all, as it does without a thread.
 *
 * The thread runs from its cached esbuild bundle (src/workflow/bundle.js: an ES module, for vega's
 * top-level await). No bundle (no esbuild, no cache directory) or LAYERBENCH_CHART_THREAD=0: no thread.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DrawReply, DrawRequest } from '../report/charts/draw-thread.js';
import { drawSvg, shareDrawing, unshareDrawing, type ChartDrawer } from '../report/charts/render.js';
import type { ChartSpec } from '../report/charts/shared.js';
import { moduleBundle } from './bundle.js';

export interface DrawingThread {
  /** Settles when the thread takes charts (it has warmed up), or will never (it died, or there is none). */
  ready: Promise<void>;
  /** Charts the thread has drawn so far. */
  drawn(): number;
  /** Stop the thread; this process draws every chart again. Idempotent. */
  stop(): Promise<void>;
}

/** Start the drawing thread: it shares the charts from when it is ready until stop(). */
export async function startDrawingThread(): Promise<DrawingThread> {
  const none: DrawingThread = { ready: Promise.resolve(), drawn: () => 0, stop: async () => undefined };
  if (process.env['LAYERBENCH_CHART_THREAD'] === '0') return none;
  const bundle = await moduleBundle({ name: 'draw-thread', entry: fileURLToPath(new URL('../report/charts/draw-thread.ts', import.meta.url)) });
  if (bundle === undefined) return none;
  const worker = new Worker(pathToFileURL(bundle));
  worker.unref();
  const pending = new Map<number, { resolve: (svg: string) => void; reject: (err: Error) => void; spec: ChartSpec; idPrefix: string }>();
  let gone = false;
  let next = 0;
  let drawn = 0;
  let readied: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    readied = resolve;
  });
  const drawer: ChartDrawer = (spec, idPrefix) => {
    if (gone) return drawSvg(spec, idPrefix);
    return new Promise<string>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject, spec, idPrefix });
      worker.postMessage({ id, spec, idPrefix } satisfies DrawRequest);
    });
  };
  // A thread that died leaves its charts to this process.
  const fallBack = () => {
    if (gone) return;
    gone = true;
    unshareDrawing(drawer);
    readied();
    for (const [id, job] of pending) {
      pending.delete(id);
      drawSvg(job.spec, job.idPrefix).then(job.resolve, job.reject);
    }
  };
  worker.on('message', (reply: DrawReply) => {
    if ('ready' in reply) {
      if (!gone) shareDrawing(drawer);
      readied();
      return;
    }
    const job = pending.get(reply.id);
    if (!job) return;
    pending.delete(reply.id);
    drawn++;
    if ('svg' in reply) job.resolve(reply.svg);
    else job.reject(new Error(reply.error));
  });
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  let stopped: Promise<void> | undefined;
  return {
    ready,
    drawn: () => drawn,
    stop: () =>
      (stopped ??= (async () => {
        fallBack();
        await worker.terminate();
      })()),
  };
}
