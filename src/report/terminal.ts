/**
 * What the terminal shows of a run, every line at most TERMINAL_COLUMNS wide: the leaderboard as a
 * table with a verdict column (± is the standard error, the mean rounded to it), failed candidates in
 * it with their reason, the recommendation and its reason, the baseline, the test scores and the data
 * block. Past `maxRows` candidates the table shows the leading ones and the recommendation; the rest
 * are in leaderboard.csv. A run where every candidate failed says only that, with the most common reason.
 */
import Table from 'cli-table3';
import { parseLeaderboard } from '../results/leaderboard-read.js';
import type { Leaderboard, LeaderboardRow } from '../results/leaderboard.js';
import { leaderboardNotes, rowVerdict, searchNotes } from './leaderboard-text.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';
import { dataBlock } from './data-text.js';
import { fmtInt, fmtMeanSe, fmtP } from '../format.js';
import { readRunExtras } from '../results/run-extras.js';
import { allFailedSentences, generalReason } from './failures.js';
import { cut, TERMINAL_COLUMNS, wrapLine, wrapText } from './wrap.js';

export interface TableOptions {
  /** Line width (default TERMINAL_COLUMNS). */
  width?: number;
  /** Ranked candidates shown before the rest are left to leaderboard.csv (default 25). */
  maxRows?: number;
}

/** The table's borders: none, two spaces between columns. */
const PLAIN = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** The ranked rows shown: the leading ones and, when it is further down, the recommendation. */
function shownRows(lb: Leaderboard, max: number): LeaderboardRow[] {
  if (lb.rows.length <= max) return lb.rows;
  const lead = lb.rows.slice(0, max);
  const rec = lb.rows.find((r) => r.candidateId === lb.recommended?.candidateId);
  return rec && !lead.includes(rec) ? [...lead, rec] : lead;
}

/** The leaderboard as a table under its title line; failed candidates last, each with its reason (cut to fit). */
function table(lb: Leaderboard, width: number, max: number): { lines: string[]; verdictWidth: number } {
  const unit = lb.metric.unit ? ` (${lb.metric.unit})` : '';
  const head = ['#', 'depth', 'width', 'params', `${lb.metric.name}${unit} ${lb.metric.higherIsBetter ? '↑' : '↓'}`, 'p worse', 'epochs', 'fit s', 'verdict'];
  const rows: string[][] = shownRows(lb, max).map((r) => [
    String(r.rank),
    String(r.depth),
    String(r.width),
    r.params === null ? '—' : fmtInt(r.params),
    fmtMeanSe(r.metric.mean, r.metric.se),
    r.rank === 1 ? '' : fmtP(r.vsBest?.pWorse ?? null),
    r.epochs.toFixed(1),
    r.fitSeconds.toFixed(1),
    rowVerdict(lb, r),
  ]);
  for (const f of lb.failed) rows.push(['–', String(f.depth), String(f.width), '', '', '', '', '', `failed: ${generalReason(f)}`]);
  // Every column but the verdict as wide as its widest cell; the verdict gets the rest of the line.
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fixed = widths.slice(0, -1).reduce((s, w) => s + w + 2, 0);
  const verdictWidth = Math.max(head.at(-1)!.length, Math.min(widths.at(-1)!, width - fixed));
  const t = new Table({
    head,
    chars: PLAIN,
    colAligns: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    colWidths: [...widths.slice(0, -1), verdictWidth],
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  for (const r of rows) t.push([...r.slice(0, -1), cut(r.at(-1)!, verdictWidth)]);
  const lines = t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd());
  lines.splice(1, 0, '─'.repeat(Math.min(width, fixed + verdictWidth)));
  const hidden = lb.rows.length - shownRows(lb, max).length;
  if (hidden > 0) lines.push(`… and ${fmtInt(hidden)} more ranked candidates: leaderboard.csv beside the report has every one`);
  return { lines, verdictWidth };
}

/** What the table's columns mean, in one note. */
function legend(lb: Leaderboard): string {
  const backends = [...new Set(lb.rows.map((r) => r.backend))].join(', ');
  const trials = [...new Set(lb.rows.map((r) => r.metric.n))];
  if (trials.length === 1 && trials[0] === 1) return `validation ${lb.metric.name} of one trial per candidate: no standard error, no test; trained on ${backends || '—'}.`;
  const n = trials.length === 1 ? `${trials[0]} trials` : `${Math.min(...trials)}–${Math.max(...trials)} trials`;
  return `validation ${lb.metric.name} over ${n} per candidate: mean ± standard error; p worse: one-sided paired test against the best; trained on ${backends || '—'}.`;
}

/** The leaderboard as the terminal shows it: the table, the recommendation, the baseline, test scores and failures. */
export function leaderboardTable(lb: Leaderboard, opts: TableOptions = {}): string {
  const width = opts.width ?? TERMINAL_COLUMNS;
  const wrap = (line: string) => wrapLine(line, width);
  const title = `${lb.sweep} · run ${lb.runId}`;
  if (lb.rows.length === 0) {
    return [wrap(title), ...allFailedSentences(lb.failed, lb.candidates).map(wrap)].join('\n');
  }
  const lines = [wrap(`${title} · ${lb.rows.length} of ${fmtInt(lb.candidates)} candidates ranked by validation ${lb.metric.name}`)];
  const { lines: tableLines, verdictWidth } = table(lb, width, opts.maxRows ?? 25);
  lines.push(...tableLines, wrap(legend(lb)), '');
  const rec = lb.recommended;
  const row = rec && lb.rows.find((r) => r.candidateId === rec.candidateId);
  if (rec && row) {
    lines.push(wrap(`recommended: depth ${row.depth}, width ${row.width} (${row.units.join('-')} units, ${row.params === null ? '?' : fmtInt(row.params)} parameters)`));
    // The held-out test contradicting the choice comes first, before the reason for it.
    for (const w of lb.answer.warnings ?? []) lines.push(wrapLine(`  warning: ${w}`, width));
    lines.push(wrapLine(`  ${rec.reason}`, width));
  } else {
    lines.push(wrap(lb.answer.headline));
    if (lb.answer.reason) lines.push(wrapLine(`  ${lb.answer.reason}`, width));
  }
  for (const n of [...leaderboardNotes(lb), ...searchNotes(lb)]) lines.push(wrap(n));
  // Reasons cut to fit the table, in full.
  const cutReasons = lb.failed.filter((f) => `failed: ${generalReason(f)}`.length > verdictWidth);
  for (const f of cutReasons.slice(0, 10)) lines.push(wrap(`failed: depth ${f.depth}, width ${f.width} (${f.candidateId}): ${f.reason}`));
  if (cutReasons.length > 10) lines.push(wrap(`… and ${fmtInt(cutReasons.length - 10)} more failures: leaderboard.json lists each with its reason`));
  return lines.join('\n');
}

/** A finished run as the terminal tells it: the data block (when the run has one), then the leaderboard. */
export async function runResultText(store: Store, runId: string, opts: TableOptions = {}): Promise<{ leaderboard: Leaderboard; text: string }> {
  const key = keys.leaderboard(runId, 'json');
  const leaderboard = parseLeaderboard(await getJson(store, key), key);
  const { data } = await readRunExtras(store, runId);
  // A run where nothing was ranked says only that: no data block, no baseline.
  const block = data && leaderboard.rows.length > 0 ? `${wrapText(dataBlock(data).trimEnd(), opts.width)}\n` : '';
  return { leaderboard, text: `${block}${leaderboardTable(leaderboard, opts)}\n` };
}
