/**
 * What the terminal shows of a run: the leaderboard as a table (± is the standard error, rounded to
 * it), the baseline, the recommendation with its reason, the test scores, and the data block.
 */
import Table from 'cli-table3';
import { parseLeaderboard } from '../results/leaderboard-read.js';
import { type Leaderboard } from '../results/leaderboard.js';
import { leaderboardNotes, rowMarks, searchNotes } from './leaderboard-text.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';
import { dataBlock } from './data-text.js';
import { fmtMeanSe, PLUS_MINUS } from '../format.js';
import { readRunExtras } from '../results/run-extras.js';

/** The leaderboard as a terminal table, with the baseline, the recommendation, test scores and failures under it. */
export function leaderboardTable(lb: Leaderboard): string {
  const unit = lb.metric.unit ? ` in ${lb.metric.unit}` : '';
  const table = new Table({
    head: ['rank', 'depth', 'width', 'units', 'params', `${lb.metric.name}${unit} ${lb.metric.higherIsBetter ? '↑' : '↓'} (${PLUS_MINUS})`, 'n', 'marks', 'epochs', 'fit s', 'samples/s', 'backend'],
    colAligns: ['right', 'right', 'right', 'left', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of lb.rows) {
    table.push([
      r.rank,
      r.depth,
      r.width,
      r.units.join('-'),
      r.params ?? '',
      fmtMeanSe(r.metric.mean, r.metric.se),
      r.metric.n,
      rowMarks(lb, r).join(', '),
      Number(r.epochs.toFixed(1)),
      r.fitSeconds.toFixed(1),
      r.samplesPerSecond === null ? '' : Math.round(r.samplesPerSecond),
      r.backend,
    ]);
  }
  const lines = [`${lb.sweep} · run ${lb.runId} · ${lb.rows.length} of ${lb.candidates} candidates ranked by validation ${lb.metric.name}`, table.toString()];
  const rec = lb.recommended;
  const row = rec && lb.rows.find((r) => r.candidateId === rec.candidateId);
  if (rec && row) {
    lines.push(`recommended: depth ${row.depth}, width ${row.width} (${row.units.join('-')} units, ${row.params ?? '?'} parameters) — ${rec.reason}`);
  } else lines.push(`${lb.answer.headline}${lb.answer.reason ? ` ${lb.answer.reason}` : ''}`);
  lines.push(...leaderboardNotes(lb), ...searchNotes(lb));
  for (const f of lb.failed) lines.push(`failed: depth ${f.depth} width ${f.width} (${f.candidateId}): ${f.reason}`);
  return lines.join('\n');
}

/** A finished run as the terminal tells it: the data block (when the run has one), then the leaderboard. */
export async function runResultText(store: Store, runId: string): Promise<{ leaderboard: Leaderboard; text: string }> {
  const key = keys.leaderboard(runId, 'json');
  const leaderboard = parseLeaderboard(await getJson(store, key), key);
  const { data } = await readRunExtras(store, runId);
  return { leaderboard, text: `${data ? dataBlock(data) : ''}${leaderboardTable(leaderboard)}\n` };
}
