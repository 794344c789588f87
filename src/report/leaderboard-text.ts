/**
 * The leaderboard in text: leaderboard.md (written by the Report step beside report.md), the lines the
 * terminal prints under its table, and the marks of a row. Reads a leaderboard document only.
 */
import { count, fmtInt, fmtInterval, fmtMeanSe, fmtP, fmtUsd, fmtUsds, fmtValue, pEquals, PLUS_MINUS, PLUS_MINUS_NOTE, usdDecimals, withUnit } from '../format.js';
import { runStates } from '../cost/estimate.js';
import type { Leaderboard, LeaderboardRow, LeaderboardTest } from '../results/leaderboard.js';
import { SIGNIFICANCE, type BaselineVerdict } from '../stats/index.js';
import { candidateVerdict, verdictText } from '../results/verdict.js';
import { allFailedSentences } from './failures.js';

/**
 * Candidates listed in full in report.html, report.md and leaderboard.md (the leading ones, and the
 * recommendation when it is further down); every candidate is in leaderboard.csv and leaderboard.json.
 */
export const REPORT_ROWS = 50;

/** What a baseline verdict looks like as a mark; null when the candidate beats the baseline (or there is none). */
export function baselineMark(verdict: BaselineVerdict | null | undefined, p?: number | null): { short: string; title: string } | null {
  if (!verdict || verdict === 'beats') return null;
  if (verdict === 'does-not-beat') return { short: 'at or below baseline', title: 'no better than the baseline on the same trials' };
  if (verdict === 'better-untested') return { short: 'untested vs baseline', title: 'better than the baseline on its single trial; no test possible' };
  return { short: 'ns vs baseline', title: `better than the baseline on average, but not significantly${p === null || p === undefined ? '' : ` (one-sided p = ${fmtP(p)})`}` };
}

/** Lines about a halving run's rungs and the run's cost, for leaderboard.md, the terminal and the report. */
export function searchNotes(lb: Pick<Leaderboard, 'search' | 'cost' | 'rows' | 'candidates'>): string[] {
  const out: string[] = [];
  const s = lb.search;
  if (s) {
    const rounds = s.rounds.map((r) => `${r.trained} at ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}${r.promoted === null ? '' : ` → ${r.promoted} promoted`}`).join('; ');
    const pct = s.gridEpochs > 0 ? Math.round((100 * s.epochsTrained) / s.gridEpochs) : 0;
    out.push(
      `${s.strategy} (eta ${s.eta}): ${rounds}. Trained ${s.epochsTrained.toLocaleString('en-US')} epochs in all, ${pct} % of the full grid's ${s.gridEpochs.toLocaleString('en-US')} (every candidate × trials × training.epochs); ${s.stopped.length} candidate${s.stopped.length === 1 ? '' : 's'} stopped at an earlier rung and ${s.stopped.length === 1 ? 'is' : 'are'} not ranked.`,
    );
    const c = s.compute;
    if (c && c.grid.cpuSeconds > 0) {
      const pct = (used: number, grid: number) => `${Math.round((100 * used) / grid)} %`;
      const usd = c.used.usd !== null && c.grid.usd !== null && c.grid.usd > 0 ? ` and ${dollarsOfAbout(c.used.usd, c.grid.usd)} (${pct(c.used.usd, c.grid.usd)})` : '';
      out.push(
        `${s.strategy} used ${pct(c.used.cpuSeconds, c.grid.cpuSeconds)} of the grid's compute: ${fmtSeconds(c.used.cpuSeconds)} of about ${fmtSeconds(c.grid.cpuSeconds)} CPU-seconds, ${Math.round(c.used.epochs).toLocaleString('en-US')} of about ${Math.round(c.grid.epochs).toLocaleString('en-US')} epochs (${pct(c.used.epochs, c.grid.epochs)})${usd}; the full grid's figures are estimated from what these candidates measured per epoch and per task.`,
      );
      const dearer = c.used.cpuSeconds > c.grid.cpuSeconds || (c.used.usd !== null && c.grid.usd !== null && c.used.usd > c.grid.usd);
      if (dearer && c.used.epochs < c.grid.epochs) out.push(costlierThanGrid(s, lb.candidates, c));
    }
    if (s.ended)
      out.push(
        `rounds ended early (${s.ended.reason}): ${s.ended.message}; left untrained: ${s.ended.untrained.length} candidate${s.ended.untrained.length === 1 ? '' : 's'} to ${s.ended.epochs} epochs (${s.ended.untrained.join(', ')}).`,
      );
  }
  const c = lb.cost;
  if (c && c.basis !== 'none') {
    const basis = c.basis === 'local' ? `${fmtSeconds(c.cpuSeconds)} CPU-seconds priced as Lambda` : c.basis === 'lambda' ? 'Lambda' : 'Lambda and local';
    out.push(
      `estimated cost $${fmtUsd(c.usd)} (${basis}: ${fmtSeconds(c.gbSeconds)} GB-s, ${c.requests} requests, ${c.transitions} state transitions; prices ${c.region}, ${c.date})${c.unmeasured > 0 ? `; ${c.unmeasured} candidate${c.unmeasured === 1 ? '' : 's'} without a compute record left out` : ''}.`,
    );
  }
  return out;
}

/**
 * Why a search in rounds cost more than the grid although it trained fewer epochs. Two fixed costs
 * that no epoch saved pays back: each round after the first adds the parent execution's states (the
 * Map, Aggregate, the Choice, Promote: transitions and Lambda requests, src/cost/estimate.ts),
 * and the search trains in more tasks (one per candidate per round), each paying a request and a
 * Map child execution, and in CPU its start, scoring and writes. Where a whole candidate trains in a
 * fraction of a second, those are most of the cost, and the grid is the cheaper search.
 */
function costlierThanGrid(s: NonNullable<Leaderboard['search']>, candidates: number, c: { used: { cpuSeconds: number }; grid: { cpuSeconds: number } }): string {
  const tasks = s.rounds.reduce((n, r) => n + r.trained, 0);
  const each = candidates > 0 ? c.grid.cpuSeconds / candidates : 0;
  const more = (k: 'transitions' | 'requests') => runStates(s.rounds.length)[k] - runStates(1)[k];
  const rounds = s.rounds.length - 1;
  const perTask =
    c.used.cpuSeconds > c.grid.cpuSeconds
      ? 'each paying what it spends whatever it trains — starting, scoring, writing its results, its Map child execution'
      : 'each paying a request and its Map child execution';
  return (
    `${s.strategy} cost more than the grid would have: its ${fmtInt(rounds)} more round${rounds === 1 ? '' : 's'} add ${fmtInt(more('transitions'))} state transitions and ${fmtInt(more('requests'))} Lambda requests to the run (the Map, Aggregate, the Choice and Promote, each round), ` +
    `and it trained in ${fmtInt(tasks)} tasks (one per candidate and round) against the grid's ${fmtInt(candidates)}, ${perTask}; these outweighed the epochs it saved. ` +
    `A whole candidate of this sweep trains in about ${each >= 10 ? Math.round(each) : each.toPrecision(2)} CPU-seconds: for candidates this quick, search.strategy "grid" is the cheaper search.`
  );
}

const fmtSeconds = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));

/** `$0.0155 of about $0.0066`: the two figures at one precision, so they can be compared. */
function dollarsOfAbout(used: number, grid: number): string {
  const [u, g] = fmtUsds([used, grid]);
  return `$${u} of about $${g}`;
}

const mdCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A row's verdict (src/results/verdict.ts), from leaderboard.json; for leaderboards written before it, from the row's flags. */
export function rowVerdict(lb: Leaderboard, r: LeaderboardRow): string {
  const verdict = r.verdict ?? candidateVerdict({ rank: r.rank, approxBest: r.approxBest, undecided: false, vsBaseline: r.vsBaseline }, lb.recommended?.candidateId === r.candidateId);
  return verdictText(verdict, r.vsBaseline?.verdict);
}

/** `0.832 ± 0.018 (95 % CI 0.79 – 0.87, 3 trial models, 300 rows)`, or the value alone without an interval. */
export function fmtTestScore(t: LeaderboardTest, unit: string | null): string {
  const models = t.n === 1 ? count(t.rows, 'row') : `${t.n} trial models, ${count(t.rows, 'row')}`;
  return t.ci95 ? `${fmtMeanSe(t.metric, t.se, unit)} (95 % CI ${fmtInterval(t.ci95, t.se, unit)}, ${models})` : `${withUnit(fmtValue(t.metric), unit)} (${models}, no interval)`;
}

/** Lines about the baseline, the recommendation and the test scores, shared by leaderboard.md and the terminal. */
export function leaderboardNotes(lb: Leaderboard): string[] {
  const out: string[] = [];
  const m = lb.metric.name;
  const unit = lb.metric.unit;
  const label = (id: string) => {
    const r = lb.rows.find((x) => x.candidateId === id);
    return r ? `depth ${r.depth}, width ${r.width}` : id;
  };
  if (lb.baseline && lb.rows.length > 0) {
    const b = lb.baseline;
    const beats = lb.rows.filter((r) => r.vsBaseline?.verdict === 'beats').length;
    // Better on a single trial: no paired test was possible, so "no candidate beats it" would claim one.
    const untested = lb.rows.filter((r) => r.vsBaseline?.verdict === 'better-untested').length;
    const total = lb.rows.length;
    const tested = `${beats === total ? (total === 1 ? 'the candidate beats it' : `all ${total} candidates beat it`) : beats === 0 ? 'no candidate beats it' : `${beats} of ${total} candidates beat it`} (one-sided paired test, ${SIGNIFICANCE * 100} % level)`;
    const single = (k: number) => `${k === 1 ? 'scores' : 'score'} above it on a single trial, too few for a test`;
    const claim = untested === 0 ? tested : untested === total ? `${total === 1 ? 'the candidate' : `all ${total} candidates`} ${single(total)}` : `${tested}; ${untested} more ${single(untested)}`;
    out.push(`baseline "${b.name}" — ${b.description} — ${m} ${fmtMeanSe(b.metric, b.se, unit)} on the same splits; ${claim}.`);
  }
  for (const n of lb.answer.next) out.push(`next: ${n}`);
  const tests: string[] = [];
  const rec = lb.recommended;
  if (rec?.finalTest) tests.push(`final model (${label(rec.candidateId)}) ${fmtTestScore(rec.finalTest, unit)}`);
  if (rec?.test) tests.push(`recommended ${fmtTestScore(rec.test, unit)}`);
  if (lb.best?.test && lb.best.candidateId !== rec?.candidateId) tests.push(`best-ranked (${label(lb.best.candidateId)}) ${fmtTestScore(lb.best.test, unit)}`);
  if (lb.baseline?.test) tests.push(`baseline ${withUnit(fmtValue(lb.baseline.test.metric), unit)}${vsBaselineOnTest(rec?.testVsBaseline)}`);
  if (tests.length) out.push(`test — never used for choosing (${m}): ${tests.join('; ')}.`);
  return out;
}

/** How the recommendation's test score stands against the baseline's (leaderboard.json recommended.testVsBaseline), after the baseline's score. */
function vsBaselineOnTest(c: NonNullable<Leaderboard['recommended']>['testVsBaseline']): string {
  if (!c) return '';
  const who = c.source === 'final model' ? 'the final model' : 'the trial models';
  const what = c.verdict === 'worse' ? 'scores below it' : c.verdict === 'better' ? 'beats it' : 'cannot be told from it';
  const p = c.verdict === 'worse' ? c.pWorse : c.pBetter;
  const how = c.test === 'paired' && p !== null ? `one-sided paired test on the same rows, ${pEquals(p)}` : c.test === 'interval' ? "the baseline's score against its 95 % interval" : 'not tested';
  return ` (${who} ${what}: ${how})`;
}

const num = (x: number | null, digits: number) => (x === null ? '' : Number(x.toFixed(digits)).toString());

export function leaderboardMarkdown(lb: Leaderboard): string {
  const dir = lb.metric.higherIsBetter ? 'higher is better' : 'lower is better';
  const unit = lb.metric.unit;
  const head = `${lb.metric.name}${unit ? ` (${unit})` : ''}, ${PLUS_MINUS}`;
  const priced = lb.cost !== undefined;
  if (lb.rows.length === 0) {
    // Nothing was ranked: only that, the most common reason, and each failure.
    const failed = lb.failed.map((f) => `- \`${f.candidateId}\` (depth ${f.depth}, width ${f.width}): ${mdCell(f.reason)}`);
    return `${[`# Leaderboard: ${lb.sweep}`, '', `Run \`${lb.runId}\` · dataset \`${lb.dataset.key}\` (version ${lb.dataset.version}).`, '', ...allFailedSentences(lb.failed, lb.candidates), '', `## Failed (${lb.failed.length})`, '', ...failed].join('\n')}\n`;
  }
  const out = [
    `# Leaderboard: ${lb.sweep}`,
    '',
    `Run \`${lb.runId}\` · dataset \`${lb.dataset.key}\` (version ${lb.dataset.version}) · ${lb.rows.length} of ${lb.candidates} candidates ranked by validation ${lb.metric.name} (${dir}). ${PLUS_MINUS_NOTE}; the 95 % CI is on the metric's scale; "p worse": one-sided paired t-test against the best on the same folds and repeats, Nadeau–Bengio corrected. ${lb.answer.rule}`,
    '',
    `| rank | depth | width | units | params | ${head} | 95 % CI | n | p worse | verdict | epochs | fit s | samples/s | ${priced ? 'cost $ | ' : ''}backend | candidate |`,
    `|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|${priced ? '---:|' : ''}---|---|`,
  ];
  const lead = lb.rows.slice(0, REPORT_ROWS);
  const rec = lb.rows.find((r) => r.candidateId === lb.recommended?.candidateId);
  const shown = rec && !lead.includes(rec) ? [...lead, rec] : lead;
  // The cost column at one precision, so its figures compare.
  const usdPlaces = usdDecimals(...shown.map((r) => r.cost?.usd ?? 0));
  for (const r of shown) {
    const ci = r.metric.ci95 ? fmtInterval(r.metric.ci95, r.metric.se) : 'no interval';
    out.push(
      `| ${r.rank} | ${r.depth} | ${r.width} | ${r.units.join('-')} | ${fmtInt(r.params)} | ${fmtMeanSe(r.metric.mean, r.metric.se)} | ${ci} | ${r.metric.n} | ${r.rank === 1 ? '' : fmtP(r.vsBest?.pWorse ?? r.vsBest?.p)} | ${rowVerdict(lb, r)} | ${num(r.epochs, 1)} | ${num(r.fitSeconds, 1)} | ${r.samplesPerSecond === null ? '' : fmtInt(Math.round(r.samplesPerSecond))} | ${priced ? `${r.cost ? fmtUsd(r.cost.usd, usdPlaces) : ''} | ` : ''}${r.backend} | \`${r.candidateId}\` |`,
    );
  }
  if (lb.baseline && lb.rows.length > 0) {
    const b = lb.baseline;
    out.push(`|  |  |  | baseline: ${mdCell(b.name)} | 0 | ${fmtMeanSe(b.metric, b.se)} | ${b.ci95 ? fmtInterval(b.ci95, b.se) : 'no interval'} | ${b.n} |  |  |  |  |  |${priced ? '  |' : ''}  |  |`);
  }
  if (shown.length < lb.rows.length)
    out.push(
      '',
      `The ${lead.length} leading candidates of ${fmtInt(lb.rows.length)}${shown.length > lead.length ? ' and the recommendation' : ''}; leaderboard.csv and leaderboard.json have every one.`,
    );
  const notes = [...leaderboardNotes(lb), ...searchNotes(lb)];
  notes.unshift(`${lb.answer.outcome}: ${lb.answer.headline}${lb.recommended ? ` (\`${lb.recommended.candidateId}\`)` : ''}${lb.answer.reason ? ` — ${lb.answer.reason}` : ''}`);
  notes.splice(1, 0, ...(lb.answer.warnings ?? []).map((w) => `**warning:** ${w}`));
  if (notes.length) out.push('', ...notes.map((n) => `- ${mdCell(n)}`));
  if (lb.failed.length > 0) {
    out.push('', `## Failed (${lb.failed.length})`, '');
    for (const f of lb.failed.slice(0, REPORT_ROWS)) out.push(`- \`${f.candidateId}\` (depth ${f.depth}, width ${f.width}): ${mdCell(f.reason)}`);
    if (lb.failed.length > REPORT_ROWS) out.push(`- … and ${fmtInt(lb.failed.length - REPORT_ROWS)} more: leaderboard.json lists every one`);
  }
  if (lb.search && lb.search.stopped.length > 0) {
    out.push(
      '',
      `## Stopped at an earlier rung (${fmtInt(lb.search.stopped.length)}${lb.search.stopped.length > REPORT_ROWS ? `; the best ${REPORT_ROWS} here, every one in leaderboard.json` : ''})`,
      '',
      `| rung | epochs | depth | width | ${lb.metric.name} | verdict | p vs cut | candidate |`,
      '|---:|---:|---:|---:|---:|---|---:|---|',
    );
    for (const x of lb.search.stopped.slice(0, REPORT_ROWS)) {
      out.push(`| ${x.round} | ${x.epochs} | ${x.depth} | ${x.width} | ${x.metric === null ? '' : fmtValue(x.metric)} | ${x.verdict} | ${fmtP(x.p)} | \`${x.candidateId}\` |`);
    }
  }
  return `${out.join('\n')}\n`;
}
