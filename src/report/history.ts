/**
 * History of a sweep run repeatedly (nightly): `history/<sweep>.json`, one entry per run with the best
 * and the recommended candidate, and a page with the best metric over time and the nights the winning
 * architecture changed.
 *
 * "The metric dropped" means beyond noise: the new best mean is worse than the previous best mean by
 * more than twice the combined standard error, 2·√(se_prev² + se_new²) — roughly a two-sided 95 %
 * test of the difference. When either run has no standard error (one trial), the spread of the
 * earlier nights' best means stands in for it (with at least three earlier entries: 2 × their sample
 * standard deviation); with less history than that no drop is declared and the message says so.
 */
import { z } from 'zod';
import { historySpec, type HistoryPoint } from './charts/index.js';
import { twoLayouts } from './figures.js';
import { escapeHtml, figureHtml, pageCss } from './html-kit.js';
import { fmt, fmtInt, fmtMeanSe, fmtPair, PLUS_MINUS } from '../format.js';
import type { RunAnalysis } from '../results/analysis.js';

export const HISTORY_SCHEMA = 'layerbench.history.v1' as const;

const architectureSchema = z.object({
  candidateId: z.string(),
  family: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  params: z.number().int().nullable(),
});
export type Architecture = z.infer<typeof architectureSchema>;

export const historyEntrySchema = z.object({
  runId: z.string(),
  /** ISO date-time of the run (its last candidate's finish time). */
  date: z.string(),
  datasetVersion: z.string().optional(),
  best: architectureSchema,
  metric: z.object({
    name: z.string(),
    higherIsBetter: z.boolean(),
    mean: z.number(),
    std: z.number().nullable(),
    n: z.number().int(),
  }),
  recommended: architectureSchema.nullable(),
  candidates: z.number().int(),
  failed: z.number().int(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const historySchema = z.object({
  schema: z.literal(HISTORY_SCHEMA),
  sweep: z.string(),
  /** Oldest first. */
  entries: z.array(historyEntrySchema),
});
export type History = z.infer<typeof historySchema>;

export interface HistoryComparison {
  /** There was an earlier entry to compare with. */
  compared: boolean;
  previous?: HistoryEntry;
  /** The best architecture (family, depth, width) differs from the previous run's. */
  bestChanged: boolean;
  recommendedChanged: boolean;
  /** Worse than the previous best beyond noise (see the module comment). */
  metricDropped: boolean;
  /** The noise threshold used, when there was one. */
  threshold: number | null;
  message: string;
}

const sameArch = (a: Architecture | null | undefined, b: Architecture | null | undefined) => (!a || !b ? !a && !b : a.family === b.family && a.depth === b.depth && a.width === b.width);

export function archLabel(a: Architecture): string {
  return `${a.family} d${a.depth} w${a.width}`;
}

function se(m: HistoryEntry['metric']): number | null {
  return m.std === null || m.n < 2 ? null : m.std / Math.sqrt(m.n);
}

/** A history entry from a run's analysis; null when the run produced no ranked candidate. */
export function historyEntry(runId: string, date: string, analysis: RunAnalysis): HistoryEntry | null {
  const best = analysis.best;
  if (!best) return null;
  const arch = (c: NonNullable<RunAnalysis['best']>): Architecture => ({
    candidateId: c.id,
    family: c.doc.candidate.family,
    depth: c.depth,
    width: c.width,
    params: c.params,
  });
  return {
    runId,
    date,
    datasetVersion: best.doc.candidate.datasetVersion,
    best: arch(best),
    metric: { name: analysis.metric, higherIsBetter: analysis.higherIsBetter, mean: best.summary.mean, std: best.summary.std, n: best.summary.n },
    recommended: analysis.recommended ? arch(analysis.recommended) : null,
    candidates: analysis.ranked.length + analysis.failed.length,
    failed: analysis.failed.length,
  };
}

/** Add (or replace, for the same runId) an entry; entries stay ordered by date. */
export function appendHistory(prev: History | null | undefined, entry: HistoryEntry, sweep?: string): History {
  const name = prev?.sweep ?? sweep ?? entry.best.candidateId;
  const entries = [...(prev?.entries ?? []).filter((e) => e.runId !== entry.runId), entry].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.runId.localeCompare(b.runId)));
  return { schema: HISTORY_SCHEMA, sweep: name, entries };
}

/** Compare a run with the latest earlier entry of the history (entries of the same runId are ignored). */
export function compareWithHistory(prev: History | null | undefined, entry: HistoryEntry): HistoryComparison {
  const earlier = (prev?.entries ?? []).filter((e) => e.runId !== entry.runId && e.date <= entry.date);
  const previous = earlier.at(-1);
  if (!previous) {
    return { compared: false, bestChanged: false, recommendedChanged: false, metricDropped: false, threshold: null, message: 'First recorded run of this sweep: nothing to compare with yet.' };
  }
  const bestChanged = !sameArch(previous.best, entry.best);
  const recommendedChanged = !sameArch(previous.recommended, entry.recommended);
  const hib = entry.metric.higherIsBetter;
  const worseBy = hib ? previous.metric.mean - entry.metric.mean : entry.metric.mean - previous.metric.mean;
  const sePrev = se(previous.metric);
  const seNew = se(entry.metric);
  let threshold: number | null = null;
  let basis = '';
  if (sePrev !== null && seNew !== null) {
    threshold = 2 * Math.sqrt(sePrev ** 2 + seNew ** 2);
    basis = 'twice the combined standard error';
  } else if (earlier.length >= 3) {
    const means = earlier.map((e) => e.metric.mean);
    const m = means.reduce((s, x) => s + x, 0) / means.length;
    threshold = 2 * Math.sqrt(means.reduce((s, x) => s + (x - m) ** 2, 0) / (means.length - 1));
    basis = "twice the spread of earlier runs' best";
  }
  const metricDropped = threshold !== null && worseBy > threshold;
  const name = entry.metric.name;
  const parts: string[] = [];
  parts.push(bestChanged ? `The best architecture changed: ${archLabel(previous.best)} → ${archLabel(entry.best)}.` : `The best architecture is unchanged (${archLabel(entry.best)}).`);
  if (recommendedChanged) {
    parts.push(`The recommendation changed: ${previous.recommended ? archLabel(previous.recommended) : 'none'} → ${entry.recommended ? archLabel(entry.recommended) : 'none'}.`);
  }
  const [before, after] = fmtPair(previous.metric.mean, entry.metric.mean);
  const delta = `best ${name} ${before} → ${after}`;
  if (threshold === null) parts.push(`${delta}; too little history to tell a drop from noise (one trial per candidate).`);
  else if (metricDropped) parts.push(`The metric dropped beyond noise: ${delta}, worse by ${fmt(worseBy)} > ${fmt(threshold)} (${basis}).`);
  else parts.push(`${delta}, within noise (threshold ${fmt(threshold)}, ${basis}).`);
  return { compared: true, previous, bestChanged, recommendedChanged, metricDropped, threshold, message: parts.join(' ') };
}

/** A run's report relative to the history page (history/<sweep>.html → runs/<runId>/report.html). */
export function reportLink(runId: string): string {
  return `../runs/${encodeURIComponent(runId)}/report.html`;
}

function leadSentence(entries: readonly HistoryEntry[], changes: number, last: HistoryComparison | null): string {
  const only = entries.length === 1 ? entries[0]! : null;
  if (only) {
    return `One run so far (${only.date.slice(0, 10)}): the best was ${archLabel(only.best)}, ${only.metric.name} ${fmtMeanSe(only.metric.mean, se(only.metric))}. The chart gains a line with the next run.`;
  }
  return `${entries.length} runs; the winning architecture changed ${changes} time${changes === 1 ? '' : 's'}.${last ? ` Latest: ${last.message}` : ''}`;
}

/** The history page: the best metric over time and the runs where the winning architecture changed. */
export async function historyHtml(history: History): Promise<string> {
  const entries = history.entries;
  const metric = entries.at(-1)?.metric.name ?? 'metric';
  const hib = entries.at(-1)?.metric.higherIsBetter ?? true;
  const points: HistoryPoint[] = entries.map((e, i) => {
    const s = se(e.metric);
    return {
      date: e.date,
      runId: e.runId,
      mean: e.metric.mean,
      lo: e.metric.mean - (s ?? 0),
      hi: e.metric.mean + (s ?? 0),
      best: archLabel(e.best),
      changed: i > 0 && !sameArch(entries[i - 1]!.best, e.best),
      tip:
        `run ${e.runId} · ${e.date.slice(0, 16).replace('T', ' ')} UTC\n` +
        `best: ${archLabel(e.best)}, ${e.metric.name} ${fmtMeanSe(e.metric.mean, s)} (n = ${e.metric.n})\n` +
        `recommended: ${e.recommended ? archLabel(e.recommended) : 'none'}; ${e.failed} of ${e.candidates} candidates failed`,
    };
  });
  const chart = entries.length > 0 ? figureHtml(await twoLayouts('history', historySpec(points, metric, hib, 'wide'), historySpec(points, metric, hib, 'narrow'))) : '';
  const rows = [...entries]
    .reverse()
    .map((e, i, rev) => {
      const older = rev[i + 1];
      const changed = older && !sameArch(older.best, e.best);
      const s = se(e.metric);
      return (
        `<tr${changed ? ' class="changed"' : ''}><td>${escapeHtml(e.date.slice(0, 16).replace('T', ' '))}</td><td><a href="${escapeHtml(reportLink(e.runId))}"><code>${escapeHtml(e.runId)}</code></a></td>` +
        `<td>${escapeHtml(archLabel(e.best))}${changed ? ' <span class="tag warn">changed</span>' : ''}</td><td class="num">${fmtInt(e.best.params)}</td>` +
        `<td class="num">${escapeHtml(fmtMeanSe(e.metric.mean, s))}</td><td class="num">${e.metric.n}</td>` +
        `<td>${e.recommended ? escapeHtml(archLabel(e.recommended)) : '—'}</td><td class="num">${e.failed} / ${e.candidates}</td></tr>`
      );
    })
    .join('\n');
  const changes = points.filter((p) => p.changed).length;
  const last = entries.length >= 2 ? compareWithHistory({ ...history, entries: entries.slice(0, -1) }, entries.at(-1)!) : null;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>layerbench history: ${escapeHtml(history.sweep)}</title>
<style>${pageCss()}</style></head>
<body><main>
<h1>History of sweep <code>${escapeHtml(history.sweep)}</code></h1>
<p class="lead">${escapeHtml(leadSentence(entries, changes, last))}</p>
<p class="muted">Hover a point for its run; each run id links to its report.</p>
<section>${chart}</section>
<section><h2>Runs, newest first</h2>
<div class="scroll"><table><thead><tr><th>date (UTC)</th><th>run</th><th>best</th><th>params</th><th>best ${escapeHtml(metric)} (${PLUS_MINUS})</th><th>n</th><th>recommended</th><th>failed</th></tr></thead>
<tbody>
${rows}
</tbody></table></div></section>
</main></body></html>
`;
}
