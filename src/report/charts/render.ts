/**
 * Drawing: a vega-lite spec compiled with vega-lite and rendered to an SVG string in Node by vega's
 * headless view (renderer 'none', no canvas: without the `canvas` package vega estimates text widths,
 * which is enough for axis layout). Every described mark's text becomes an SVG `<title>`, which
 * browsers show on hover, with no script and nothing fetched; titles are lifted out into the page.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { ChartSpec } from './shared.js';

/**
 * Compile a vega-lite spec and render it to an SVG string in Node. Element ids inside the SVG
 * (clip paths, gradients) are prefixed with `idPrefix` so several charts can be inlined in one page
 * without their `url(#clip1)` references colliding; every described mark gets its description as an
 * SVG `<title>`, the hover text.
 */
export async function renderSvg(spec: ChartSpec, idPrefix: string): Promise<string> {
  const key = drawingAhead > 0 || ahead.size > 0 ? `${idPrefix}\u0000${JSON.stringify(spec)}` : undefined;
  const early = key === undefined ? undefined : ahead.get(key);
  if (early !== undefined) {
    ahead.delete(key!);
    aheadChars -= early.chars;
    return early.svg;
  }
  const svg = helper ? drawShared(spec, idPrefix, helper) : draw(spec, idPrefix);
  if (key !== undefined && drawingAhead > 0) keep(key, svg);
  return svg;
}

/** Draws a chart elsewhere (another thread) exactly as drawSvg draws it here. */
export type ChartDrawer = (spec: ChartSpec, idPrefix: string) => Promise<string>;

let helper: ChartDrawer | undefined;
/** Charts waiting to be drawn, taken in order by this thread and by the helper, whichever is free. */
const queue: { spec: ChartSpec; idPrefix: string; resolve: (svg: string) => void; reject: (err: unknown) => void }[] = [];
let drawingHere = false;
let helperBusy = false;

/**
 * From now on (until unshareDrawing), charts are drawn by this thread and `drawer` side by
 * side: the ~23 charts of a report take ~1.6 CPU-seconds of vega, which the local runner spends after
 * the last candidate with a core to spare. The same vega draws the same SVG in either place.
 */
export function shareDrawing(drawer: ChartDrawer): void {
  helper = drawer;
}

/** No more charts for `drawer` (those it has are drawn); the charts are drawn here again, unless another helper took its place. */
export function unshareDrawing(drawer: ChartDrawer): void {
  if (helper === drawer) helper = undefined;
}

function drawShared(spec: ChartSpec, idPrefix: string, drawer: ChartDrawer): Promise<string> {
  const svg = new Promise<string>((resolve, reject) => queue.push({ spec, idPrefix, resolve, reject }));
  pump(drawer);
  return svg;
}

/** Hand the next waiting charts to whichever of this thread and the helper is free. */
function pump(drawer: ChartDrawer): void {
  if (!helperBusy && queue.length > 0) {
    helperBusy = true;
    drawNext(drawer, () => {
      helperBusy = false;
      pump(drawer);
    });
  }
  if (!drawingHere && queue.length > 0) {
    drawingHere = true;
    drawNext(draw, () => {
      drawingHere = false;
      // Drawing may never yield to the event loop: let the helper's answer in before taking the next chart.
      setImmediate(() => pump(drawer));
    });
  }
}

/** The next waiting chart, drawn by `drawWith`; `done` once it is settled. */
function drawNext(drawWith: ChartDrawer, done: () => void): void {
  const job = queue.shift()!;
  drawWith(job.spec, job.idPrefix).then(job.resolve, job.reject).finally(done);
}

/**
 * Drawings made ahead (drawAhead), each until its first use: the same spec and prefix draw the same
 * SVG. Bounded, so that drawings nobody asks for (a report that changed after all) go again.
 */
const ahead = new Map<string, { svg: Promise<string>; chars: number }>();
const AHEAD_MAX_CHARS = 64 * 2 ** 20;
let aheadChars = 0;
let drawingAhead = 0;

function keep(key: string, svg: Promise<string>): void {
  svg.catch(() => undefined); // a failed drawing fails when it is used, as drawing it then would
  const entry = { svg, chars: key.length };
  ahead.set(key, entry);
  aheadChars += entry.chars;
  void svg.then(
    (s) => {
      if (ahead.get(key) !== entry) return;
      entry.chars += s.length;
      aheadChars += s.length;
      for (const [k, e] of ahead) {
        if (aheadChars <= AHEAD_MAX_CHARS) break;
        ahead.delete(k);
        aheadChars -= e.chars;
      }
    },
    () => undefined,
  );
}

/**
 * Run `work` (which draws charts) ahead of the step that needs them: every chart it draws is kept,
 * and the next renderSvg of the same spec and prefix returns that drawing instead of drawing again.
 * The local runner draws the report's figures this way while Finalize refits in a worker process.
 */
export async function drawAhead(work: () => Promise<unknown>): Promise<void> {
  drawingAhead++;
  try {
    await work();
  } finally {
    drawingAhead--;
  }
}

/** Drawings made ahead and not used yet (tests). */
export function drawingsAhead(): number {
  return ahead.size;
}

/** A chart drawn here, never ahead or elsewhere: what a helper thread runs (src/report/charts/draw-thread.ts). */
export function drawSvg(spec: ChartSpec, idPrefix: string): Promise<string> {
  return draw(spec, idPrefix);
}

async function draw(spec: ChartSpec, idPrefix: string): Promise<string> {
  const compiled = vl.compile(spec).spec;
  // Vega logs dataflow errors instead of throwing them; collect them and fail loudly instead.
  const errors: unknown[] = [];
  const base = vega.logger(vega.Warn);
  const logger = Object.assign(Object.create(base) as typeof base, {
    error: (...args: readonly unknown[]) => {
      errors.push(args[0]);
      return logger;
    },
  });
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    let svg: string;
    try {
      svg = await view.toSVG();
    } catch (e) {
      throw new Error(`chart ${idPrefix}: ${errors.length ? String(errors[0]) : (e as Error).message}`, { cause: errors[0] ?? e });
    }
    if (errors.length) throw new Error(`chart ${idPrefix}: ${String(errors[0])}`, { cause: errors[0] });
    return svgTitles(prefixSvgIds(svg, idPrefix));
  } finally {
    view.finalize();
  }
}

/** A chart's spec without its title, for drawing: the page writes the title and subtitle as text. */
export function untitled(spec: ChartSpec): ChartSpec {
  const { title: _title, ...rest } = spec as ChartSpec & { title?: unknown };
  return rest as ChartSpec;
}

/** The title and subtitle of a spec built here. */
export function specTitle(spec: ChartSpec): { text: string; subtitle: string } {
  const t = (spec as { title?: { text?: string; subtitle?: string } }).title;
  return { text: t?.text ?? '', subtitle: t?.subtitle ?? '' };
}

/**
 * Make every id in an SVG unique under a prefix, with the references to it. Vega numbers clip paths
 * and gradients per process (clip1, clip2…, gradient_0…): they are numbered again per chart, in order
 * of appearance from vega's first numbers, so that a chart's SVG depends on its spec alone, not on
 * what its process or thread drew before (the local runner draws charts in two threads).
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  const p = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  const local = chartLocalIds();
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${p}-${local(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${p}-${local(id)})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${p}-${local(id)}"`);
}

/** Vega's numbered ids (a radial gradient's pattern is its gradient's id with `p_` before) renumbered from vega's first numbers. */
function chartLocalIds(): (id: string) => string {
  const first = { clip: 1, gradient_: 0 };
  const next = { ...first };
  const seen = new Map<string, number>();
  return (id) => {
    const m = /^(p_)?(clip|gradient_)(\d+)$/.exec(id);
    if (!m) return id;
    const kind = m[2] as keyof typeof first;
    const key = `${kind}${m[3]}`;
    let n = seen.get(key);
    if (n === undefined) {
      n = next[kind]++;
      seen.set(key, n);
    }
    return `${m[1] ?? ''}${kind}${n}`;
  };
}

/**
 * Vega writes a mark's description as its `aria-label`; browsers show an SVG `<title>` child on hover.
 * Moves each described element's label into a title (the value stays XML-escaped: it is valid text).
 */
export function svgTitles(svg: string): string {
  return svg.replace(/<(path|rect|line|text|g)\b([^>]*?) aria-label="([^"]*)"([^>]*?)(\/?)>/g, (_m, tag: string, before: string, label: string, after: string, selfClosing: string) =>
    selfClosing ? `<${tag}${before}${after}><title>${label}</title></${tag}>` : `<${tag}${before}${after}><title>${label}</title>`,
  );
}
