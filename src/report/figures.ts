/**
 * The report's figures, rendered: each chart of charts.ts drawn as SVG, with its title and subtitle
 * lifted out as text. A figure is one chart in two layouts (wide for desktops, narrow for phones: the
 * page shows one) or a set of small panels the page lays out in a grid that reflows with the screen
 * (the two what-mattered charts, latency and size, one curve chart per candidate).
 */
import type { CandidateDoc } from '../results/document.js';
import {
  candidateCurvesSpec,
  curveCandidates,
  edgeChoice,
  effectSpec,
  effectsDomain,
  heatmapSpec,
  latencySpec,
  lossTitle,
  paretoSpec,
  renderSvg,
  sizeSpec,
  specTitle,
  timeSpec,
  untitled,
  BYTES_PER_PARAMETER,
  type ChartSpec,
} from './charts/index.js';
import type { Effects } from './effects.js';
import { fmtBytes, fmtInt, fmtMs } from '../format.js';
import type { RunAnalysis } from '../results/analysis.js';

export interface Panel {
  /** For `data-panel`: which chart this is. */
  name: string;
  title: string;
  subtitle: string;
  svg: string;
}

export interface Figure {
  /** For `data-chart`: heatmap, pareto, edge, curves, time, effects, history. */
  name: string;
  title: string;
  subtitle: string;
  /** One chart: its wide drawing and, when it differs, its narrow one. */
  single?: { wide: string; narrow: string | null };
  /** Or small panels in a grid. */
  panels?: Panel[];
  /** A legend or a sentence under the chart, as text. */
  note?: string;
}

/** Draw a chart in both layouts; its title and subtitle become the figure's. */
export async function twoLayouts(name: string, wide: ChartSpec, narrow: ChartSpec): Promise<Figure> {
  const t = specTitle(wide);
  const [w, n] = await Promise.all([renderSvg(untitled(wide), name), renderSvg(untitled(narrow), `${name}-narrow`)]);
  return { name, title: t.text, subtitle: t.subtitle, single: { wide: w, narrow: n } };
}

async function panel(name: string, spec: ChartSpec): Promise<Panel> {
  const t = specTitle(spec);
  return { name, title: t.text, subtitle: t.subtitle, svg: await renderSvg(untitled(spec), name) };
}

/** "What mattered": the marginal means of depth and of width on one shared scale; null with nothing ranked. */
export async function effectsFigure(a: RunAnalysis, effects: Effects): Promise<Figure | null> {
  const domain = effectsDomain([effects.depth, effects.width]);
  if (!domain || !effects.depth || !effects.width) return null;
  const panels = await Promise.all([panel('effect-depth', effectSpec(effects.depth, a, domain)), panel('effect-width', effectSpec(effects.width, a, domain))]);
  return {
    name: 'effects',
    title: `Mean validation ${a.metric} at each depth and at each width`,
    subtitle: 'the same scale in both, so the effects compare by eye; green: the best level, red: the worst; hover a point for its interval and what it averages',
    panels,
  };
}

/** The edge choice in a sentence: the fastest and the smallest candidate as good as the best. */
export function edgeSentence(a: RunAnalysis): string | null {
  const e = edgeChoice(a);
  if (!e || (!e.fastest && !e.smallest)) return null;
  const among = e.pool === 1 ? 'Only the best itself is as good as the best' : `Among the ${fmtInt(e.pool)} candidates as good as the best (≈ best)`;
  const parts: string[] = [];
  if (e.fastest) parts.push(`the fastest is ${e.fastest.label} (${fmtMs(e.fastest.doc.timing.inferenceMsPerSample)} ms per sample)`);
  if (e.smallest) parts.push(`the smallest is ${e.smallest.label} (${fmtBytes(e.smallest.params! * BYTES_PER_PARAMETER)})`);
  if (e.pool === 1) return `${among}: ${e.fastest?.label ?? e.smallest!.label} is the choice for the edge too.`;
  return `${among}, ${parts.join(' and ')}${e.fastest && e.smallest && e.fastest === e.smallest ? ': one choice for the edge' : ''}.`;
}

/** Every figure of the Charts section, in order; empty when there is nothing to draw. */
export async function chartFigures(a: RunAnalysis, docs: readonly CandidateDoc[], task?: string): Promise<Figure[]> {
  const jobs: Promise<Figure | null>[] = [];
  if (a.ranked.length || a.failed.length) jobs.push(twoLayouts('heatmap', heatmapSpec(a, 'wide'), heatmapSpec(a, 'narrow')));
  if (a.ranked.some((c) => c.params !== null)) jobs.push(twoLayouts('pareto', paretoSpec(a, 'wide'), paretoSpec(a, 'narrow')));
  const edge = [latencySpec(a), sizeSpec(a)];
  if (edge.some((s) => s)) {
    jobs.push(
      Promise.all(edge.flatMap((s, i) => (s ? [panel(i === 0 ? 'latency' : 'size', s)] : []))).then((panels) => ({
        name: 'edge',
        title: `For the edge: ${a.metric} against inference latency and model size`,
        subtitle: 'each with its own Pareto front; hover a point for the candidate',
        panels,
        ...(edgeSentence(a) ? { note: edgeSentence(a)! } : {}),
      })),
    );
  }
  const curves = curveCandidates(a);
  if (curves.length) {
    const withCurves = a.ranked.filter((c) => c.doc.trials.some((t) => t.epochs.length > 0)).length;
    const shown = curves.length < withCurves ? `the ${curves.length - 1} leading candidates and the recommendation, of ${fmtInt(withCurves)}` : `every candidate, best first`;
    jobs.push(
      Promise.all(curves.map((c, i) => panel(`curves-${i}`, candidateCurvesSpec(c, a, task)))).then((panels) => ({
        name: 'curves',
        title: `Training and validation curves: ${a.metric} and ${lossTitle(task)}`,
        subtitle: `${shown}; mean over trials per epoch`,
        panels,
        note: `Blue: training; orange: validation; dashed: the mean kept epoch${a.baseline ? `; dotted brown: the baseline (${a.baseline.name}), where it is near the curves` : ''}.`,
      })),
    );
  }
  if (docs.length) {
    const spec = timeSpec(docs);
    const t = specTitle(spec);
    jobs.push(renderSvg(untitled(spec), 'time').then((svg) => ({ name: 'time', title: t.text, subtitle: t.subtitle, single: { wide: svg, narrow: null } })));
  }
  return (await Promise.all(jobs)).filter((f): f is Figure => f !== null);
}
